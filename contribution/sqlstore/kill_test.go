package sqlstore

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/peerproduction/ppl/contribution"
)

// The writer the kill test runs in a child process: it ingests batches and
// prints "ack <digest>" for every item once Ingest has returned, forever,
// until it is killed.
func TestKillChild(t *testing.T) {
	if os.Getenv("PPL_KILL_CHILD") != "1" {
		t.Skip("run by TestKillDurability as its child process")
	}
	ctx := context.Background()
	s, err := Open(ctx, Driver(os.Getenv("PPL_KILL_DRIVER")), os.Getenv("PPL_KILL_DSN"), nil)
	if err != nil {
		fmt.Println("error", err)
		os.Exit(2)
	}
	base, _ := strconv.Atoi(os.Getenv("PPL_KILL_BASE"))
	fmt.Println("ready")
	rng := rand.New(rand.NewPCG(uint64(base), 1))
	for n := base; ; {
		batch := make([]Item, 1+rng.IntN(40))
		for i := range batch {
			batch[i] = syntheticItem(n)
			n++
		}
		if _, err := s.Ingest(ctx, batch); err != nil {
			fmt.Println("error", err)
			os.Exit(2)
		}
		var b strings.Builder
		for _, it := range batch {
			b.WriteString("ack " + it.Evidence.Digest + "\n")
		}
		os.Stdout.WriteString(b.String())
	}
}

// syntheticItem is a well-formed item whose envelope is not signed: the
// store does not verify, and signing would only slow the writer down.
func syntheticItem(n int) Item {
	var buf [8]byte
	binary.BigEndian.PutUint64(buf[:], uint64(n))
	d := fmt.Sprintf("sha256:%x", sha256.Sum256(buf[:]))
	at := t0.Add(time.Duration(n) * time.Second)
	return Item{
		Evidence: Evidence{Digest: d, PayloadType: "application/vnd.in-toto+json", PredicateType: contribution.ContributionPredicateType,
			Established: EstablishedContribution, FirstSeen: at, Envelope: []byte(fmt.Sprintf(`{"n":%d}`, n))},
		Contribution: &contribution.Contribution{Commons: "web", Contributor: fmt.Sprintf("p%03d", n%100), Kind: "code",
			Quantity: 1000, Unit: "u", At: at, Statement: d},
	}
}

// TestKillDurability kills a writer with SIGKILL at random moments, twelve
// times, and checks after each kill that every record it acknowledged is
// there when the database is opened again.
func TestKillDurability(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the kill test runs twelve child processes")
	}
	forDrivers(t, func(t *testing.T, d Driver) {
		dsn := freshDSN(t, d)
		rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 2))
		total := 0
		for round := range 12 {
			acked := runAndKill(t, d, dsn, round*1_000_000, time.Duration(20+rng.IntN(400))*time.Millisecond)
			s, err := Open(context.Background(), d, dsn, nil)
			if err != nil {
				t.Fatalf("round %d: reopen: %v", round, err)
			}
			for _, dg := range acked {
				if _, err := s.Evidence(context.Background(), dg); err != nil {
					s.Close()
					t.Fatalf("round %d: acknowledged %s lost: %v", round, dg, err)
				}
			}
			var rows int
			if err := s.db.QueryRow(`SELECT COUNT(*) FROM contributions`).Scan(&rows); err != nil {
				t.Fatal(err)
			}
			var logged int
			if err := s.db.QueryRow(`SELECT COUNT(*) FROM evidence`).Scan(&logged); err != nil {
				t.Fatal(err)
			}
			s.Close()
			total += len(acked)
			if rows != logged || logged < total {
				t.Fatalf("round %d: %d log entries, %d contributions, %d acknowledged in all", round, logged, rows, total)
			}
			t.Logf("round %d: killed after %d acknowledged; %d in the log", round, len(acked), logged)
		}
		if total == 0 {
			t.Fatal("no writer acknowledged anything before it was killed: the test proved nothing")
		}
	})
}

// runAndKill starts the writer, lets it run for after its first
// acknowledgement, kills it with SIGKILL and returns what it acknowledged.
func runAndKill(t *testing.T, d Driver, dsn string, base int, after time.Duration) []string {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestKillChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), "PPL_KILL_CHILD=1", "PPL_KILL_DRIVER="+string(d), "PPL_KILL_DSN="+dsn, "PPL_KILL_BASE="+strconv.Itoa(base))
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var acked []string
	first := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		sc := bufio.NewScanner(out)
		started := false
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "ack "):
				acked = append(acked, strings.TrimPrefix(line, "ack "))
				if !started {
					started = true
					close(first)
				}
			case strings.HasPrefix(line, "error"):
				done <- fmt.Errorf("writer: %s", line)
				return
			}
		}
		done <- sc.Err()
	}()
	select {
	case <-first:
	case err := <-done:
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("writer stopped before acknowledging anything: %v", err)
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatal("writer acknowledged nothing in 30 s")
	}
	time.Sleep(after)
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	return acked
}

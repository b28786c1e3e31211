package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The test binary doubles as the server: with PPL_MARKETPLACE_MAIN set it
// runs main, so tests can signal and kill a real process.
func TestMain(m *testing.M) {
	if os.Getenv("PPL_MARKETPLACE_MAIN") != "" {
		os.Args = append([]string{"marketplace"}, strings.Fields(os.Getenv("PPL_MARKETPLACE_MAIN"))...)
		main()
		return
	}
	os.Exit(m.Run())
}

// child is a server process.
type child struct {
	cmd  *exec.Cmd
	url  string
	logs *syncBuffer
	done chan error
}

// syncBuffer is the child's stderr, written by the reader goroutine and
// read by the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func startChild(t *testing.T, args ...string) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "PPL_MARKETPLACE_MAIN="+strings.Join(append([]string{"-addr", "127.0.0.1:0"}, args...), " "))
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &child{cmd: cmd, logs: &syncBuffer{}, done: make(chan error, 1)}
	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			line := sc.Bytes()
			c.logs.Write(append(line, '\n'))
			var rec struct {
				Msg string `json:"msg"`
				URL string `json:"url"`
			}
			if json.Unmarshal(line, &rec) == nil && rec.Msg == "serving" {
				urls <- rec.URL
			}
		}
		c.done <- cmd.Wait()
	}()
	select {
	case c.url = <-urls:
	case err := <-c.done:
		t.Fatalf("server exited at start: %v\n%s", err, c.logs)
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		t.Fatal("server did not start")
	}
	t.Cleanup(func() { cmd.Process.Kill() })
	return c
}

// slowReader sends its first half, then waits for gate before the rest.
type slowReader struct {
	data []byte
	gate chan struct{}
	sent bool
}

func (r *slowReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, io.EOF
	}
	if r.sent {
		<-r.gate
	}
	n := len(r.data)
	if !r.sent {
		n /= 2
		r.sent = true
	}
	n = copy(p, r.data[:n])
	r.data = r.data[n:]
	return n, nil
}

// TestGracefulShutdown: SIGTERM while a request is half sent. The request
// still completes and is stored, the process exits 0 only after it, and a
// new connection after the signal is refused.
func TestGracefulShutdown(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a process")
	}
	db := filepath.Join(t.TempDir(), "ppl.db")
	c := startChild(t, "-demo", "-db", db)
	body := evidence(t)[0]
	gate := make(chan struct{})
	req, _ := http.NewRequest("POST", c.url+"/v1/attestations", &slowReader{data: body, gate: gate})
	req.ContentLength = int64(len(body))
	req.Header.Set("Content-Type", "application/json")
	answered := make(chan *http.Response, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Errorf("in-flight request: %v", err)
			answered <- nil
			return
		}
		answered <- resp
	}()
	time.Sleep(200 * time.Millisecond) // the first half is on the wire
	if err := c.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond)
	select {
	case err := <-c.done:
		t.Fatalf("exited with a request in flight: %v\n%s", err, c.logs)
	default:
	}
	close(gate)
	resp := <-answered
	if resp == nil {
		t.Fatalf("logs:\n%s", c.logs)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("in-flight request: %d", resp.StatusCode)
	}
	select {
	case err := <-c.done:
		if err != nil {
			t.Fatalf("exit: %v\n%s", err, c.logs)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("did not exit after draining")
	}
	if !strings.Contains(c.logs.String(), `"msg":"drained"`) {
		t.Fatalf("logs:\n%s", c.logs)
	}
	// What it acknowledged is stored.
	db2, err := openBackend(t.Context(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	recs, err := db2.since(t.Context(), 0, 10)
	if err != nil || len(recs) != 1 {
		t.Fatalf("stored: %d records, %v", len(recs), err)
	}
}

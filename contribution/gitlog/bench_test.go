package gitlog

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/peerproduction/ppl/attest"
)

const benchCommits = 20000

var (
	benchOnce sync.Once
	benchDir  string
	benchAS   attest.AllowedSigners
	benchErr  error
)

// benchRepo generates, once per process, a repository of benchCommits
// commits with git fast-import (each touching one to three files in
// src/, docs/ or vendor/, by five authors, every tenth with a
// co-author), and then rewrites the same history with every commit
// SSH-signed by its author into branch "signed": the commit objects are
// made here (SHA-1 of the object, as git names it) and written with one
// `git hash-object --stdin-paths`, since git 2.39's fast-import cannot
// carry signatures and 20k `git commit -S` would take minutes.
func benchRepo(b *testing.B) (string, attest.AllowedSigners) {
	benchOnce.Do(func() {
		r := newRepo(b)
		dir, err := os.MkdirTemp("", "gitlog-bench")
		if err != nil {
			benchErr = err
			return
		}
		r.dir = dir
		r.git(nil, "init", "-q", "-b", "main")
		authors := []string{"alice", "bob", "carol", "dave", "erin"}
		keys := map[string]sshKey{}
		var as strings.Builder
		for _, a := range authors {
			keys[a] = newSSHKey(b, dir, a)
			fmt.Fprintf(&as, "%s@example.com %s\n", a, keys[a].line)
		}
		if benchAS, benchErr = attest.ParseAllowedSigners([]byte(as.String())); benchErr != nil {
			return
		}
		var fi bytes.Buffer
		dirs := []string{"src", "docs", "vendor", "src/pkg"}
		t0 := int64(1600000000)
		for i := 0; i < benchCommits; i++ {
			a := authors[i%len(authors)]
			msg := fmt.Sprintf("change %d", i)
			if i%10 == 0 {
				msg += fmt.Sprintf("\n\nCo-authored-by: %s <%s@example.com>", authors[(i+1)%5], authors[(i+1)%5])
			}
			fmt.Fprintf(&fi, "commit refs/heads/main\nauthor %s <%s@example.com> %d +0000\ncommitter %s <%s@example.com> %d +0000\ndata %d\n%s\n",
				a, a, t0+int64(i)*60, a, a, t0+int64(i)*60, len(msg), msg)
			if i == 0 {
				fmt.Fprintf(&fi, "deleteall\n")
			}
			for f := 0; f <= i%3; f++ {
				content := strings.Repeat(fmt.Sprintf("line %d %d\n", i, f), 1+(i*7+f)%20)
				fmt.Fprintf(&fi, "M 644 inline %s/f%d.txt\ndata %d\n%s\n", dirs[(i+f)%len(dirs)], (i*3+f)%200, len(content), content)
			}
		}
		if _, errOut, err := r.try(fi.Bytes(), nil, "fast-import", "--quiet"); err != nil {
			benchErr = fmt.Errorf("fast-import: %v: %s", err, errOut)
			return
		}
		// The signed twin of main.
		log := r.git(nil, "log", "--reverse", "--format=%T%x00%an%x00%ae%x00%at%x00%B%x01", "main")
		objDir := filepath.Join(dir, "objs")
		os.Mkdir(objDir, 0o755)
		var paths bytes.Buffer
		parent := ""
		var ids []string
		for n, rec := range strings.Split(strings.TrimSuffix(log, "\x01\n"), "\x01\n") {
			f := strings.SplitN(rec, "\x00", 5)
			body := "tree " + f[0] + "\n"
			if parent != "" {
				body += "parent " + parent + "\n"
			}
			who := fmt.Sprintf("%s <%s> %s +0000\n", f[1], f[2], f[3])
			body += "author " + who + "committer " + who
			msg := "\n" + strings.TrimRight(f[4], "\n") + "\n"
			sig, err := attest.SignSSH(keys[f[1]].priv, Namespace, []byte(body+msg), "sha512")
			if err != nil {
				benchErr = err
				return
			}
			obj := body + "gpgsig " + strings.ReplaceAll(strings.TrimSuffix(string(sig), "\n"), "\n", "\n ") + "\n" + msg
			sum := sha1.Sum([]byte(fmt.Sprintf("commit %d\x00%s", len(obj), obj)))
			parent = hex.EncodeToString(sum[:])
			ids = append(ids, parent)
			p := filepath.Join(objDir, fmt.Sprint(n))
			if err := os.WriteFile(p, []byte(obj), 0o644); err != nil {
				benchErr = err
				return
			}
			paths.WriteString(p + "\n")
		}
		out, errOut, err := r.try(paths.Bytes(), nil, "hash-object", "-t", "commit", "-w", "--stdin-paths")
		if err != nil {
			benchErr = fmt.Errorf("hash-object: %v: %s", err, errOut)
			return
		}
		if got := strings.Fields(out); len(got) != len(ids) || got[len(got)-1] != ids[len(ids)-1] {
			benchErr = fmt.Errorf("hash-object named the signed commits differently")
			return
		}
		r.git(nil, "update-ref", "refs/heads/signed", parent)
		os.RemoveAll(objDir)
		benchDir = dir
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchDir, benchAS
}

// TestMain removes the benchmark's repository, which outlives any one
// benchmark so that -count runs share it.
func TestMain(m *testing.M) {
	code := m.Run()
	if benchDir != "" {
		os.RemoveAll(benchDir)
	}
	os.Exit(code)
}

// cpuTime is the CPU time of this process and of its waited-for children
// (the git processes), so that a loaded machine's waiting is told apart
// from work.
func cpuTime() time.Duration {
	var self, kids syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &self)
	_ = syscall.Getrusage(syscall.RUSAGE_CHILDREN, &kids)
	tv := func(t syscall.Timeval) time.Duration { return time.Duration(t.Nano()) }
	return tv(self.Utime) + tv(self.Stime) + tv(kids.Utime) + tv(kids.Stime)
}

// BenchmarkImport counts the whole generated history into statements
// (Import, then each statement's canonical payload and digest), without
// signing them: unsigned commits on main under "steward", and the same
// history signed on branch "signed" under "exclude", where each commit's
// signature is verified.
func BenchmarkImport(b *testing.B) {
	dir, as := benchRepo(b)
	for _, c := range []struct{ name, branch, unsigned, per string }{
		{"unsigned/line", "main", "steward", "line"},
		{"unsigned/file", "main", "steward", "file"},
		{"signed/line", "signed", "exclude", "line"},
	} {
		b.Run(c.name, func(b *testing.B) {
			rules, err := ParseRules([]byte(fmt.Sprintf(`{"version":1,"kind":"code","refs":{"branches":[%q]},
				"worth":{"per":%q,"quantity":"0.1","cap":"5"},"weights":[{"path":"docs/**","weight":"0.5"},{"path":"vendor/**","weight":"0"}],
				"coAuthors":"split","unsigned":%q}`, c.branch, c.per, c.unsigned)))
			if err != nil {
				b.Fatal(err)
			}
			counter := &Counter{Rules: rules, AllowedSigners: as, Commons: "alpha"}
			b.ResetTimer()
			start, cpu0 := time.Now(), cpuTime()
			var n int
			for i := 0; i < b.N; i++ {
				res, err := Import(context.Background(), dir, counter, nil)
				if err != nil {
					b.Fatal(err)
				}
				sts, err := Statements(res.Contributions)
				if err != nil {
					b.Fatal(err)
				}
				for _, st := range sts {
					p, err := st.Payload()
					if err != nil {
						b.Fatal(err)
					}
					_ = attest.Digest(p)
				}
				if res.Commits != benchCommits || len(sts) < benchCommits/2 {
					b.Fatalf("read %d commits, %d statements", res.Commits, len(sts))
				}
				n += res.Commits
			}
			b.ReportMetric(float64(n)/time.Since(start).Seconds(), "commits/s")
			b.ReportMetric(float64(n)/(cpuTime()-cpu0).Seconds(), "commits/cpu-s")
		})
	}
}

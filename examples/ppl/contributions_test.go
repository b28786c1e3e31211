package main

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh/agent"
)

// git runs the real git in dir with no user configuration.
func gitIn(t *testing.T, dir string, env []string, args ...string) string {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("git not installed: %v", err)
		}
		t.Skipf("git not installed: %v", err)
	}
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(append(os.Environ(), "HOME="+dir, "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null", "TZ=UTC",
		"GIT_AUTHOR_NAME=Dev", "GIT_AUTHOR_EMAIL=dev@example.com", "GIT_COMMITTER_NAME=Dev", "GIT_COMMITTER_EMAIL=dev@example.com",
		"GIT_AUTHOR_DATE=2026-01-01T00:00:00Z", "GIT_COMMITTER_DATE=2026-01-01T00:00:00Z"), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// TestContributionsGit is the README's "count a repository's
// contributors": count signed commits, re-run (nothing new), add a commit
// (only it is new), verify a statement, and catch an inflated one.
func TestContributionsGit(t *testing.T) {
	c := &cli{t: t, dir: t.TempDir()}
	for _, k := range []string{"steward", "dev"} {
		c.run(0, "keygen", "-o", k)
	}
	devPub, err := os.ReadFile(filepath.Join(c.dir, "dev.pub"))
	if err != nil {
		t.Fatal(err)
	}
	c.write("allowed_signers", "dev@example.com "+string(devPub))
	c.write("rules.json", `{"version":1,"kind":"code","refs":{"branches":["main"]},
	  "worth":{"per":"line","quantity":"0.1","cap":"5"},"weights":[{"path":"docs/**","weight":"0.5"}],
	  "coAuthors":"split","unsigned":"exclude"}`)
	c.write("trust.json", `{"commons":{"id":"alpha","stewards":["steward.pub"]},
	  "rules":[{"key":"steward.pub","predicates":["contribution"],"subjects":["commons:alpha"]}]}`)
	repo := filepath.Join(c.dir, "repo")
	if err := os.Mkdir(repo, 0o755); err != nil {
		t.Fatal(err)
	}
	gitIn(t, repo, nil, "init", "-q", "-b", "main")
	sign := []string{"-c", "gpg.format=ssh", "-c", "user.signingkey=" + filepath.Join(c.dir, "dev")}
	commit := func(file string, n int, signed bool) {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(repo, file)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(repo, file), []byte(strings.Repeat("line\n", n)), 0o644); err != nil {
			t.Fatal(err)
		}
		gitIn(t, repo, nil, "add", file)
		args := []string{"commit", "-q", "-m", "add " + file}
		if signed {
			args = append(append(sign, "commit", "-S"), args[1:]...)
		}
		gitIn(t, repo, nil, args...)
	}
	commit("src/a.go", 20, true)
	commit("docs/guide.md", 10, true)
	commit("src/unsigned.go", 30, false)

	args := []string{"contributions", "git", "repo", "-rules", "rules.json", "-allowed-signers", "allowed_signers", "-commons", "alpha", "-key", "steward", "-o", "evidence"}
	out, _ := c.run(0, args...)
	rulesDigest := strings.TrimSpace(out[strings.LastIndex(out, "rules ")+len("rules "):])
	if !strings.Contains(out, "commits read 3, contributions 2 (new 2, already in evidence 0), not counted 1") {
		t.Fatalf("first run: %s", out)
	}
	out, _ = c.run(0, args...)
	if !strings.Contains(out, "contributions 2 (new 0, already in evidence 2)") {
		t.Fatalf("re-run added something: %s", out)
	}
	commit("src/b.go", 100, true) // worth 10, capped at 5
	out, _ = c.run(0, append(args, "-v")...)
	if !strings.Contains(out, "contributions 3 (new 1, already in evidence 2)") || !strings.Contains(out, "not counted: ") {
		t.Fatalf("after a new commit: %s", out)
	}
	ents, err := os.ReadDir(filepath.Join(c.dir, "evidence"))
	if err != nil || len(ents) != 3 {
		t.Fatalf("evidence: %v %v", ents, err)
	}
	for _, e := range ents {
		out, _ := c.run(0, "verify", "-trust", "trust.json", "-at", "2026-06-01", filepath.Join("evidence", e.Name()))
		if !strings.Contains(out, "verified sha256:") {
			t.Fatalf("verify %s: %s", e.Name(), out)
		}
	}
	check := []string{"contributions", "check", "repo", "evidence", "-rules", "rules.json", "-allowed-signers", "allowed_signers", "-commons", "alpha"}
	if out, _ := c.run(0, check...); !strings.Contains(out, "3 statements checked against 4 commits") {
		t.Fatalf("check: %s", out)
	}

	// The steward signs more for the first commit than the rules give.
	first := strings.Fields(gitIn(t, repo, nil, "rev-list", "--max-parents=0", "HEAD"))[0]
	out, _ = c.run(0, "sign", "contribution", "-key", "steward", "-commons", "alpha", "-contributor", "dev.pub",
		"-kind", "code", "-quantity", "50", "-unit", "line", "-at", "2026-01-01T00:00:00Z", "-evidence", "gitCommit:"+first, "-evidence", "gitRules:"+rulesDigest, "-o", "evidence/inflated.json")
	inflated := strings.TrimSpace(out)
	out, errOut := c.run(1, check...)
	if !strings.Contains(out, inflated+" commit "+first) || !strings.Contains(out, "claims 50.000 line; the history shows 2.000") || !strings.Contains(errOut, "1 of 4 statements claim more") {
		t.Fatalf("check did not catch the inflated statement %s:\n%s\n%s", inflated, out, errOut)
	}
}

// TestContributionsGitAgent signs the statements through an ssh-agent
// holding the steward's key, which never leaves it.
func TestContributionsGitAgent(t *testing.T) {
	c := &cli{t: t, dir: t.TempDir()}
	for _, k := range []string{"steward", "dev"} {
		c.run(0, "keygen", "-o", k)
	}
	steward, err := loadPrivateKey(filepath.Join(c.dir, "steward"))
	if err != nil {
		t.Fatal(err)
	}
	ring := agent.NewKeyring()
	if err := ring.Add(agent.AddedKey{PrivateKey: steward}); err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(t.TempDir(), "agent.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			go func() { _ = agent.ServeAgent(ring, conn); conn.Close() }()
		}
	}()
	t.Setenv("SSH_AUTH_SOCK", sock)

	devPub, _ := os.ReadFile(filepath.Join(c.dir, "dev.pub"))
	c.write("allowed_signers", "dev@example.com "+string(devPub))
	c.write("rules.json", `{"version":1,"kind":"code","refs":{"branches":["main"]},"worth":{"per":"commit","quantity":"1"},"coAuthors":"split","unsigned":"exclude"}`)
	c.write("trust.json", `{"commons":{"id":"alpha","stewards":["steward.pub"]},
	  "rules":[{"key":"steward.pub","predicates":["contribution"],"subjects":["commons:alpha"]}]}`)
	repo := filepath.Join(c.dir, "repo")
	if err := os.Mkdir(repo, 0o755); err != nil {
		t.Fatal(err)
	}
	gitIn(t, repo, nil, "init", "-q", "-b", "main")
	gitIn(t, repo, nil, "-c", "gpg.format=ssh", "-c", "user.signingkey="+filepath.Join(c.dir, "dev"), "commit", "-q", "-S", "--allow-empty", "-m", "work")
	out, _ := c.run(0, "contributions", "git", "repo", "-rules", "rules.json", "-allowed-signers", "allowed_signers", "-commons", "alpha", "-agent", "steward.pub", "-o", "evidence")
	if !strings.Contains(out, "contributions 1 (new 1,") {
		t.Fatalf("agent run: %s", out)
	}
	ents, _ := os.ReadDir(filepath.Join(c.dir, "evidence"))
	if len(ents) != 1 {
		t.Fatalf("evidence: %v", ents)
	}
	if out, _ := c.run(0, "verify", "-trust", "trust.json", "-at", "2026-06-01", filepath.Join("evidence", ents[0].Name())); !strings.Contains(out, "verified sha256:") {
		t.Fatalf("verify: %s", out)
	}
	c.run(2, "contributions", "git", "repo", "-rules", "rules.json", "-allowed-signers", "allowed_signers", "-commons", "alpha", "-agent", "dev.pub", "-o", "evidence2")
}

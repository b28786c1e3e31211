package gitlog

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/peerproduction/ppl/attest"
)

// needTool skips without the tool, but fails under CI, which must have it.
func needTool(t testing.TB, name string) {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s not installed (%v); CI must install it for the interop tests", name, err)
		}
		t.Skipf("%s not installed (%v); CI installs it so this test runs there", name, err)
	}
}

// repo is a scratch git repository driven by the real git, with a
// configuration of its own (no user or system config read).
type repo struct {
	t   testing.TB
	dir string
	env []string
}

func newRepo(t testing.TB) *repo {
	needTool(t, "git")
	needTool(t, "ssh-keygen")
	dir := t.TempDir()
	r := &repo{t: t, dir: dir, env: append(os.Environ(),
		"HOME="+dir, "XDG_CONFIG_HOME="+dir, "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null", "TZ=UTC",
		"GIT_AUTHOR_NAME=Alice", "GIT_AUTHOR_EMAIL=alice@example.com",
		"GIT_COMMITTER_NAME=Alice", "GIT_COMMITTER_EMAIL=alice@example.com")}
	r.git(nil, "init", "-q", "-b", "main")
	return r
}

// git runs git in the repository and returns its standard output; it
// fails the test when git does.
func (r *repo) git(env []string, args ...string) string {
	r.t.Helper()
	out, errOut, err := r.try(nil, env, args...)
	if err != nil {
		r.t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, errOut)
	}
	return out
}

func (r *repo) try(stdin []byte, env []string, args ...string) (stdout, stderr string, err error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = r.dir
	cmd.Env = append(append([]string(nil), r.env...), env...)
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err = cmd.Run()
	return o.String(), e.String(), err
}

func (r *repo) write(name, content string) {
	r.t.Helper()
	p := filepath.Join(r.dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		r.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		r.t.Fatal(err)
	}
}

// at is the environment dating a commit at t.
func at(t time.Time) []string {
	d := t.UTC().Format(time.RFC3339)
	return []string{"GIT_AUTHOR_DATE=" + d, "GIT_COMMITTER_DATE=" + d}
}

// sshKey is an Ed25519 key written where ssh-keygen and git can use it.
type sshKey struct {
	priv ed25519.PrivateKey
	pub  ed25519.PublicKey
	file string // private key file (OpenSSH format)
	line string // "ssh-ed25519 AAAA..."
}

func newSSHKey(t testing.TB, dir, name string) sshKey {
	t.Helper()
	seed := sha256.Sum256([]byte("gitlog test key " + name))
	priv := ed25519.NewKeyFromSeed(seed[:])
	pem, err := attest.MarshalOpenSSHPrivateKey(priv, name, nil)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, name)
	if err := os.WriteFile(file, pem, 0o600); err != nil {
		t.Fatal(err)
	}
	pub := priv.Public().(ed25519.PublicKey)
	line := strings.TrimSpace(string(attest.MarshalAuthorizedKey(pub, "")))
	if err := os.WriteFile(file+".pub", []byte(line+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return sshKey{priv: priv, pub: pub, file: file, line: line}
}

// signWith is the git configuration that signs with k and verifies
// against the allowed_signers file as.
func signWith(k sshKey, as string) []string {
	return []string{"-c", "gpg.format=ssh", "-c", "user.signingkey=" + k.file, "-c", "gpg.ssh.allowedSignersFile=" + as}
}

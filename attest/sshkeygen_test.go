package attest

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// keygen runs the real ssh-keygen for the differential tests, in UTC so
// that a time without a Z suffix means to it what it means here.
type keygen struct {
	t    *testing.T
	dir  string
	key  string // private key file
	pub  string // its authorized_keys form, without a newline
	n    int
	sigs map[string][]byte // ssh-keygen's signatures of msg, by namespace
}

var keygenMsg = []byte("tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\nparent 9fceb02d0ae598e95dc970b74767f19372d61af8\n")

func newKeygen(t *testing.T) *keygen {
	needTool(t, "ssh-keygen")
	k := &keygen{t: t, dir: t.TempDir(), sigs: map[string][]byte{}}
	k.key = filepath.Join(k.dir, "id")
	run(t, nil, "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "", "-f", k.key)
	k.pub = strings.TrimSpace(string(mustReadFile(t, k.key+".pub")))
	return k
}

func (k *keygen) cmd(stdin []byte, args ...string) (stdout, stderr string, ok bool) {
	cmd := exec.Command("ssh-keygen", args...)
	cmd.Env = append(os.Environ(), "TZ=UTC")
	cmd.Stdin = bytes.NewReader(stdin)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		k.t.Fatalf("ssh-keygen %v: %v", args, err)
	}
	return o.String(), e.String(), err == nil
}

// theirs is ssh-keygen's signature of keygenMsg in namespace ns.
func (k *keygen) theirs(ns string) []byte {
	if s, ok := k.sigs[ns]; ok {
		return s
	}
	out, errOut, ok := k.cmd(keygenMsg, "-Y", "sign", "-q", "-f", k.key, "-n", ns)
	if !ok {
		k.t.Fatalf("ssh-keygen -Y sign -n %q: %s", ns, errOut)
	}
	k.sigs[ns] = []byte(out)
	return k.sigs[ns]
}

// ours is SignSSH's signature of keygenMsg in namespace ns with the same key.
func (k *keygen) ours(ns string) []byte {
	priv, err := ParsePrivateKey(mustReadFile(k.t, k.key), nil)
	if err != nil {
		k.t.Fatal(err)
	}
	s, err := SignSSH(priv, ns, keygenMsg, "")
	if err != nil {
		k.t.Fatal(err)
	}
	return s
}

// judge asks both verifiers about sig under the allowed_signers text list
// for principal and namespace at time at, and returns their verdicts:
// ssh-keygen's, what it printed, and VerifySSH's.
func (k *keygen) judge(list string, sig []byte, principal, ns string, at time.Time) (theirs bool, why string, ours error) {
	k.n++
	listPath := filepath.Join(k.dir, fmt.Sprintf("allowed_signers.%d", k.n))
	sigPath := filepath.Join(k.dir, fmt.Sprintf("sig.%d", k.n))
	if err := os.WriteFile(listPath, []byte(list), 0o600); err != nil {
		k.t.Fatal(err)
	}
	if err := os.WriteFile(sigPath, sig, 0o600); err != nil {
		k.t.Fatal(err)
	}
	out, errOut, ok := k.cmd(keygenMsg, "-Y", "verify", "-f", listPath, "-I", principal, "-n", ns, "-s", sigPath,
		"-Overify-time="+at.UTC().Format("20060102150405")+"Z")
	if ok && !strings.HasPrefix(out, "Good") {
		k.t.Fatalf("ssh-keygen -Y verify succeeded saying %q", out)
	}
	signers, err := ParseAllowedSigners([]byte(list))
	if err == nil {
		_, err = signers.VerifySSH(sig, keygenMsg, principal, ns, at)
	}
	return ok, strings.TrimSpace(errOut), err
}

// agree runs one case in both directions: ssh-keygen's signature and ours,
// each judged by ssh-keygen and by VerifySSH; all four answers must be
// want.
func (k *keygen) agree(name, list, principal, ns string, at time.Time, want bool) {
	k.t.Helper()
	for _, dir := range []struct {
		who string
		sig []byte
	}{{"ssh-keygen's signature", k.theirs(ns)}, {"our signature", k.ours(ns)}} {
		theirs, why, ours := k.judge(list, dir.sig, principal, ns, at)
		if (ours == nil) != want || theirs != want {
			k.t.Errorf("%s, %s: want %v; VerifySSH: %v; ssh-keygen: %v (%s)\nallowed_signers: %.200q -I %q -n %q",
				name, dir.who, want, ours, theirs, why, list, principal, ns)
		}
	}
}

func TestSSHKeygenPatterns(t *testing.T) {
	k := newKeygen(t)
	at := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	for _, c := range patternCases {
		// As the principals field: -I cannot be empty, and the field cannot
		// start with # or hold white space or quotes.
		if c.s != "" && !strings.ContainsAny(c.list, " \t\"") && !strings.HasPrefix(c.list, "#") {
			k.agree("principals "+c.list, c.list+" "+k.pub+"\n", c.s, "file", at, c.want)
		}
		// As namespaces=: ssh-keygen will not sign in the empty namespace.
		if c.s != "" && !strings.Contains(c.list, `"`) {
			line := `signer namespaces="` + c.list + `" ` + k.pub + "\n"
			k.agree("namespaces "+c.list, line, "signer", c.s, at, c.want)
		}
	}
}

func TestSSHKeygenAllowedSignersLines(t *testing.T) {
	k := newKeygen(t)
	at := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	sec := time.Second
	for _, c := range []struct {
		name, opts, principal, ns string
		at                        time.Time
		want                      bool
	}{
		{"no options", "", "alice", "git", at, true},
		{"valid-after, at it", `valid-after="20260601120000Z"`, "alice", "git", at, true},
		{"valid-after, a second early", `valid-after="20260601120000Z"`, "alice", "git", at.Add(-sec), false},
		{"valid-after, a day", `valid-after="20260601"`, "alice", "git", at, true},
		{"valid-after, minutes", `valid-after="202606011201Z"`, "alice", "git", at, false},
		{"valid-before, at it", `valid-before="20260601120000Z"`, "alice", "git", at, true},
		{"valid-before, a second late", `valid-before="20260601120000Z"`, "alice", "git", at.Add(sec), false},
		{"valid-before, UTC suffix", `valid-before="20260601115959UTC"`, "alice", "git", at, false},
		{"valid-before, lower case z", `valid-before="20260601120001z"`, "alice", "git", at, true},
		{"window", `valid-after="20260101Z",valid-before="20270101Z"`, "alice", "git", at, true},
		{"option names in capitals", `NAMESPACES="git",VALID-AFTER="20260101Z"`, "alice", "git", at, true},
		{"namespaces and time", `namespaces="file,git",valid-before="20260101Z"`, "alice", "git", at, false},
		{"escaped quote in namespaces", `namespaces="a\"b,git"`, "alice", "git", at, true},
		{"empty namespaces", `namespaces=""`, "alice", "git", at, false},
		// Lines OpenSSH refuses (it skips them; this package refuses the
		// file): neither verifies.
		{"namespaces twice", `namespaces="file",namespaces="git"`, "alice", "git", at, false},
		{"valid-after twice", `valid-after="20250101Z",valid-after="20240101Z"`, "alice", "git", at, false},
		{"empty window", `valid-after="20260601Z",valid-before="20260601Z"`, "alice", "git", at, false},
		{"epoch", `valid-after="19700101Z"`, "alice", "git", at, false},
		{"unknown option", `no-touch-required`, "alice", "git", at, false},
		{"trailing comma", `namespaces="git",`, "alice", "git", at, false},
		{"unterminated quote", `namespaces="git`, "alice", "git", at, false},
	} {
		line := "alice " + c.opts + " " + k.pub + "\n"
		if c.opts == "" {
			line = "alice " + k.pub + "\n"
		}
		k.agree(c.name, line, c.principal, c.ns, c.at, c.want)
	}
	// A quoted principals field, and a later line that allows what an
	// earlier one does not.
	k.agree("quoted principals", `"bob,alice" `+k.pub+"\n", "alice", "git", at, true)
	k.agree("second line", `alice namespaces="file" `+k.pub+"\nalice namespaces=\"git\" "+k.pub+"\n", "alice", "git", at, true)
	k.agree("other key", "alice "+strings.TrimSpace(string(MarshalAuthorizedKey(pubOf(testKey("other")), "")))+"\n", "alice", "git", at, false)
}

// TestSSHKeygenIdentityForgery records where this package is deliberately
// stricter than OpenSSH: the identity-point key and the forgery that
// verifies under it for any message.
func TestSSHKeygenIdentityForgery(t *testing.T) {
	k := newKeygen(t)
	armored, err := SignSSH(forger{}, SSHNamespace, keygenMsg, "")
	if err != nil {
		t.Fatal(err)
	}
	list := "mallory " + string(MarshalAuthorizedKey(identityKey, ""))
	theirs, why, ours := k.judge(list, armored, "mallory", SSHNamespace, t0)
	if !errors.Is(ours, ErrWeakKey) {
		t.Fatalf("VerifySSH of the forgery: %v", ours)
	}
	t.Logf("ssh-keygen on the identity-key forgery: accepted=%v %s", theirs, why)
}

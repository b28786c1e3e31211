package attest

import (
	"bytes"
	"crypto"
	"crypto/ed25519"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
)

// startAgent runs a real ssh-agent on a socket of its own for the test.
func startAgent(t *testing.T) (sock string) {
	t.Helper()
	bin := needTool(t, "ssh-agent")
	dir := t.TempDir()
	sock = filepath.Join(dir, "agent.sock")
	cmd := exec.Command(bin, "-D", "-a", sock)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	for i := 0; ; i++ {
		if _, err := os.Stat(sock); err == nil {
			return sock
		}
		if i == 200 {
			t.Fatal("ssh-agent did not create its socket")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func dialAgent(t *testing.T, sock string) agent.ExtendedAgent {
	t.Helper()
	conn, err := net.Dial("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return agent.NewClient(conn)
}

// A key loaded into a real ssh-agent with ssh-add signs DSSE envelopes and
// SSH signatures through AgentSigner; what it signs verifies here and with
// ssh-keygen.
func TestAgentSigner(t *testing.T) {
	sock := startAgent(t)
	steward, member := testKey("agent steward"), testKey("agent member")

	// The steward's key goes in the way a person puts it there: ssh-add of
	// an OpenSSH key file this package wrote.
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "id_ed25519")
	pemKey, err := MarshalOpenSSHPrivateKey(steward, "steward@example", nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pemKey, 0o600); err != nil {
		t.Fatal(err)
	}
	add := exec.Command(needTool(t, "ssh-add"), keyFile)
	add.Env = append(os.Environ(), "SSH_AUTH_SOCK="+sock)
	if out, err := add.CombinedOutput(); err != nil {
		t.Fatalf("ssh-add: %v: %s", err, out)
	}

	a := dialAgent(t, sock)
	signer, err := AgentSigner(a, pubOf(steward))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(signer.Public().(ed25519.PublicKey), pubOf(steward)) {
		t.Fatal("Public is not the key asked for")
	}

	// An agent key and an in-memory key co-sign one statement.
	st := testStatement(t, "commons:alpha", nil)
	env, err := SignStatement(st, append([]crypto.Signer{signer}, Signers(member)...)...)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := env.MarshalJSON()
	trust, _ := NewTrust(
		Rule{Key: pubOf(steward), PredicateTypes: []string{testPredicate}, Subjects: []string{"commons:*"}},
		Rule{Key: pubOf(member), PredicateTypes: []string{testPredicate}, Subjects: []string{"commons:*"}},
	)
	o := opts(t0)
	o.Threshold = 2
	v, err := trust.Verify(raw, o)
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Signers) != 2 {
		t.Fatalf("signers %v", v.Signers)
	}

	// An SSH signature made through the agent verifies with ssh-keygen.
	msg := []byte("signed through the agent\n")
	armored, err := SignSSH(signer, "file", msg, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "msg.sig"), armored, 0o644); err != nil {
		t.Fatal(err)
	}
	allowed := "steward@example " + strings.TrimSpace(string(MarshalAuthorizedKey(pubOf(steward), ""))) + "\n"
	if err := os.WriteFile(filepath.Join(dir, "allowed_signers"), []byte(allowed), 0o644); err != nil {
		t.Fatal(err)
	}
	verify := exec.Command(needTool(t, "ssh-keygen"), "-Y", "verify", "-f", "allowed_signers", "-I", "steward@example", "-n", "file", "-s", "msg.sig")
	verify.Dir, verify.Stdin = dir, bytes.NewReader(msg)
	if out, err := verify.CombinedOutput(); err != nil {
		t.Fatalf("ssh-keygen -Y verify of an agent signature: %v: %s", err, out)
	}

	// A key the agent does not hold is named in the error.
	var ke *KeyError
	if _, err := AgentSigner(a, pubOf(member)); !errors.Is(err, ErrNoAgentKey) || !errors.As(err, &ke) || !strings.Contains(ke.Detail, KeyID(pubOf(member))) {
		t.Fatalf("key not in the agent: %v", err)
	}
	// Ed25519 signs messages, not digests.
	if _, err := signer.Sign(nil, msg, crypto.SHA256); err == nil {
		t.Fatal("signed with a pre-hash")
	}
}

// lyingAgent lists one key and signs with another, as a confused or
// hostile agent might.
type lyingAgent struct {
	agent.Agent
	listed ssh.PublicKey
}

func (l lyingAgent) List() ([]*agent.Key, error) {
	return []*agent.Key{{Format: l.listed.Type(), Blob: l.listed.Marshal()}}, nil
}

func (l lyingAgent) Sign(_ ssh.PublicKey, data []byte) (*ssh.Signature, error) {
	keys, _ := l.Agent.List()
	return l.Agent.Sign(keys[0], data)
}

func TestAgentSignerChecksWhatTheAgentSigned(t *testing.T) {
	ring := agent.NewKeyring()
	if err := ring.Add(agent.AddedKey{PrivateKey: testKey("other")}); err != nil {
		t.Fatal(err)
	}
	want := testKey("wanted")
	listed, err := ssh.NewPublicKey(pubOf(want))
	if err != nil {
		t.Fatal(err)
	}
	signer, err := AgentSigner(lyingAgent{ring, listed}, pubOf(want))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := SignStatement(testStatement(t, "commons:alpha", nil), signer); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("a signature by another key was accepted: %v", err)
	}
	// A weak key is refused before the agent is asked.
	small := make(ed25519.PublicKey, 32)
	small[0] = 1
	if _, err := AgentSigner(ring, small); !errors.Is(err, ErrWeakKey) {
		t.Fatalf("identity point: %v", err)
	}
}

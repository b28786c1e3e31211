package attest

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// needTool finds an independent implementation to test against. It skips
// on a machine without it, but fails in CI (CI=true), which installs it:
// there a missing tool means the differential tests silently stopped
// running.
func needTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s not installed (%v); CI must install it for the interop tests", name, err)
		}
		t.Skipf("%s not installed (%v); CI installs it so this interop test runs there", name, err)
	}
	return p
}

func run(t *testing.T, stdin []byte, name string, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(name, args...)
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, stderr.String())
	}
	return out
}

func TestSSHKeygenKeys(t *testing.T) {
	needTool(t, "ssh-keygen")
	dir := t.TempDir()
	key := filepath.Join(dir, "id")
	run(t, nil, "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "alice@example", "-f", key)
	privPEM, _ := os.ReadFile(key)
	pubLine, _ := os.ReadFile(key + ".pub")
	priv, err := ParsePrivateKey(privPEM, nil)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := ParsePublicKey(pubLine)
	if err != nil {
		t.Fatal(err)
	}
	if !pub.Equal(priv.Public()) {
		t.Fatal("private and public key files disagree")
	}
	// Key id equals what ssh-keygen -l prints.
	fields := strings.Fields(string(run(t, nil, "ssh-keygen", "-l", "-f", key+".pub")))
	if len(fields) < 2 || fields[1] != KeyID(pub) {
		t.Fatalf("ssh-keygen -l says %v, KeyID says %s", fields, KeyID(pub))
	}
	// Our OpenSSH private key is read by ssh-keygen (-y derives the public key).
	ours, err := MarshalOpenSSHPrivateKey(priv, "ours", nil)
	if err != nil {
		t.Fatal(err)
	}
	oursPath := filepath.Join(dir, "ours")
	os.WriteFile(oursPath, ours, 0o600)
	derived := run(t, nil, "ssh-keygen", "-y", "-f", oursPath)
	if got, _ := ParsePublicKey(derived); !got.Equal(pub) {
		t.Fatalf("ssh-keygen -y on our key gave %s", derived)
	}
	if line := MarshalAuthorizedKey(pub, ""); !bytes.HasPrefix(bytes.TrimSpace(derived), bytes.TrimSpace(line)) {
		t.Fatalf("authorized key line %q, ssh-keygen %q", line, derived)
	}

	// An encrypted key needs its passphrase.
	enc := filepath.Join(dir, "enc")
	run(t, nil, "ssh-keygen", "-q", "-t", "ed25519", "-N", "s3cret", "-f", enc)
	encPEM, _ := os.ReadFile(enc)
	if _, err := ParsePrivateKey(encPEM, nil); !errors.Is(err, ErrPassphraseRequired) {
		t.Fatalf("encrypted key without passphrase: %v", err)
	}
	if _, err := ParsePrivateKey(encPEM, []byte("wrong")); err == nil {
		t.Fatal("wrong passphrase accepted")
	}
	if _, err := ParsePrivateKey(encPEM, []byte("s3cret")); err != nil {
		t.Fatal(err)
	}

	// Other key types are refused, naming the type.
	for _, kt := range []struct{ flag, name string }{{"rsa", "ssh-rsa"}, {"ecdsa", "ecdsa-sha2-nistp256"}} {
		p := filepath.Join(dir, kt.flag)
		args := []string{"-q", "-t", kt.flag, "-N", "", "-f", p}
		if kt.flag == "rsa" {
			args = append(args, "-b", "2048")
		}
		run(t, nil, "ssh-keygen", args...)
		pl, _ := os.ReadFile(p + ".pub")
		_, err := ParsePublicKey(pl)
		var ke *KeyError
		if !errors.Is(err, ErrUnsupportedKey) || !errors.As(err, &ke) || ke.Type != kt.name {
			t.Errorf("%s public key: %v", kt.flag, err)
		}
		pp, _ := os.ReadFile(p)
		if _, err := ParsePrivateKey(pp, nil); !errors.Is(err, ErrUnsupportedKey) || !strings.Contains(err.Error(), kt.name) {
			t.Errorf("%s private key: %v", kt.flag, err)
		}
	}
	sk := "sk-ssh-ed25519@openssh.com AAAAGnNrLXNzaC1lZDI1NTE5QG9wZW5zc2guY29tAAAAIHfsxLu2YFkE3u+8ccbgHUUHrgmbUxI4HdIr4zpYXHvOAAAABHNzaDo="
	if _, err := ParsePublicKey([]byte(sk)); !errors.Is(err, ErrUnsupportedKey) || !strings.Contains(err.Error(), "sk-ssh-ed25519") {
		t.Errorf("sk key: %v", err)
	}
}

func TestOpenSSLKeys(t *testing.T) {
	needTool(t, "openssl")
	dir := t.TempDir()
	keyPath := filepath.Join(dir, "key.pem")
	run(t, nil, "openssl", "genpkey", "-algorithm", "ed25519", "-out", keyPath)
	pubPEM := run(t, nil, "openssl", "pkey", "-in", keyPath, "-pubout")
	privPEM, _ := os.ReadFile(keyPath)
	priv, err := ParsePrivateKey(privPEM, nil)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := ParsePublicKey(pubPEM)
	if err != nil {
		t.Fatal(err)
	}
	if !pub.Equal(priv.Public()) {
		t.Fatal("openssl key pair disagrees")
	}
	// Ours are read by openssl and give the same public key.
	ourPriv, _ := MarshalPKCS8PrivateKey(priv)
	ourPath := filepath.Join(dir, "ours.pem")
	os.WriteFile(ourPath, ourPriv, 0o600)
	if got := run(t, nil, "openssl", "pkey", "-in", ourPath, "-pubout"); !bytes.Equal(got, pubPEM) {
		t.Fatalf("openssl reads our key as %s", got)
	}
	ourPub, _ := MarshalPKIXPublicKey(pub)
	if !bytes.Equal(ourPub, pubPEM) {
		t.Fatalf("PKIX output differs from openssl's:\n%s\n%s", ourPub, pubPEM)
	}

	// DSSE both ways with an independent Ed25519 signer: openssl signs the
	// PAE of a statement and our Trust verifies it; openssl verifies ours.
	st := testStatement(t, "commons:alpha", nil)
	payload, _ := st.Payload()
	paePath := filepath.Join(dir, "pae")
	os.WriteFile(paePath, PAE(PayloadType, payload), 0o600)
	sig := run(t, nil, "openssl", "pkeyutl", "-sign", "-rawin", "-inkey", keyPath, "-in", paePath)
	envJSON := `{"payload":"` + base64.StdEncoding.EncodeToString(payload) + `","payloadType":"` + PayloadType +
		`","signatures":[{"keyid":"","sig":"` + base64.StdEncoding.EncodeToString(sig) + `"}]}`
	trust, _ := NewTrust(Rule{Key: pub, PredicateTypes: []string{testPredicate}, Subjects: []string{"*"}})
	if _, err := trust.Verify([]byte(envJSON), opts(t0)); err != nil {
		t.Fatalf("openssl-signed envelope: %v", err)
	}
	env, _ := SignStatement(st, priv)
	sigPath := filepath.Join(dir, "sig")
	os.WriteFile(sigPath, env.Signatures[0].Sig, 0o600)
	pubPath := filepath.Join(dir, "pub.pem")
	os.WriteFile(pubPath, pubPEM, 0o600)
	out := run(t, nil, "openssl", "pkeyutl", "-verify", "-rawin", "-pubin", "-inkey", pubPath, "-in", paePath, "-sigfile", sigPath)
	if !strings.Contains(string(out), "Verified Successfully") {
		t.Fatalf("openssl: %s", out)
	}
}

func TestSSHSIGOpenSSHVector(t *testing.T) {
	armored, _ := os.ReadFile("testdata/sshsig/ed25519.sig")
	data, _ := os.ReadFile("testdata/sshsig/signed-data")
	ns, _ := os.ReadFile("testdata/sshsig/namespace")
	signersFile, _ := os.ReadFile("testdata/sshsig/allowed_signers.local")
	namespace := strings.TrimSpace(string(ns))
	signers, err := ParseAllowedSigners(signersFile)
	if err != nil {
		t.Fatal(err)
	}
	sig, err := signers.VerifySSH(armored, data, "test@example", namespace, t0)
	if err != nil {
		t.Fatal(err)
	}
	pubLine, _ := os.ReadFile("testdata/sshsig/ed25519.pub")
	pub, _ := ParsePublicKey(pubLine)
	if !sig.PublicKey.Equal(pub) || sig.HashAlgorithm != "sha512" {
		t.Fatalf("parsed %+v", sig)
	}
	if _, err := signers.VerifySSH(armored, append(data, '!'), "test@example", namespace, t0); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("altered data: %v", err)
	}
	if _, err := signers.VerifySSH(armored, data, "test@example", "file", t0); !errors.Is(err, ErrWrongType) {
		t.Fatalf("wrong namespace: %v", err)
	}
	if _, err := signers.VerifySSH(armored, data, "mallory@example", namespace, t0); !errors.Is(err, ErrUntrustedKey) {
		t.Fatalf("wrong principal: %v", err)
	}
}

func TestSSHSIGWithSSHKeygen(t *testing.T) {
	needTool(t, "ssh-keygen")
	dir := t.TempDir()
	key := filepath.Join(dir, "id")
	run(t, nil, "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key)
	privPEM, _ := os.ReadFile(key)
	priv, _ := ParsePrivateKey(privPEM, nil)
	pubLine, _ := os.ReadFile(key + ".pub")
	msg := []byte("contribution: commit 9fceb02d0ae598e95dc970b74767f19372d61af8\n")
	msgPath := filepath.Join(dir, "msg")
	os.WriteFile(msgPath, msg, 0o600)
	allowed := filepath.Join(dir, "allowed_signers")
	os.WriteFile(allowed, []byte(`alice@example namespaces="`+SSHNamespace+`",valid-after="20250101" `+strings.TrimSpace(string(pubLine))+"\n"), 0o600)
	signers, err := ParseAllowedSigners(mustReadFile(t, allowed))
	if err != nil {
		t.Fatal(err)
	}

	// ssh-keygen signs, we verify.
	run(t, nil, "ssh-keygen", "-Y", "sign", "-q", "-f", key, "-n", SSHNamespace, msgPath)
	theirs := mustReadFile(t, msgPath+".sig")
	if _, err := signers.VerifySSH(theirs, msg, "alice@example", SSHNamespace, t0); err != nil {
		t.Fatalf("ssh-keygen signature: %v", err)
	}
	if _, err := signers.VerifySSH(theirs, msg, "alice@example", SSHNamespace, time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)); !errors.Is(err, ErrNotYetValid) {
		t.Fatalf("valid-after ignored: %v", err)
	}

	// We sign (both hashes), ssh-keygen verifies.
	for _, alg := range []string{"sha512", "sha256"} {
		ours, err := SignSSH(priv, SSHNamespace, msg, alg)
		if err != nil {
			t.Fatal(err)
		}
		sigPath := filepath.Join(dir, "ours-"+alg+".sig")
		os.WriteFile(sigPath, ours, 0o600)
		out := run(t, msg, "ssh-keygen", "-Y", "verify", "-f", allowed, "-I", "alice@example", "-n", SSHNamespace, "-s", sigPath)
		if !strings.Contains(string(out), "Good") {
			t.Fatalf("%s: ssh-keygen says %s", alg, out)
		}
	}
}

func TestAllowedSignersParsing(t *testing.T) {
	pub := strings.TrimSpace(string(MarshalAuthorizedKey(pubOf(testKey("a")), "")))
	good := "# comment\n\n" +
		`*@example.com,bob ` + pub + " trailing comment\n" +
		`carol namespaces="git,ppl@*",valid-before="20270101Z" ` + pub + "\n"
	s, err := ParseAllowedSigners([]byte(good))
	if err != nil {
		t.Fatal(err)
	}
	if len(s) != 2 || s[0].Line != 3 || len(s[0].Principals) != 2 || len(s[1].Namespaces) != 2 || !s[1].ValidBefore.Equal(time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("parsed %+v", s)
	}
	for name, in := range map[string]string{
		"cert-authority": `* cert-authority ` + pub,
		"unknown option": `* no-touch-required ` + pub,
		"unquoted":       `* namespaces=git ` + pub,
		"bad time":       `* valid-after="2027" ` + pub,
		"no key":         `alice`,
		"rsa":            `alice ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQC`,
	} {
		_, err := ParseAllowedSigners([]byte("\n" + in + "\n"))
		var ae *AllowedSignersError
		if !errors.As(err, &ae) || ae.Line != 2 {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestKeyParsingFormats(t *testing.T) {
	priv := testKey("formats")
	pub := pubOf(priv)
	if k, err := ParsePrivateKey(priv.Seed(), nil); err != nil || !k.Equal(priv) {
		t.Errorf("seed: %v", err)
	}
	if k, err := ParsePrivateKey(priv, nil); err != nil || !k.Equal(priv) {
		t.Errorf("64 bytes: %v", err)
	}
	mismatched := append(append([]byte(nil), priv.Seed()...), pubOf(testKey("other"))...)
	if _, err := ParsePrivateKey(mismatched, nil); !errors.Is(err, ErrMalformed) {
		t.Errorf("mismatched halves: %v", err)
	}
	if k, err := ParsePublicKey(pub); err != nil || !k.Equal(pub) {
		t.Errorf("raw public: %v", err)
	}
	enc, _ := MarshalOpenSSHPrivateKey(priv, "c", []byte("pw"))
	if k, err := ParsePrivateKey(enc, []byte("pw")); err != nil || !k.Equal(priv) {
		t.Errorf("encrypted round trip: %v", err)
	}
	for name, in := range map[string][]byte{
		"empty":        nil,
		"33 bytes":     make([]byte, 33),
		"garbage pem":  []byte("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"),
		"cert pem":     []byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"),
		"rsa pem type": []byte("-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n"),
	} {
		var ke *KeyError
		if _, err := ParsePrivateKey(in, nil); !errors.As(err, &ke) {
			t.Errorf("%s: %v", name, err)
		}
	}
	_ = ed25519.PublicKeySize
}

func mustReadFile(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

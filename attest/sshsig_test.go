package attest

import (
	"crypto"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"os"
	"strings"
	"testing"
)

// identityKey is the encoding of the identity point (y = 1, x = 0), and
// identityForgery the signature R = identity, S = 0, which satisfies the
// verification equation [S]B = R + [k]A for every message under it.
var (
	identityKey     = ed25519.PublicKey(append([]byte{1}, make([]byte, 31)...))
	identityForgery = append(append([]byte{1}, make([]byte, 31)...), make([]byte, 32)...)
)

// forger is a crypto.Signer holding no secret: it "signs" anything under the
// identity key, so the library's own encoders can write the forgery.
type forger struct{}

func (forger) Public() crypto.PublicKey { return identityKey }
func (forger) Sign(io.Reader, []byte, crypto.SignerOpts) ([]byte, error) {
	return append([]byte(nil), identityForgery...), nil
}

func TestIdentityForgeryPremise(t *testing.T) {
	// What the refusals below guard against: crypto/ed25519, and with it the
	// package's own equation, accept the forgery for any message.
	for _, msg := range []string{"", "pay nothing", "any message at all"} {
		if !ed25519.Verify(identityKey, []byte(msg), identityForgery) || !verifySignature(identityKey, []byte(msg), identityForgery) {
			t.Fatalf("forgery no longer verifies for %q; the premise of these tests changed", msg)
		}
	}
	if err := CheckPublicKey(identityKey); !errors.Is(err, ErrWeakKey) {
		t.Fatalf("CheckPublicKey(identity) = %v", err)
	}
}

func TestSSHSigWeakKeyRefused(t *testing.T) {
	msg := []byte("tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\n")
	armored, err := SignSSH(forger{}, SSHNamespace, msg, "")
	if err != nil {
		t.Fatal(err)
	}
	sig, err := ParseSSHSignature(armored)
	if err != nil {
		t.Fatal(err)
	}
	var ve *VerifyError
	if err := sig.Verify(msg, SSHNamespace); !errors.Is(err, ErrWeakKey) || !errors.As(err, &ve) || ve.KeyID != KeyID(identityKey) {
		t.Fatalf("SSHSignature.Verify of the forgery: %v", err)
	}
	// An allowed_signers line cannot admit the key…
	line := "mallory@example.com " + string(MarshalAuthorizedKey(identityKey, ""))
	if _, err := ParseAllowedSigners([]byte(line)); !errors.Is(err, ErrWeakKey) {
		t.Fatalf("allowed_signers with the identity key: %v", err)
	}
	// …and a list built by hand does not let it through either.
	list := AllowedSigners{{Principals: []string{"*"}, Key: identityKey, Line: 1}}
	if _, err := list.VerifySSH(armored, msg, "mallory@example.com", SSHNamespace, t0); !errors.Is(err, ErrWeakKey) {
		t.Fatalf("VerifySSH of the forgery: %v", err)
	}
}

func TestSignedByWeakKeyRefused(t *testing.T) {
	st := testStatement(t, "entity:acme", nil)
	payload, _ := st.Payload()
	env, err := Sign(PayloadType, payload, testKey("entity"), forger{})
	if err != nil {
		t.Fatal(err)
	}
	var ve *VerifyError
	if err := env.SignedBy(identityKey); !errors.Is(err, ErrWeakKey) || !errors.As(err, &ve) || ve.Digest != Digest(payload) {
		t.Fatalf("SignedBy(identity) = %v", err)
	}
	// The published cases crypto/ed25519 accepts under weak keys:
	// ed25519-speccheck's case 0 (a small-order key, a small-order R and
	// S = 0), case 1 (the same key, an ordinary R) and case 11 (a
	// non-canonical encoding of a small-order key).
	var cases []struct {
		Message   string `json:"message"`
		PubKey    string `json:"pub_key"`
		Signature string `json:"signature"`
	}
	data, err := os.ReadFile("testdata/ed25519-speccheck/cases.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &cases); err != nil {
		t.Fatal(err)
	}
	for _, i := range []int{0, 1, 11} {
		pub, _ := hex.DecodeString(cases[i].PubKey)
		sig, _ := hex.DecodeString(cases[i].Signature)
		msg, _ := hex.DecodeString(cases[i].Message)
		if !ed25519.Verify(pub, msg, sig) {
			t.Fatalf("speccheck case %d no longer verifies with crypto/ed25519", i)
		}
		// These signatures are over the case's message, not over a PAE or
		// an SSHSIG's signed data, so they would fail as bad signatures:
		// the refusal must come from the key, before any signature.
		e := &Envelope{PayloadType: PayloadType, Payload: msg, Signatures: []Signature{{Sig: sig}}}
		if err := e.SignedBy(pub); !errors.Is(err, ErrWeakKey) {
			t.Errorf("speccheck case %d: SignedBy = %v", i, err)
		}
		if err := (&SSHSignature{PublicKey: pub, Namespace: "git", HashAlgorithm: "sha512", Signature: sig}).Verify(msg, "git"); !errors.Is(err, ErrWeakKey) {
			t.Errorf("speccheck case %d: SSHSignature.Verify = %v", i, err)
		}
	}
}

func TestSSHSigNULRefused(t *testing.T) {
	// OpenSSH refuses a namespace holding a NUL (sshbuf_get_cstring); a
	// reader that compares the bytes after it would disagree.
	armored, err := SignSSH(testKey("nul"), "git\x00evil", []byte("m"), "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ParseSSHSignature(armored); !errors.Is(err, ErrMalformed) {
		t.Fatalf("namespace with NUL: %v", err)
	}
	// The blob with "sha512\x00" as the hash algorithm.
	blob := []byte(sshsigMagic)
	blob = append(blob, 0, 0, 0, 1)
	blob = appendSSHString(blob, sshWirePublicKey(pubOf(testKey("nul"))))
	blob = appendSSHString(blob, []byte("git"))
	blob = appendSSHString(blob, nil)
	blob = appendSSHString(blob, []byte("sha512\x00"))
	blob = appendSSHString(blob, appendSSHString(appendSSHString(nil, []byte("ssh-ed25519")), make([]byte, 64)))
	arm := sshsigBegin + "\n" + base64.StdEncoding.EncodeToString(blob) + "\n" + sshsigEnd + "\n"
	if _, err := ParseSSHSignature([]byte(arm)); !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), "NUL") {
		t.Fatalf("hash algorithm with NUL: %v", err)
	}
}

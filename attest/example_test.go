package attest_test

import (
	"crypto/ed25519"
	"crypto/sha256"
	"errors"
	"fmt"
	"time"

	"github.com/peerproduction/ppl/attest"
)

// sampleKey derives a fixed, clearly fake key for examples.
func sampleKey(label string) ed25519.PrivateKey {
	seed := sha256.Sum256([]byte("SAMPLE ONLY " + label))
	return ed25519.NewKeyFromSeed(seed[:])
}

const contributionV1 = "https://github.com/peerproduction/ppl/predicates/contribution/v1"

func ExampleSignStatement() {
	steward := sampleKey("steward")
	st, err := attest.NewStatement(contributionV1,
		map[string]any{"commons": "alpha", "kind": "code", "quantity": 3},
		attest.SubjectFor("commons:alpha"))
	if err != nil {
		panic(err)
	}
	env, err := attest.SignStatement(st, steward)
	if err != nil {
		panic(err)
	}
	fmt.Println(env.PayloadType, len(env.Signatures), env.Signatures[0].KeyID == attest.KeyID(steward.Public().(ed25519.PublicKey)))
	// Output: application/vnd.in-toto+json 1 true
}

func ExampleTrust_Verify() {
	steward := sampleKey("steward")
	trust, err := attest.NewTrust(attest.Rule{
		Key:            steward.Public().(ed25519.PublicKey),
		PredicateTypes: []string{contributionV1},
		Subjects:       []string{"commons:alpha"},
		From:           time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
	})
	if err != nil {
		panic(err)
	}
	st, _ := attest.NewStatement(contributionV1, map[string]any{"kind": "code"}, attest.SubjectFor("commons:alpha"))
	env, _ := attest.SignStatement(st, steward)
	data, _ := env.MarshalJSON()

	opts := attest.VerifyOptions{Time: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC), PredicateTypes: []string{contributionV1}}
	v, err := trust.Verify(data, opts)
	fmt.Println(err, v.Statement.Subject[0].Name)

	// The same steward is not trusted for another commons.
	other, _ := attest.NewStatement(contributionV1, map[string]any{"kind": "code"}, attest.SubjectFor("commons:beta"))
	env2, _ := attest.SignStatement(other, steward)
	data2, _ := env2.MarshalJSON()
	_, err = trust.Verify(data2, opts)
	fmt.Println(errors.Is(err, attest.ErrOutOfScope))
	// Output:
	// <nil> commons:alpha
	// true
}

func ExampleSignSSH() {
	key := sampleKey("contributor")
	msg := []byte("commit 9fceb02d0ae598e95dc970b74767f19372d61af8\n")
	armored, err := attest.SignSSH(key, attest.SSHNamespace, msg, "")
	if err != nil {
		panic(err)
	}
	// Everyone at example.org but mallory, in ppl's namespaces but not git's:
	// OpenSSH pattern-lists, where a matching "!" pattern wins.
	line := `*@example.org,!mallory@example.org namespaces="ppl@*,!git" ` + string(attest.MarshalAuthorizedKey(key.Public().(ed25519.PublicKey), ""))
	signers, err := attest.ParseAllowedSigners([]byte(line))
	if err != nil {
		panic(err)
	}
	at := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	sig, err := signers.VerifySSH(armored, msg, "alice@example.org", attest.SSHNamespace, at)
	fmt.Println(err, sig.HashAlgorithm)
	_, err = signers.VerifySSH(armored, msg, "mallory@example.org", attest.SSHNamespace, at)
	fmt.Println(errors.Is(err, attest.ErrUntrustedKey))
	// Output:
	// <nil> sha512
	// true
}

func ExampleTrust_Revoke() {
	steward, registrar := sampleKey("steward"), sampleKey("registrar")
	trust, _ := attest.NewTrust(
		attest.Rule{Key: steward.Public().(ed25519.PublicKey), PredicateTypes: []string{contributionV1}, Subjects: []string{"commons:*"}},
		attest.Rule{Key: registrar.Public().(ed25519.PublicKey), PredicateTypes: []string{attest.RevocationPredicateType}, Subjects: []string{"key:*", "statement:*"}},
	)
	at := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	st, _ := attest.NewStatement(contributionV1, map[string]any{"kind": "code"}, attest.SubjectFor("commons:alpha"))
	env, _ := attest.SignStatement(st, steward)
	data, _ := env.MarshalJSON()
	v, _ := trust.Verify(data, attest.VerifyOptions{Time: at, PredicateTypes: []string{contributionV1}})

	rev, _ := attest.NewRevocationStatement(attest.Revocation{Statement: v.Digest, Reason: "duplicate entry"})
	renv, _ := attest.SignStatement(rev, registrar)
	rdata, _ := renv.MarshalJSON()
	if _, err := trust.Revoke(rdata, at); err != nil {
		panic(err)
	}
	_, err := trust.Verify(data, attest.VerifyOptions{Time: at, PredicateTypes: []string{contributionV1}})
	fmt.Println(errors.Is(err, attest.ErrRevoked))
	// Output: true
}

// VerifyAll verifies a request's worth of envelopes at once; each answer is
// what Verify would give for that envelope.
func ExampleTrust_VerifyAll() {
	steward, stranger := sampleKey("steward"), sampleKey("stranger")
	trust, _ := attest.NewTrust(attest.Rule{Key: steward.Public().(ed25519.PublicKey),
		PredicateTypes: []string{contributionV1}, Subjects: []string{"commons:alpha"}})
	envelope := func(k ed25519.PrivateKey, n int) []byte {
		st, _ := attest.NewStatement(contributionV1, map[string]any{"n": n}, attest.SubjectFor("commons:alpha"))
		env, _ := attest.SignStatement(st, k)
		b, _ := env.MarshalJSON()
		return b
	}
	at := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	verified, errs := trust.VerifyAll([][]byte{envelope(steward, 1), envelope(stranger, 2), envelope(steward, 3)},
		attest.VerifyOptions{Time: at, PredicateTypes: []string{contributionV1}})
	for i := range verified {
		fmt.Println(i, verified[i] != nil, errors.Is(errs[i], attest.ErrUntrustedKey))
	}
	// Output:
	// 0 true false
	// 1 false true
	// 2 true false
}

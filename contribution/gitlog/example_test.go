package gitlog_test

import (
	"crypto/ed25519"
	"crypto/sha256"
	"fmt"
	"strings"

	"github.com/peerproduction/ppl/attest"
	"github.com/peerproduction/ppl/contribution/gitlog"
)

// A commit as `git cat-file commit` prints it, signed as git commit -S
// with gpg.format=ssh signs it, verified against an allowed_signers list.
func ExampleVerify() {
	seed := sha256.Sum256([]byte("example"))
	key := ed25519.NewKeyFromSeed(seed[:])
	pub := key.Public().(ed25519.PublicKey)
	body := "tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\n" +
		"author Alice <alice@example.com> 1735722000 +0000\n" +
		"committer Alice <alice@example.com> 1735722000 +0000\n"
	msg := "\nAdd the guide\n"
	sig, _ := attest.SignSSH(key, gitlog.Namespace, []byte(body+msg), "sha512")
	raw := body + "gpgsig " + strings.ReplaceAll(strings.TrimSuffix(string(sig), "\n"), "\n", "\n ") + "\n" + msg

	as, _ := attest.ParseAllowedSigners(append([]byte("alice@example.com "), attest.MarshalAuthorizedKey(pub, "")...))
	o, _ := gitlog.ParseObject(gitlog.KindCommit, "", []byte(raw))
	v, err := gitlog.Verify(o, as)
	fmt.Printf("%c %s %v\n", gitlog.StatusOf(err), v.Principal, v.KeyID == attest.KeyID(pub))

	tampered, _ := gitlog.ParseObject(gitlog.KindCommit, "", []byte(strings.Replace(raw, "the guide", "a backdoor", 1)))
	_, err = gitlog.Verify(tampered, as)
	fmt.Printf("%c\n", gitlog.StatusOf(err))
	// Output:
	// G alice@example.com true
	// B
}

func ExampleParseRules() {
	rules, err := gitlog.ParseRules([]byte(`{"version":1,"kind":"code","refs":{"branches":["main"]},
		"worth":{"per":"line","quantity":"0.01","cap":"5"},"weights":[{"path":"docs/**","weight":"0.5"}],
		"excludeAuthors":["*[bot] <*"],"coAuthors":"split","unsigned":"exclude"}`))
	fmt.Println(err, rules.Unit())
	_, err = gitlog.ParseRules([]byte(`{"version":1,"kind":"code","refs":{"branches":["main"]},
		"worth":{"per":"word","quantity":"1"},"coAuthors":"split","unsigned":"exclude"}`))
	fmt.Println(err)
	// Output:
	// <nil> line
	// gitlog: rules /worth/per: invalid contribution rules: "word" must be "commit", "file" or "line"
}

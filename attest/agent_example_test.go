package attest_test

import (
	"crypto/ed25519"
	"fmt"
	"log"
	"net"
	"os"

	"golang.org/x/crypto/ssh/agent"

	"github.com/peerproduction/ppl/attest"
)

// A steward signs with the key their ssh-agent holds; the private key
// never leaves the agent. (Not run: it needs the agent of a person.)
func ExampleAgentSigner() {
	conn, err := net.Dial("unix", os.Getenv("SSH_AUTH_SOCK"))
	if err != nil {
		log.Fatal(err)
	}
	defer conn.Close()
	pubFile, err := os.ReadFile("steward.pub")
	if err != nil {
		log.Fatal(err)
	}
	pub, err := attest.ParsePublicKey(pubFile)
	if err != nil {
		log.Fatal(err)
	}
	signer, err := attest.AgentSigner(agent.NewClient(conn), pub)
	if err != nil {
		log.Fatal(err)
	}
	st, err := attest.NewStatement("https://example.com/note/v1", map[string]string{"note": "hello"}, attest.SubjectFor("commons:alpha"))
	if err != nil {
		log.Fatal(err)
	}
	env, err := attest.SignStatement(st, signer)
	if err != nil {
		log.Fatal(err)
	}
	out, _ := env.MarshalJSON()
	os.Stdout.Write(out)
}

// Several keys in memory sign one envelope: an entity and its member
// co-sign a membership.
func ExampleSigners() {
	entity := ed25519.NewKeyFromSeed(make([]byte, 32))
	member := ed25519.NewKeyFromSeed([]byte("a member's seed, thirty-two byte"))
	st, _ := attest.NewStatement("https://example.com/note/v1", map[string]string{"note": "hello"}, attest.SubjectFor("entity:acme"))
	env, err := attest.SignStatement(st, attest.Signers(entity, member)...)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(env.Signatures), env.Signatures[1].KeyID == attest.KeyID(member.Public().(ed25519.PublicKey)))
	// Output:
	// 2 true
}

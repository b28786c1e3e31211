package attest

import (
	"bytes"
	"crypto"
	"crypto/ed25519"
	"errors"
	"fmt"
	"io"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
)

// ErrNoAgentKey is returned by AgentSigner when the agent holds no key equal
// to the one asked for.
var ErrNoAgentKey = errors.New("the ssh-agent holds no such key")

// AgentSigner returns a crypto.Signer that signs with the Ed25519 key pub
// held by an ssh-agent (ssh-add's keys, a hardware token behind an agent),
// so a steward signs statements and SSH signatures with the key they already
// use, without the private key leaving the agent. Connect to the agent with
// agent.NewClient over the socket in SSH_AUTH_SOCK.
//
// Each signature the agent returns is checked against pub before it is
// handed on: an agent that answers with another key's signature, or a
// malformed one, is an error, not a broken envelope.
func AgentSigner(a agent.Agent, pub ed25519.PublicKey) (crypto.Signer, error) {
	if err := CheckPublicKey(pub); err != nil {
		return nil, err
	}
	keys, err := a.List()
	if err != nil {
		return nil, fmt.Errorf("attest: listing the ssh-agent's keys: %w", err)
	}
	want := sshWirePublicKey(pub)
	for _, k := range keys {
		if bytes.Equal(k.Marshal(), want) {
			sk, err := ssh.ParsePublicKey(want)
			if err != nil {
				return nil, err
			}
			return &agentSigner{agent: a, key: sk, pub: append(ed25519.PublicKey(nil), pub...)}, nil
		}
	}
	return nil, &KeyError{Err: ErrNoAgentKey, Format: "ssh-agent", Detail: KeyID(pub) + " is not among its " + fmt.Sprint(len(keys)) + " keys"}
}

type agentSigner struct {
	agent agent.Agent
	key   ssh.PublicKey
	pub   ed25519.PublicKey
}

func (s *agentSigner) Public() crypto.PublicKey { return s.pub }

// Sign signs message itself, as ed25519.PrivateKey does: Ed25519 hashes
// internally, so opts must ask for no pre-hash.
func (s *agentSigner) Sign(_ io.Reader, message []byte, opts crypto.SignerOpts) ([]byte, error) {
	if opts != nil && opts.HashFunc() != crypto.Hash(0) {
		return nil, fmt.Errorf("attest: ed25519 signs the message itself, not a %v digest", opts.HashFunc())
	}
	sig, err := s.agent.Sign(s.key, message)
	if err != nil {
		return nil, fmt.Errorf("attest: ssh-agent signing with %s: %w", KeyID(s.pub), err)
	}
	if sig.Format != ssh.KeyAlgoED25519 || len(sig.Blob) != ed25519.SignatureSize {
		return nil, &VerifyError{Err: ErrBadSignature, KeyID: KeyID(s.pub), Detail: fmt.Sprintf("ssh-agent answered a %q signature of %d bytes", sig.Format, len(sig.Blob))}
	}
	if !ed25519.Verify(s.pub, message, sig.Blob) {
		return nil, &VerifyError{Err: ErrBadSignature, KeyID: KeyID(s.pub), Detail: "the ssh-agent's signature does not verify under the key asked for"}
	}
	return sig.Blob, nil
}

// Signers lists keys as the crypto.Signers that SignStatement and Sign
// take, so that several in-memory keys sign in one call:
//
//	env, err := attest.SignStatement(st, attest.Signers(entityKey, memberKey)...)
func Signers[K crypto.Signer](keys ...K) []crypto.Signer {
	out := make([]crypto.Signer, len(keys))
	for i, k := range keys {
		out[i] = k
	}
	return out
}

package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/peerproduction/ppl/attest"
	"github.com/peerproduction/ppl/policy"
)

func cmdVerify(args []string, out io.Writer) error {
	const syn = "ppl verify (-manifests DIR [-commons ID] | -trust FILE) -at TIME [-grant] ENVELOPE | -ssh -allowed-signers FILE -I ID [-n NS] -sig SIG -at TIME FILE"
	fs := newFlags("verify", syn)
	setup := addSetupFlags(fs)
	grant := fs.Bool("grant", false, "the envelope is a grant")
	ssh := fs.Bool("ssh", false, "verify an SSH signature (SSHSIG)")
	allowed := fs.String("allowed-signers", "", "with -ssh: allowed_signers file")
	principal := fs.String("I", "", "with -ssh: the signer's principal")
	ns := fs.String("n", attest.SSHNamespace, "with -ssh: namespace the signature must be made in")
	sigPath := fs.String("sig", "", "with -ssh: signature file")
	var at timeFlag
	fs.Var(&at, "at", "time to verify at (required: there is no hidden clock)")
	if err := parse(fs, args, out, syn); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usage("verify: give exactly one file to verify (usage: %s)", syn)
	}
	if *ssh {
		return verifySSH(*allowed, *principal, *ns, *sigPath, fs.Arg(0), at.t, out)
	}
	if at.t.IsZero() {
		return usage("verify: -at TIME is required")
	}
	cfg, err := setup.load("verify", at.t)
	if err != nil {
		return err
	}
	if _, err := cfg.applyRevocations(nil, at.t); err != nil {
		return err
	}
	data, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		return usage("verify: %v", err)
	}
	if *grant {
		g, err := policy.VerifyGrant(cfg.trust, data, at.t)
		if err != nil {
			if g != nil { // outside its window: what it said, then the refusal
				if werr := writeJSON(out, g); werr != nil {
					return werr
				}
			}
			return refused("verify: grant refused: %v", err)
		}
		return writeJSON(out, g)
	}
	types := make([]string, 0, len(predicateNames))
	for _, t := range predicateNames {
		types = append(types, t)
	}
	v, err := cfg.trust.Verify(data, attest.VerifyOptions{Time: at.t, PredicateTypes: types})
	if err != nil {
		return refused("verify: refused: %v", err)
	}
	fmt.Fprintf(out, "verified %s\nsigned by %v\n", v.Digest, v.Signers)
	_, err = out.Write(append(v.Payload, '\n'))
	return err
}

func verifySSH(allowedPath, principal, ns, sigPath, file string, at time.Time, out io.Writer) error {
	if allowedPath == "" || principal == "" || ns == "" || sigPath == "" {
		return usage("verify -ssh: -allowed-signers, -I, -n and -sig are required")
	}
	if at.IsZero() {
		return usage("verify -ssh: -at TIME is required (allowed_signers validity is judged at it)")
	}
	list, err := os.ReadFile(allowedPath)
	if err != nil {
		return usage("verify -ssh: %v", err)
	}
	signers, err := attest.ParseAllowedSigners(list)
	if errors.Is(err, attest.ErrWeakKey) {
		// Not a typing mistake: a key under which anyone can forge.
		return refused("verify -ssh: refused: %v", err)
	}
	if err != nil {
		return usage("verify -ssh: %v", err)
	}
	sig, err := os.ReadFile(sigPath)
	if err != nil {
		return usage("verify -ssh: %v", err)
	}
	msg, err := os.ReadFile(file)
	if err != nil {
		return usage("verify -ssh: %v", err)
	}
	s, err := signers.VerifySSH(sig, msg, principal, ns, at)
	if err != nil {
		return refused("verify -ssh: refused: %v", err)
	}
	fmt.Fprintf(out, "Good %q signature for %s with key %s\n", ns, principal, s.KeyID())
	return nil
}

package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/peerproduction/ppl/attest"
	"github.com/peerproduction/ppl/contribution/payout"
	"github.com/peerproduction/ppl/policy"
)

func cmdVerify(args []string, out io.Writer) error {
	const syn = "ppl verify (-manifests DIR [-commons ID] | -trust FILE) -at TIME [-grant] ENVELOPE|DIR... | -ssh -allowed-signers FILE -I ID [-n NS] -sig SIG -at TIME FILE"
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
	if fs.NArg() == 0 {
		return usage("verify: give the files (or directories) to verify (usage: %s)", syn)
	}
	if *ssh {
		if fs.NArg() != 1 {
			return usage("verify -ssh: give one signed file")
		}
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
	files, err := readEvidence(fs.Args())
	if err != nil {
		return usage("verify: %v", err)
	}
	if len(files) == 1 {
		// One file: what it says, for reading or piping on.
		doc, summary, err := verifyOne(cfg, files[0].data, at.t, *grant)
		if doc != nil {
			if werr := writeJSON(out, doc); werr != nil {
				return werr
			}
		}
		if err != nil {
			return refused("verify: %s refused: %v", files[0].name, err)
		}
		if doc == nil {
			fmt.Fprint(out, summary)
		}
		return nil
	}
	// Several: a line each, and exit 1 if any is refused.
	refusedN := 0
	for _, f := range files {
		_, summary, err := verifyOne(cfg, f.data, at.t, *grant)
		if err != nil {
			refusedN++
			fmt.Fprintf(out, "refused %s: %v\n", f.name, err)
			continue
		}
		first, _, _ := strings.Cut(summary, "\n")
		fmt.Fprintf(out, "ok %s: %s\n", f.name, strings.TrimPrefix(first, "verified "))
	}
	if refusedN > 0 {
		return refused("verify: %d of %d refused", refusedN, len(files))
	}
	return nil
}

// verifyOne verifies an envelope as what it carries: a grant or a payout
// statement is decoded and checked as one (a payout's shares must add up),
// anything else as a statement of a predicate ppl knows. doc is the grant
// or allocation (also when refused only for being outside its window);
// summary is the text for any other statement.
func verifyOne(cfg *config, data []byte, at time.Time, grantOnly bool) (doc any, summary string, err error) {
	kind := ""
	if env, perr := attest.ParseEnvelope(data); perr == nil {
		if st, perr := attest.ParseStatement(env.Payload); perr == nil {
			kind = st.PredicateType
		}
	}
	switch {
	case grantOnly || kind == policy.GrantPredicateType:
		g, err := policy.VerifyGrant(cfg.trust, data, at)
		if g != nil {
			doc = g
		}
		return doc, "", err
	case kind == payout.PredicateType:
		// Its shares must add up to the payment; then it reads as any
		// statement does.
		if _, err := payout.Verify(cfg.trust, data, at); err != nil {
			return nil, "", err
		}
	}
	types := make([]string, 0, len(predicateNames))
	for _, t := range predicateNames {
		types = append(types, t)
	}
	v, err := cfg.trust.Verify(data, attest.VerifyOptions{Time: at, PredicateTypes: types})
	if err != nil {
		return nil, "", err
	}
	return nil, fmt.Sprintf("verified %s\nsigned by %v\n%s\n", v.Digest, v.Signers, v.Payload), nil
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

// Command quickstart shows the library's main job on built-in sample data:
// a commons under the Peer Production License with reciprocity, which
// recognises one peer commons, decides for three entities whether they use
// it free or pay, and explains why.
//
//	go run ./examples/quickstart
//
// Everything is deterministic: the keys come from fixed SAMPLE seeds, the
// evaluation time is fixed, and Ed25519 signatures are deterministic, so
// the output is the same on every machine.
package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/peerproduction/ppl/attest"
	"github.com/peerproduction/ppl/contribution"
	"github.com/peerproduction/ppl/license"
	"github.com/peerproduction/ppl/policy"
)

// evaluatedAt is the fixed time the sample is decided at.
var evaluatedAt = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

func run(w io.Writer) error {
	s, err := newSample(evaluatedAt)
	if err != nil {
		return err
	}
	terms, err := license.Builtin("ppl-reciprocity")
	if err != nil {
		return err
	}
	eval, err := policy.Compile(policy.Config{Terms: terms, Commons: s.commons, Peers: s.peers, Trust: s.trust})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "Commons %q under %s %s\n", s.commons.Name, terms.Name, terms.Version)
	fmt.Fprintf(w, "  recognises %q at weight 0.5; decided at %s\n", s.peers[0].Name, evaluatedAt.Format(time.RFC3339))
	fmt.Fprintf(w, "  stewards and registrar use SAMPLE keys derived from fixed seeds — never use them for real\n\n")

	for _, c := range s.cases {
		d, err := eval.Evaluate(&policy.Request{Entity: contribution.Entity{ID: c.entity}, Use: c.use, At: evaluatedAt, Evidence: c.evidence})
		if err != nil {
			return fmt.Errorf("%s: %w", c.title, err)
		}
		fmt.Fprintf(w, "── %s\n", c.title)
		fmt.Fprint(w, d.Explain())
		fmt.Fprintf(w, "  evidence: %d statements verified and counted, %d ignored\n\n", len(d.Counted()), len(d.Ignored()))
	}
	fmt.Fprintf(w, "Verify a statement yourself: every key id above is what `ssh-keygen -l` prints for the key.\n")
	fmt.Fprintf(w, "Trust anchors: steward %s, registrar %s\n", attest.KeyID(s.keys["steward-alpha"].Public().(pub)), attest.KeyID(s.keys["registrar"].Public().(pub)))
	return nil
}

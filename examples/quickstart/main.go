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
	"github.com/peerproduction/ppl/policy"
	"github.com/peerproduction/ppl/policy/manifest"
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
	// A marketplace holds each commons' signed manifests, verifies them,
	// and derives everything it needs from them: nothing listed twice.
	var chains []*manifest.Chain
	for _, m := range s.manifests {
		c, err := manifest.Load([][]byte{m}, "", evaluatedAt)
		if err != nil {
			return err
		}
		chains = append(chains, c)
	}
	configs, err := manifest.Derive(evaluatedAt, chains...)
	if err != nil {
		return err
	}
	var alpha *manifest.Config
	for _, c := range configs {
		if c.Commons.ID == "alpha" {
			alpha = c
		}
	}
	if alpha == nil {
		return fmt.Errorf("no configuration for alpha among %d derived", len(configs))
	}
	eval, err := alpha.Evaluator()
	if err != nil {
		return err
	}
	terms := alpha.Policy.Terms
	fmt.Fprintf(w, "Commons %q under %s %s, from its signed manifest\n", alpha.Commons.Name, terms.Name, terms.Version)
	for _, ref := range alpha.Manifests {
		fmt.Fprintf(w, "  manifest %s version %d %s\n", ref.Commons, ref.Version, ref.Digest)
	}
	fmt.Fprintf(w, "  recognises %q at weight 0.5; decided at %s\n", alpha.Peers[0].Name, evaluatedAt.Format(time.RFC3339))
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

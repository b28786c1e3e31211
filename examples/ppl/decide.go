package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/peerproduction/ppl/contribution"
	"github.com/peerproduction/ppl/policy"
)

// cmdDecide decides a request; with grant set it also signs the decision.
func cmdDecide(args []string, out io.Writer, grant bool) error {
	name := "decide"
	syn := "ppl decide (-manifests DIR [-commons ID] | -trust FILE [-terms ID|FILE]) -entity ID -at TIME [-commercial] [-purpose P] [-seats N] [-first-use TIME] [-json] EVIDENCE|DIR..."
	if grant {
		name = "grant"
		syn = "ppl grant -key FILE -payment REF [-until TIME] " + strings.TrimPrefix(syn, "ppl decide ")
	}
	fs := newFlags(name, syn)
	setup := addSetupFlags(fs)
	termsRef := fs.String("terms", "ppl-reciprocity", "with -trust: built-in terms id or terms file (a manifest names its own)")
	entity := fs.String("entity", "", "the entity asking")
	commercial := fs.Bool("commercial", false, "the use is commercial")
	purpose := fs.String("purpose", "", "purpose of the use, e.g. production, prototype, personal")
	seats := fs.Int64("seats", 1, "seats, for per-seat prices")
	asJSON := fs.Bool("json", false, "print the decision as JSON")
	var at, firstUse, until timeFlag
	fs.Var(&at, "at", "time to decide at (required: there is no hidden clock)")
	fs.Var(&firstUse, "first-use", "when the entity first used the commons (trials)")
	var keyPath, payment, outPath *string
	var force *bool
	if grant {
		outPath = fs.String("o", "", "write the grant here instead of stdout")
		force = fs.Bool("f", false, "overwrite the -o file if it exists")
		keyPath = fs.String("key", "", "the marketplace's private key that signs the grant")
		payment = fs.String("payment", "", "payment reference (required for a pay decision)")
		fs.Var(&until, "until", "grant ends at this time at the latest")
	}
	if err := parse(fs, args, out, syn); err != nil {
		return err
	}
	if *entity == "" || at.t.IsZero() {
		return usage("%s: -entity and -at are required (usage: %s)", name, syn)
	}
	if err := checkIDs(name, "-entity", *entity); err != nil {
		return err
	}
	if grant {
		if err := refuseOverwrite(*outPath, *force); err != nil {
			return err
		}
	}
	cfg, err := setup.load(name, at.t)
	if err != nil {
		return err
	}
	pc := policy.Config{Commons: cfg.commons, Peers: cfg.peers, Trust: cfg.trust, AcceptSelfDeclared: cfg.selfOK}
	if cfg.policy != nil {
		if set(fs, "terms") {
			return usage("%s: -terms goes with -trust: the manifest names the commons' terms", name)
		}
		pc = *cfg.policy
	} else if pc.Terms, err = loadTerms(*termsRef); err != nil {
		return usage("%s: -terms: %v", name, err)
	}
	eval, err := policy.Compile(pc)
	if err != nil {
		return usage("%s: %v", name, err)
	}
	evidence, err := readEvidence(fs.Args())
	if err != nil {
		return usage("%s: %v", name, err)
	}
	if evidence, err = cfg.applyRevocations(evidence, at.t); err != nil {
		return err
	}
	d, err := eval.Evaluate(&policy.Request{Entity: contribution.Entity{ID: *entity},
		Use: policy.Use{Commercial: *commercial, Purpose: *purpose, Seats: *seats, FirstUse: firstUse.t}, At: at.t, Evidence: envelopes(evidence)})
	if err != nil {
		return usage("%s: %v", name, err)
	}
	if grant {
		if *keyPath == "" {
			return usage("grant: -key FILE is required")
		}
		key, err := loadPrivateKey(*keyPath)
		if err != nil {
			return usage("grant: -key: %v", err)
		}
		env, err := policy.SignGrant(d, key, *payment, until.t)
		if err != nil {
			return refused("grant: %v", err)
		}
		return writeEnvelopeTo(env, *outPath, *force, out)
	}
	if *asJSON {
		var b []byte
		if b, err = d.MarshalJSON(); err != nil {
			return err
		}
		_, err = out.Write(append(b, '\n'))
	} else {
		_, err = fmt.Fprint(out, d.Explain())
	}
	if err == nil && d.Outcome() == policy.Deny {
		return refused("decide: use denied by clause %q", d.Clause())
	}
	return err
}

// readEvidence reads envelope files; a directory contributes its *.json
// files in name order, and "-" an envelope from standard input.
func readEvidence(paths []string) ([]evidenceFile, error) {
	var files []string
	var stdin []evidenceFile
	for _, p := range paths {
		if p == "-" {
			b, err := io.ReadAll(io.LimitReader(os.Stdin, 64<<20))
			if err != nil {
				return nil, err
			}
			stdin = append(stdin, evidenceFile{"stdin", b})
			continue
		}
		st, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !st.IsDir() {
			files = append(files, p)
			continue
		}
		matches, err := filepath.Glob(filepath.Join(p, "*.json"))
		if err != nil {
			return nil, err
		}
		sort.Strings(matches)
		files = append(files, matches...)
	}
	var out []evidenceFile
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		out = append(out, evidenceFile{f, b})
	}
	out = append(out, stdin...)
	return out, nil
}

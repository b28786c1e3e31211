package main

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/peerproduction/ppl/attest"
	"github.com/peerproduction/ppl/contribution"
	"github.com/peerproduction/ppl/contribution/payout"
	"github.com/peerproduction/ppl/license"
	"github.com/peerproduction/ppl/policy"
	"github.com/peerproduction/ppl/policy/manifest"
)

// trustFile is the JSON a steward, registrar or marketplace writes to say
// which commons it decides for and whose statements count (ppl help trust).
type trustFile struct {
	Commons            commonsJSON   `json:"commons"`
	Peers              []commonsJSON `json:"peers,omitempty"`
	Rules              []ruleJSON    `json:"rules"`
	Revocations        []string      `json:"revocations,omitempty"`
	AcceptSelfDeclared bool          `json:"acceptSelfDeclared,omitempty"`
}

type commonsJSON struct {
	ID         string            `json:"id"`
	Name       string            `json:"name,omitempty"`
	Stewards   []string          `json:"stewards,omitempty"`
	Recognises []recognitionJSON `json:"recognises,omitempty"`
}

type recognitionJSON struct {
	Commons string        `json:"commons"`
	Weight  license.Milli `json:"weight"`
}

type ruleJSON struct {
	Key        string   `json:"key"`
	Predicates []string `json:"predicates"`
	Subjects   []string `json:"subjects"`
	From       string   `json:"from,omitempty"`
	Until      string   `json:"until,omitempty"`
}

var predicateNames = map[string]string{
	"contribution": contribution.ContributionPredicateType,
	"membership":   contribution.MembershipPredicateType,
	"entity":       contribution.EntityPredicateType,
	"revocation":   attest.RevocationPredicateType,
	"grant":        policy.GrantPredicateType,
	"payout":       payout.PredicateType,
}

// config is a loaded trust file.
type config struct {
	trust   *attest.Trust
	commons contribution.Commons
	peers   []contribution.Commons
	selfOK  bool
	// policy and plan, from manifests: the evaluator's whole configuration
	// (terms and the manifests decided with included) and the payout plan.
	policy *policy.Config
	plan   *payout.Plan
	// revocations are the revocation envelope files the trust file lists,
	// applied by applyRevocations at the time a command works at.
	revocations []string
}

func loadConfig(path string) (*config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var tf trustFile
	if err := decodeStrict(data, &tf); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	dir := filepath.Dir(path)
	keyRef := func(ref string) (ed25519.PublicKey, error) {
		if !strings.HasPrefix(ref, "ssh-") && !filepath.IsAbs(ref) {
			ref = filepath.Join(dir, ref)
		}
		return loadPublicKey(ref)
	}
	commons := func(c commonsJSON, ptr string) (contribution.Commons, error) {
		out := contribution.Commons{ID: c.ID, Name: c.Name}
		if c.ID == "" {
			return out, fmt.Errorf("%s: %s/id is required", path, ptr)
		}
		if err := attest.CheckID(c.ID); err != nil {
			return out, fmt.Errorf("%s: %s/id: %w", path, ptr, err)
		}
		for i, s := range c.Stewards {
			id := s
			if !strings.HasPrefix(s, "SHA256:") {
				pub, err := keyRef(s)
				if err != nil {
					return out, fmt.Errorf("%s: %s/stewards/%d: %v", path, ptr, i, err)
				}
				id = attest.KeyID(pub)
			}
			out.Stewards = append(out.Stewards, id)
		}
		for i, r := range c.Recognises {
			if err := attest.CheckID(r.Commons); err != nil {
				return out, fmt.Errorf("%s: %s/recognises/%d/commons: %w", path, ptr, i, err)
			}
			out.Recognises = append(out.Recognises, contribution.Recognition{Commons: r.Commons, Weight: int64(r.Weight)})
		}
		return out, nil
	}
	cfg := &config{selfOK: tf.AcceptSelfDeclared}
	if cfg.commons, err = commons(tf.Commons, "/commons"); err != nil {
		return nil, err
	}
	for i, p := range tf.Peers {
		pc, err := commons(p, fmt.Sprintf("/peers/%d", i))
		if err != nil {
			return nil, err
		}
		cfg.peers = append(cfg.peers, pc)
	}
	var rules []attest.Rule
	for i, r := range tf.Rules {
		ptr := fmt.Sprintf("%s: /rules/%d", path, i)
		pub, err := keyRef(r.Key)
		if err != nil {
			return nil, fmt.Errorf("%s/key: %v", ptr, err)
		}
		rule := attest.Rule{Key: pub, Subjects: r.Subjects}
		for _, p := range r.Predicates {
			if full, ok := predicateNames[p]; ok {
				p = full
			}
			rule.PredicateTypes = append(rule.PredicateTypes, p)
		}
		if r.From != "" {
			if rule.From, err = parseTime(r.From); err != nil {
				return nil, fmt.Errorf("%s/from: %v", ptr, err)
			}
		}
		if r.Until != "" {
			if rule.Until, err = parseTime(r.Until); err != nil {
				return nil, fmt.Errorf("%s/until: %v", ptr, err)
			}
		}
		rules = append(rules, rule)
	}
	if cfg.trust, err = attest.NewTrust(rules...); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	for _, r := range tf.Revocations {
		if !filepath.IsAbs(r) {
			r = filepath.Join(dir, r)
		}
		cfg.revocations = append(cfg.revocations, r)
	}
	return cfg, nil
}

// writeJSON writes v indented, for people.
func writeJSON(out interface{ Write([]byte) (int, error) }, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	_, err = out.Write(append(b, '\n'))
	return err
}

// decodeStrict decodes one JSON value, refusing unknown fields and
// trailing data.
func decodeStrict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return fmt.Errorf("trailing data after the JSON value")
	}
	return nil
}

// setupFlags are the two ways a command is told whose statements count: a
// directory of signed commons manifests (the way forward), or a trust
// file (read for one more release; 'ppl commons import-trust' converts it).
type setupFlags struct {
	trust, manifests, commons *string
}

func addSetupFlags(fs *flag.FlagSet) setupFlags {
	return setupFlags{
		trust:     fs.String("trust", "", "trust file (deprecated: use -manifests; ppl commons import-trust converts it)"),
		manifests: fs.String("manifests", "", "directory of signed commons manifests (every version of each commons, as ppl commons sign writes them)"),
		commons:   fs.String("commons", "", "with -manifests: the commons to decide for (needed when the directory holds several)"),
	}
}

// load reads the setup the flags name, judging manifests' expiry at at.
func (s setupFlags) load(cmd string, at time.Time) (*config, error) {
	switch {
	case *s.trust != "" && *s.manifests != "":
		return nil, usage("%s: give -trust or -manifests, not both", cmd)
	case *s.manifests != "":
		cfg, err := loadManifests(*s.manifests, *s.commons, at)
		if err != nil {
			return nil, usage("%s: -manifests: %v", cmd, err)
		}
		return cfg, nil
	case *s.trust != "":
		if *s.commons != "" {
			return nil, usage("%s: -commons goes with -manifests; a trust file names its commons", cmd)
		}
		cfg, err := loadConfig(*s.trust)
		if err != nil {
			return nil, usage("%s: -trust: %v", cmd, err)
		}
		return cfg, nil
	}
	return nil, usage("%s: -manifests DIR (or the older -trust FILE) is required", cmd)
}

// loadManifests verifies the manifests in dir — each commons' versions
// from the first, every commons' chain in force at at — and derives the
// configuration of the commons named (or of the only one). Version 1 of
// each chain is trusted on first use; pin it by its digest in a program
// that must not.
func loadManifests(dir, commonsID string, at time.Time) (*config, error) {
	if at.IsZero() {
		return nil, errors.New("-at TIME is required to judge the manifests' expiry")
	}
	files, err := filepath.Glob(filepath.Join(dir, "*"))
	if err != nil {
		return nil, err
	}
	envs := map[string][]byte{}
	for _, f := range files {
		if st, err := os.Stat(f); err != nil || st.IsDir() {
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		envs[f] = data
	}
	chains, err := manifest.LoadAll(envs, at)
	if err != nil {
		return nil, err
	}
	if len(chains) == 0 {
		return nil, fmt.Errorf("%s holds no manifests", dir)
	}
	ids := make([]string, len(chains))
	for i, c := range chains {
		ids[i] = c.ID()
	}
	if commonsID == "" {
		if len(ids) > 1 {
			return nil, fmt.Errorf("it holds manifests of %s: say which with -commons", strings.Join(ids, ", "))
		}
		commonsID = ids[0]
	}
	configs, err := manifest.Derive(at, chains...)
	for _, c := range configs {
		if c.Commons.ID == commonsID {
			// Another commons failing to derive (expired, missing a peer)
			// does not stop this one, whose own peers are all in force.
			return &config{trust: c.Trust, commons: c.Commons, peers: c.Peers, selfOK: c.Policy.AcceptSelfDeclared,
				policy: &c.Policy, plan: c.Plan}, nil
		}
	}
	if err != nil {
		return nil, err
	}
	return nil, fmt.Errorf("no manifest of commons %q in it (it holds %s)", commonsID, strings.Join(ids, ", "))
}

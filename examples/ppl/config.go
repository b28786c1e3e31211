package main

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/peerproduction/ppl/attest"
	"github.com/peerproduction/ppl/contribution"
	"github.com/peerproduction/ppl/license"
	"github.com/peerproduction/ppl/policy"
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
}

// config is a loaded trust file.
type config struct {
	trust   *attest.Trust
	commons contribution.Commons
	peers   []contribution.Commons
	selfOK  bool
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

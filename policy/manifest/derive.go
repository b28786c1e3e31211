package manifest

import (
	"errors"
	"fmt"
	"time"

	"github.com/peerproduction/ppl/attest"
	"github.com/peerproduction/ppl/contribution"
	"github.com/peerproduction/ppl/contribution/payout"
	"github.com/peerproduction/ppl/policy"
)

// Ref names the manifest a configuration was derived from: commons id,
// version and digest. It is policy's type, so decisions name them too.
type Ref = policy.ManifestRef

// Config is what one commons' manifests give a program: everything it
// needs, each fact stated once.
type Config struct {
	// Commons is the commons with its stewards and the commons it
	// recognises. Stewards are every key that has held the role in the
	// chain; the Trust bounds each to the time it held it.
	Commons contribution.Commons
	// Peers are the recognised commons, each exactly as its own Config
	// gives it (stewards from its own manifests, never from this one).
	Peers []contribution.Commons
	// Trust holds a rule per key and role of this commons, and the
	// stewards of each recognised commons scoped to that commons alone.
	Trust *attest.Trust
	// Policy is the configuration of an Evaluator: Terms, Commons, Peers,
	// Trust, AcceptSelfDeclared and Manifests are set; Index is the
	// caller's.
	Policy policy.Config
	// Plan is the payout plan, or nil when the manifest has none.
	Plan *payout.Plan
	// Manifests are the manifests it was derived from: this commons'
	// first, then each recognised commons' in the order recognised.
	Manifests []Ref
}

// Evaluator compiles the configuration's policy.
func (c *Config) Evaluator() (*policy.Evaluator, error) { return policy.Compile(c.Policy) }

// Register adds the commons and its peers to a ledger, so that the ledger
// checks contributions against the same stewards the evaluator does.
// Registering the Configs of several commons in one ledger gives each
// commons once: a commons registered as a peer is the same record as the
// one its own Config registers.
func (c *Config) Register(l *contribution.Ledger) error {
	for _, cm := range append([]contribution.Commons{c.Commons}, c.Peers...) {
		if err := l.AddCommons(cm); err != nil {
			return err
		}
	}
	return nil
}

// Predicate types each role is trusted for.
var (
	registrarPredicates = []string{contribution.EntityPredicateType, contribution.MembershipPredicateType,
		policy.FactPredicateType, policy.ControlPredicateType}
	stewardPredicates = []string{contribution.ContributionPredicateType}
	grantPredicates   = []string{policy.GrantPredicateType}
	revokerPredicates = []string{attest.RevocationPredicateType}
	payoutPredicates  = []string{payout.PredicateType}
)

// Derive gives, for each chain, the configuration of its commons at time
// at. Recognition is resolved among the chains given: a commons recognised
// must be among them, at the version or through the digest the recogniser
// names, and in force at at. Only what a manifest itself says is used:
// recognition is not transitive (what a recognised commons recognises is
// not counted), weights are as stated, and a ring of commons recognising
// each other is resolved one step from each, never followed.
//
// The result has a Config for every chain whose own manifest and every
// recognition hold, in the order given; err joins an *Error for each that
// does not (expired, not yet issued, recognising a commons not held), whose
// Config is left out rather than built without its peers.
func Derive(at time.Time, chains ...*Chain) ([]*Config, error) {
	byID := make(map[string]*node, len(chains))
	order := make([]*node, 0, len(chains))
	var errs []error
	for _, c := range chains {
		if c == nil || len(c.versions) == 0 {
			return nil, &Error{Err: ErrMalformed, Detail: "an empty chain was given"}
		}
		id := c.ID()
		if byID[id] != nil {
			return nil, &Error{Err: ErrDuplicate, Commons: id, Detail: "two chains are given for it: choose one"}
		}
		n := &node{chain: c}
		n.current, n.err = c.Current(at)
		byID[id] = n
		order = append(order, n)
	}
	out := make([]*Config, 0, len(order))
	for _, n := range order {
		if n.err != nil {
			errs = append(errs, n.err)
			continue
		}
		cfg, err := n.config(byID)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, cfg)
	}
	return out, errors.Join(errs...)
}

// node is one chain during Derive, with what is computed once for it
// whether it is configured or recognised.
type node struct {
	chain   *Chain
	current Version
	err     error
	// record and stewards are built on first use.
	record   *contribution.Commons
	stewards []window
}

func (n *node) ref() Ref {
	return Ref{Commons: n.current.Manifest.ID, Version: n.current.Manifest.Version, Digest: n.current.Digest}
}

// commons is the record of the commons, the same whether it is configured
// or recognised.
func (n *node) commons() contribution.Commons {
	if n.record == nil {
		m := n.current.Manifest
		n.stewards = windows(n.chain, func(m *Manifest) []Key { return m.Roles.Stewards })
		c := contribution.Commons{ID: m.ID, Name: m.Name, Recognises: m.recognitions()}
		for _, w := range n.stewards {
			c.Stewards = append(c.Stewards, attest.KeyID(w.key))
		}
		n.record = &c
	}
	return *n.record
}

func (n *node) config(byID map[string]*node) (*Config, error) {
	m := n.current.Manifest
	cfg := &Config{Commons: n.commons(), Manifests: []Ref{n.ref()}}
	var rules []attest.Rule
	add := func(ws []window, preds []string, subjects ...string) {
		for _, w := range ws {
			for _, s := range w.spans {
				rules = append(rules, attest.Rule{Key: w.key, PredicateTypes: preds, Subjects: subjects, From: s.From, Until: s.Until})
			}
		}
	}
	role := func(f func(*Manifest) []Key) []window { return windows(n.chain, f) }
	add(n.stewards, stewardPredicates, "commons:"+m.ID)
	add(role(func(m *Manifest) []Key { return m.Roles.Registrars }), registrarPredicates, "entity:*")
	add(role(func(m *Manifest) []Key { return m.Roles.GrantSigners }), grantPredicates, "commons:"+m.ID, "entity:*")
	add(role(func(m *Manifest) []Key { return m.Roles.Revokers }), revokerPredicates, "key:*", "statement:*")
	add(role(func(m *Manifest) []Key {
		if m.Payout == nil {
			return nil
		}
		return m.Payout.Signers
	}), payoutPredicates, "commons:"+m.ID)

	for i, r := range m.Recognises {
		p := byID[r.Commons]
		fail := func(format string, args ...any) (*Config, error) {
			e := &Error{Err: ErrRecognition, Commons: m.ID, Version: m.Version, Digest: n.current.Digest,
				Pointer: fmt.Sprintf("/recognises/%d", i), Detail: fmt.Sprintf(format, args...)}
			if p != nil && p.err != nil {
				e.Cause = p.err
			}
			return nil, e
		}
		switch {
		case p == nil:
			return fail("no manifest of %q is held", r.Commons)
		case p.err != nil:
			return fail("the manifest of %q held is not in force: %v", r.Commons, p.err)
		case r.Manifest != "" && !p.chain.Has(r.Manifest):
			return fail("the chain of %q held does not pass through %s", r.Commons, r.Manifest)
		case r.Version > p.current.Manifest.Version:
			return fail("version %d of %q is named, %d is held", r.Version, r.Commons, p.current.Manifest.Version)
		}
		peer := p.commons()
		cfg.Peers = append(cfg.Peers, peer)
		cfg.Manifests = append(cfg.Manifests, p.ref())
		// The recognised commons' own stewards, for contributions to it
		// alone; its revokers may withdraw those keys here, nothing else.
		add(p.stewards, stewardPredicates, "commons:"+r.Commons)
		var keys []string
		for _, id := range peer.Stewards {
			keys = append(keys, "key:"+id)
		}
		if len(keys) > 0 {
			add(windows(p.chain, func(m *Manifest) []Key { return m.Roles.Revokers }), revokerPredicates, keys...)
		}
	}
	trust, err := attest.NewTrust(rules...)
	if err != nil {
		return nil, &Error{Err: ErrKey, Commons: m.ID, Version: m.Version, Digest: n.current.Digest, Detail: err.Error(), Cause: err}
	}
	cfg.Trust = trust
	cfg.Policy = policy.Config{Terms: m.Terms.Terms, Commons: cfg.Commons, Trust: trust, Peers: cfg.Peers,
		AcceptSelfDeclared: m.AcceptSelfDeclared, Manifests: cfg.Manifests}
	if m.Payout != nil {
		cfg.Plan = m.Payout.plan(cfg.Commons)
	}
	return cfg, nil
}

func (p *Payout) plan(c contribution.Commons) *payout.Plan {
	pl := &payout.Plan{Commons: c, Currency: p.Currency, Association: p.Association, AssociationBP: p.AssociationBP,
		Window: time.Duration(p.WindowDays) * 24 * time.Hour, HalfLife: time.Duration(p.HalfLifeDays) * 24 * time.Hour,
		IncludeRecognised: p.IncludeRecognised, MinimumPayout: p.MinimumPayout}
	if len(p.KindWeights) > 0 {
		pl.KindWeights = make(map[string]int64, len(p.KindWeights))
		for k, w := range p.KindWeights {
			pl.KindWeights[k] = int64(w)
		}
	}
	for _, k := range p.Signers {
		pl.Signers = append(pl.Signers, k.ID())
	}
	return pl
}

// window is a key with the stretches of time it held a role.
type window struct {
	key   []byte
	spans []attest.Span
}

// windows gives each key that held the role in some version of the chain
// the time it held it: in version k, from its own From and (for k > 1)
// version k's issue time, until its own Until and version k+1's issue time
// (open for the latest). The first version held, 1 or a pinned one, is
// open towards the past: nothing older is known. So a key a later version drops keeps the
// statements first seen while it held the role and gains none first seen
// after, which is what attest judges a rule's window at. Keys come in the
// order they first appear; each key's spans are merged and sorted.
func windows(c *Chain, role func(*Manifest) []Key) []window {
	var out []window
	index := map[string]int{}
	for k, v := range c.versions {
		var start, end time.Time
		if k > 0 {
			start = v.Manifest.IssuedAt
		}
		if k+1 < len(c.versions) {
			end = c.versions[k+1].Manifest.IssuedAt
		}
		for _, key := range role(v.Manifest) {
			s, ok := intersect(attest.Span{From: start, Until: end}, attest.Span{From: key.From, Until: key.Until})
			if !ok {
				continue
			}
			id := key.ID()
			i, seen := index[id]
			if !seen {
				i = len(out)
				index[id] = i
				out = append(out, window{key: key.Public})
			}
			out[i].spans = merge(out[i].spans, s)
		}
	}
	return out
}

// intersect is Span.Intersect, saying whether anything is left.
func intersect(a, b attest.Span) (attest.Span, bool) {
	s := a.Intersect(b)
	return s, s.From.IsZero() || s.Until.IsZero() || s.Until.After(s.From)
}

// merge adds s to spans, which are disjoint and in time order, joining
// those that touch or overlap. Versions come in time order, so s starts at
// or after every span but possibly inside the last.
func merge(spans []attest.Span, s attest.Span) []attest.Span {
	if len(spans) == 0 {
		return append(spans, s)
	}
	last := &spans[len(spans)-1]
	if last.Until.IsZero() || !s.From.After(last.Until) {
		if last.Until.IsZero() || s.Until.IsZero() {
			last.Until = time.Time{}
		} else if s.Until.After(last.Until) {
			last.Until = s.Until
		}
		if s.From.Before(last.From) && !s.From.IsZero() || s.From.IsZero() {
			last.From = s.From
		}
		return spans
	}
	return append(spans, s)
}

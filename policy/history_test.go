package policy

import (
	"bytes"
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/peerproduction/ppl/attest"
	"github.com/peerproduction/ppl/contribution"
)

// TestDecodeCacheSignatures: a membership counts only in an envelope the
// member co-signed, and a contribution only with a steward among its
// signers, whatever envelopes of the same statement the evaluator saw
// before. The decoding cache once answered by statement digest, so the
// entity-only envelope of a membership counted after the co-signed one had
// been seen (and the co-signed one was refused after the entity-only one).
func TestDecodeCacheSignatures(t *testing.T) {
	w := newWorld(t)
	st, err := contribution.NewMembershipStatement(contribution.Membership{Entity: "acme", Role: "developer", From: at.AddDate(-1, 0, 0)}, pub("alice"))
	if err != nil {
		t.Fatal(err)
	}
	both := envelope(t, st, "entity-acme", "alice")
	entityOnly := envelope(t, st, "entity-acme")
	work := contributed(t, "steward-alpha", "alpha", "alice", "code", 120, 2)
	req := func(membership []byte) *Request {
		return &Request{Entity: contribution.Entity{ID: "acme"}, Use: Use{Commercial: true}, At: at, Evidence: [][]byte{membership, work}}
	}
	for _, order := range [][][]byte{{both, entityOnly}, {entityOnly, both}} {
		warmed := w.evaluator(t, "ppl-reciprocity")
		for _, m := range order {
			got, err := warmed.Evaluate(req(m))
			if err != nil {
				t.Fatal(err)
			}
			want, err := w.evaluator(t, "ppl-reciprocity").Evaluate(req(m))
			if err != nil {
				t.Fatal(err)
			}
			gj, _ := got.MarshalJSON()
			wj, _ := want.MarshalJSON()
			if !bytes.Equal(gj, wj) {
				t.Fatalf("co-signed=%v after another envelope of the same statement: decided differently from a fresh evaluator\nwarmed: %s\nfresh:  %s",
					bytes.Equal(m, both), got.Explain(), want.Explain())
			}
		}
	}

	// A contribution statement signed by a key the Trust scopes for
	// commons:alpha that is not one of alpha's stewards, then by a steward.
	tr, err := attest.NewTrust(
		attest.Rule{Key: pub("steward-alpha"), PredicateTypes: []string{contribution.ContributionPredicateType}, Subjects: []string{"commons:alpha"}},
		attest.Rule{Key: pub("scoped"), PredicateTypes: []string{contribution.ContributionPredicateType}, Subjects: []string{"commons:alpha"}},
		attest.Rule{Key: pub("entity-acme"), PredicateTypes: []string{contribution.MembershipPredicateType}, Subjects: []string{"entity:acme"}},
	)
	if err != nil {
		t.Fatal(err)
	}
	w.trust = tr
	cst, err := contribution.NewContributionStatement(contribution.Contribution{Commons: "alpha", Contributor: id("alice"), Entity: "acme",
		Kind: "code", Quantity: 120_000, Unit: "points", At: at.AddDate(0, 0, -2)})
	if err != nil {
		t.Fatal(err)
	}
	bySteward, byOther := envelope(t, cst, "steward-alpha"), envelope(t, cst, "scoped")
	for _, order := range [][][]byte{{bySteward, byOther}, {byOther, bySteward}} {
		warmed := w.evaluator(t, "ppl-reciprocity")
		for _, c := range order {
			r := &Request{Entity: contribution.Entity{ID: "acme"}, Use: Use{Commercial: true}, At: at, Evidence: [][]byte{both, c}}
			got, err := warmed.Evaluate(r)
			if err != nil {
				t.Fatal(err)
			}
			want, err := w.evaluator(t, "ppl-reciprocity").Evaluate(r)
			if err != nil {
				t.Fatal(err)
			}
			gj, _ := got.MarshalJSON()
			wj, _ := want.MarshalJSON()
			if !bytes.Equal(gj, wj) {
				t.Fatalf("steward-signed=%v after another envelope of the same contribution: decided differently\nwarmed: %s\nfresh:  %s",
					bytes.Equal(c, bySteward), got.Explain(), want.Explain())
			}
		}
	}
}

// historyTarget is a request pinned by a golden file or a decision table,
// with the terms it is decided under.
type historyTarget struct {
	name, terms string
	r           *Request
	resigned    int // how many of r's envelopes the priors re-sign (the rest are noise)
}

// historyTargets builds, in a new world, every golden and table request:
// the golden decisions, every built-in license's decision table and the
// PPL reciprocity table (which revokes a statement in the world's Trust).
func historyTargets(t testing.TB) (*world, []historyTarget) {
	w := newWorld(t)
	var out []historyTarget
	golden := goldenRequests(t, w)
	for _, name := range slices.Sorted(maps.Keys(golden)) {
		out = append(out, historyTarget{"golden " + name, "ppl-reciprocity", golden[name], len(golden[name].Evidence)})
	}
	tables := decisionTables(t)
	for _, id := range slices.Sorted(maps.Keys(tables)) {
		for _, row := range tables[id] {
			r := row.request(t)
			out = append(out, historyTarget{id + ", " + row.name, id, r, len(r.Evidence)})
		}
	}
	for _, tc := range pplCases(t, w) {
		out = append(out, historyTarget{"ppl-reciprocity table, " + tc.name, "ppl-reciprocity", tc.request(), len(tc.evidence)})
	}
	// The golden requests beside expired, forged, out-of-scope, grant and
	// control evidence, at instants on both sides of their statements'
	// validity: the evidence sets a prior leaves behind are reused across
	// instants, so these check that reuse. Their priors re-sign only the
	// golden envelopes.
	noise := historyNoise(t, w.evaluator(t, "ppl-reciprocity"))
	for _, name := range slices.Sorted(maps.Keys(golden)) {
		for _, when := range historyInstants(at) {
			r := *golden[name]
			n := len(r.Evidence)
			r.Evidence, r.At = append(slices.Clip(r.Evidence), noise...), when
			out = append(out, historyTarget{fmt.Sprintf("golden %s with noise at %s", name, when.Format(time.RFC3339)), "ppl-reciprocity", &r, n})
		}
	}
	return w, out
}

// historyLabels are the keys adversarial envelopes are signed with: every
// role in the test world, and one nobody trusts.
var historyLabels = []string{"registrar", "steward-alpha", "steward-beta", "steward-old", "marketplace",
	"entity-acme", "entity-peerco", "alice", "carol", "stranger"}

// resignings are the envelopes of raw's statement with other signatures:
// each key alone, the original signers with each key added, and each of
// the original signatures alone and in reverse order. raw that is not an
// envelope has none. Envelopes that fail come before those that pass, so
// that a cache keyed too coarsely keeps a refusal for the target.
func resignings(t testing.TB, raw []byte) [][]byte {
	env, err := attest.ParseEnvelope(raw)
	if err != nil {
		return nil
	}
	var out [][]byte
	marshal := func(e *attest.Envelope) {
		b, err := e.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	for _, l := range historyLabels {
		alone, err := attest.Sign(env.PayloadType, env.Payload, key(l))
		if err != nil {
			t.Fatal(err)
		}
		marshal(alone)
	}
	for _, l := range historyLabels {
		more := &attest.Envelope{PayloadType: env.PayloadType, Payload: env.Payload, Signatures: slices.Clone(env.Signatures)}
		if err := more.AddSignature(key(l)); err != nil {
			t.Fatal(err)
		}
		marshal(more)
	}
	for i := range env.Signatures {
		marshal(&attest.Envelope{PayloadType: env.PayloadType, Payload: env.Payload, Signatures: env.Signatures[i : i+1]})
	}
	if len(env.Signatures) > 1 {
		rev := slices.Clone(env.Signatures)
		slices.Reverse(rev)
		marshal(&attest.Envelope{PayloadType: env.PayloadType, Payload: env.Payload, Signatures: rev})
	}
	return out
}

// adversarialPriors are requests an attacker (or an unlucky order of
// traffic) might send an evaluator before r: r's statements with other
// signatures, in r's place and alone; r about other entities; r at other
// instants (before, inside and after statements' validity); r beside
// expired, revoked, forged and out-of-scope evidence; and r with a ledger
// or reciprocity supplied.
func adversarialPriors(t testing.TB, r *Request, resigned int, noise [][]byte) []*Request {
	entities := []contribution.Entity{{ID: "acme"}, {ID: "peerco"}, {ID: "coop"}, {ID: "firm"}, {ID: r.Entity.ID, Key: id("entity-acme")}}
	instants := historyInstants(r.At)
	var out []*Request
	with := func(ev [][]byte, ent contribution.Entity, when time.Time) {
		q := *r
		q.Evidence, q.Entity, q.At = ev, ent, when
		out = append(out, &q)
	}
	n := 0
	for i, raw := range r.Evidence[:resigned] {
		for _, v := range resignings(t, raw) {
			replaced := slices.Clone(r.Evidence)
			replaced[i] = v
			with(replaced, r.Entity, r.At)
			with(replaced, entities[n%len(entities)], instants[n%len(instants)])
			with([][]byte{v}, r.Entity, r.At)
			n++
		}
	}
	for _, ent := range entities {
		with(r.Evidence, ent, r.At)
	}
	for _, when := range instants {
		with(append(slices.Clip(r.Evidence), noise...), r.Entity, when)
		with(r.Evidence, r.Entity, when)
	}
	recip := *r
	recip.Reciprocity = &contribution.Reciprocity{Total: 500_000}
	out = append(out, &recip)
	ledger := *r
	ledger.Ledger = contribution.NewLedger(nil)
	out = append(out, &ledger)
	return out
}

// historyInstants are instants around t: before and after statements'
// validity, trust ends and grants.
func historyInstants(t time.Time) []time.Time {
	return []time.Time{t, t.AddDate(-1, 0, 0), t.AddDate(0, 0, -31), t.Add(time.Hour), t.AddDate(0, 1, 0), t.AddDate(0, 3, 0), t.AddDate(2, 0, 0)}
}

// historyNoise is evidence that must not count: expired, forged, out of
// scope, for another commons, and a grant and a control statement.
func historyNoise(t testing.TB, e *Evaluator) [][]byte {
	forged, _ := attest.ParseEnvelope(contributed(t, "steward-alpha", "alpha", "alice", "code", 500, 3))
	forged.Signatures[0].Sig[7] ^= 1
	fb, _ := forged.MarshalJSON()
	grant := Grant{Commons: "alpha", Entity: "acme", TermsDigest: e.TermsDigest(), Outcome: Free, Clause: "reciprocity",
		IssuedAt: at.Format(time.RFC3339), ValidFrom: at.Format(time.RFC3339), ValidUntil: at.AddDate(0, 1, 0).Format(time.RFC3339)}
	gst, err := attest.NewStatement(GrantPredicateType, grant, attest.SubjectFor("commons:alpha"), attest.SubjectFor("entity:acme"))
	if err != nil {
		t.Fatal(err)
	}
	cst, err := NewControlStatement(Control{Controller: "parent", Controlled: "acme", From: at.AddDate(-1, 0, 0).Format(time.RFC3339)})
	if err != nil {
		t.Fatal(err)
	}
	return [][]byte{fb, contributed(t, "steward-old", "alpha", "alice", "code", 500, 2),
		contributed(t, "steward-beta", "alpha", "alice", "code", 500, 2), contributed(t, "steward-alpha", "gamma", "alice", "code", 500, 2),
		envelope(t, gst, "marketplace"), envelope(t, cst, "registrar"), memberOf(t, "peerco", "alice")}
}

// TestDecisionIndependentOfHistory (issue 14, item 7): a decision depends
// only on its request, the configuration and the ledger passed; caches may
// only make it faster. Every golden and table request is decided by a
// fresh evaluator (over a fresh Trust) and by one warmed with adversarial
// prior requests, first right after its own priors and again after every
// target's; the bytes must be the same.
func TestDecisionIndependentOfHistory(t *testing.T) {
	w, targets := historyTargets(t)
	// Priors in their order and reversed, so that whichever of two
	// envelopes a coarse cache keeps, one of the evaluators keeps it.
	warmed := map[string][2]*Evaluator{}
	want := make([][]byte, len(targets))
	decide := func(e *Evaluator, r *Request) []byte {
		d, err := e.Evaluate(r)
		if err != nil {
			return []byte("error: " + err.Error())
		}
		b, err := d.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	priors := 0
	for i, tg := range targets {
		// A fresh world: a Trust with the same rules and revocation, and
		// no cache.
		fw := newWorld(t)
		pplCases(t, fw)
		want[i] = decide(fw.evaluator(t, tg.terms), tg.r)
		es, ok := warmed[tg.terms]
		if !ok {
			es = [2]*Evaluator{w.evaluator(t, tg.terms), w.evaluator(t, tg.terms)}
			warmed[tg.terms] = es
		}
		ps := adversarialPriors(t, tg.r, tg.resigned, historyNoise(t, es[0]))
		for j, e := range es {
			for k := range ps {
				if j == 1 {
					k = len(ps) - 1 - k
				}
				_, _ = e.Evaluate(ps[k]) // only what it leaves behind matters
				priors++
			}
			if got := decide(e, tg.r); !bytes.Equal(got, want[i]) {
				t.Errorf("%s: decided differently after adversarial priors (reversed: %v)\nwarmed: %s\nfresh:  %s", tg.name, j == 1, got, want[i])
			}
		}
	}
	for i, tg := range targets {
		for _, e := range warmed[tg.terms] {
			if got := decide(e, tg.r); !bytes.Equal(got, want[i]) {
				t.Errorf("%s: decided differently after every target's priors\nwarmed: %s\nfresh:  %s", tg.name, got, want[i])
			}
		}
	}
	if len(targets) < 50 || priors < 100*len(targets) {
		t.Fatalf("%d targets, %d priors: the comparison tests too little", len(targets), priors)
	}
	t.Logf("%d targets, %d adversarial priors", len(targets), priors)
}

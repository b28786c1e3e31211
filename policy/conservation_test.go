package policy

import (
	"context"
	"errors"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/peerproduction/ppl/attest"
	"github.com/peerproduction/ppl/contribution"
)

// TestContributionCountedOnceAcrossEntities (issue 14, item 8): alice is a
// member of acme and of peerco. Whatever path each entity's request takes
// — the marketplace's ledger, or the envelopes passed straight to Evaluate
// with its own membership or with both — the points a contribution adds
// over both entities' decisions never exceed its points. A contribution
// naming no entity once counted in full for each entity on the evidence
// path; there it is now refused, with the reason.
func TestContributionCountedOnceAcrossEntities(t *testing.T) {
	w := newWorld(t)
	e := w.evaluator(t, "ppl-reciprocity")
	acmeM, peercoM := memberOf(t, "acme", "alice"), memberOf(t, "peerco", "alice")
	works := map[string][]byte{
		"unnamed":    contributedFor(t, "steward-alpha", "alpha", "alice", "", "code", 120, 2),
		"for acme":   contributedFor(t, "steward-alpha", "alpha", "alice", "acme", "code", 80, 3),
		"for peerco": contributedFor(t, "steward-beta", "beta", "alice", "peerco", "docs", 50, 4),
	}
	verify := func(env []byte) *attest.Verified {
		v, err := w.trust.Verify(env, attest.VerifyOptions{Time: at, PredicateTypes: evidencePredicates})
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	ledgerOf := func(envs ...[]byte) *contribution.Ledger {
		l := contribution.NewLedger(nil)
		for _, c := range []contribution.Commons{w.alpha, w.beta} {
			if err := l.AddCommons(c); err != nil {
				t.Fatal(err)
			}
		}
		for _, env := range envs {
			if _, err := l.Ingest(context.Background(), verify(env)); err != nil {
				t.Fatal(err)
			}
		}
		return l
	}
	q, _ := e.Query("acme", at)
	// A statement's points: what it earns an entity that its contributor
	// is a member of alone.
	full := map[string]contribution.Points{}
	names := map[string]string{}
	for name, env := range works {
		digest := verify(env).Digest
		names[digest] = name
		q.Entity = "acme"
		m := acmeM
		if name == "for peerco" {
			q.Entity, m = "peerco", peercoM
		}
		r, err := ledgerOf(m, env).Reciprocity(context.Background(), q)
		if err != nil || r.Total <= 0 {
			t.Fatalf("%s: %v %v", name, r.Total, err)
		}
		full[digest] = r.Total
	}
	all := [][]byte{acmeM, peercoM, works["unnamed"], works["for acme"], works["for peerco"]}
	shared := ledgerOf(all...)
	paths := map[string]func(entity string) *Request{
		"ledger": func(entity string) *Request {
			return &Request{Entity: contribution.Entity{ID: entity}, Use: Use{Commercial: true}, At: at, Ledger: shared}
		},
		"evidence with its own membership": func(entity string) *Request {
			own := acmeM
			if entity == "peerco" {
				own = peercoM
			}
			return &Request{Entity: contribution.Entity{ID: entity}, Use: Use{Commercial: true}, At: at,
				Evidence: [][]byte{own, works["unnamed"], works["for acme"], works["for peerco"]}}
		},
		"evidence with both memberships": func(entity string) *Request {
			return &Request{Entity: contribution.Entity{ID: entity}, Use: Use{Commercial: true}, At: at, Evidence: all}
		},
	}
	for acmePath, acmeReq := range paths {
		for peercoPath, peercoReq := range paths {
			sum := map[string]contribution.Points{}
			for _, pr := range []struct {
				path string
				r    *Request
			}{{acmePath, acmeReq("acme")}, {peercoPath, peercoReq("peerco")}} {
				path, r := pr.path, pr.r
				d, err := e.Evaluate(r)
				if err != nil {
					t.Fatal(err)
				}
				for _, s := range d.Reciprocity().ByStatement {
					sum[s.Key] += s.Points
				}
				if r.Ledger != nil {
					continue
				}
				// On the evidence path the unnamed contribution is refused,
				// and says why.
				var refused bool
				for _, ig := range d.Ignored() {
					var ce *contribution.Error
					if errors.Is(ig.Err, ErrNoEntity) && names[ig.Statement] == "unnamed" && strings.HasPrefix(ig.Reason, "names no entity") &&
						errors.As(ig.Err, &ce) && ce.Pointer == "/entity" && ce.Statement == ig.Statement && ce.KeyID == id("alice") {
						refused = true
					}
				}
				if !refused {
					t.Errorf("%s for %s: the contribution naming no entity is not listed as ignored for it: %+v", path, r.Entity.ID, d.Ignored())
				}
			}
			// An entity's total is summed once and apportioned to its
			// statements by largest remainder: a statement's part may be
			// one thousandth off what it earns alone, and no more.
			for digest, p := range sum {
				if p > full[digest]+1 {
					t.Errorf("acme by %s, peerco by %s: %q counted %s over both entities, more than its %s",
						acmePath, peercoPath, names[digest], p, full[digest])
				}
			}
			// A contribution that names an entity counts for it in full on
			// either path.
			for name, env := range works {
				if d := verify(env).Digest; name != "unnamed" && (sum[d] < full[d]-1 || sum[d] > full[d]+1) {
					t.Errorf("acme by %s, peerco by %s: %q counted %s, not its %s", acmePath, peercoPath, name, sum[d], full[d])
				}
			}
		}
	}
	// The ledger shares the unnamed contribution between the two: half
	// each, to the thousandth.
	u := verify(works["unnamed"]).Digest
	d, err := e.Evaluate(paths["ledger"]("acme"))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range d.Reciprocity().ByStatement {
		if s.Key == u && s.Points != full[u]/2 && s.Points != (full[u]+1)/2 {
			t.Errorf("the ledger gives acme %s of the unnamed contribution's %s, not half", s.Points, full[u])
		}
	}
}

// TestContributionCountedOnceRandom draws memberships of two people in
// three entities (some overlapping, some ended), contributions naming one
// of the entities or none, and a path for each entity's request (the
// marketplace's ledger, or evidence with the entity's own memberships, or
// with all of them), and checks that no statement adds more than its
// points over the three decisions.
func TestContributionCountedOnceRandom(t *testing.T) {
	rules := []attest.Rule{
		{Key: pub("steward-alpha"), PredicateTypes: []string{contribution.ContributionPredicateType}, Subjects: []string{"commons:alpha"}},
	}
	entities := []string{"acme", "peerco", "coop"}
	for _, ent := range entities {
		rules = append(rules, attest.Rule{Key: pub("entity-" + ent), PredicateTypes: []string{contribution.MembershipPredicateType}, Subjects: []string{"entity:" + ent}})
	}
	trust, err := attest.NewTrust(rules...)
	if err != nil {
		t.Fatal(err)
	}
	w := newWorld(t)
	w.trust = trust
	e := w.evaluator(t, "ppl-reciprocity")
	q, _ := e.Query("acme", at)
	member := func(ent, person string, fromDays, untilDays int) []byte {
		m := contribution.Membership{Entity: ent, From: at.AddDate(0, 0, -fromDays)}
		if untilDays > 0 {
			m.Until = at.AddDate(0, 0, -untilDays)
		}
		st, err := contribution.NewMembershipStatement(m, pub(person))
		if err != nil {
			t.Fatal(err)
		}
		return envelope(t, st, "entity-"+ent, person)
	}
	verify := func(env []byte) *attest.Verified {
		v, err := trust.Verify(env, attest.VerifyOptions{Time: at, PredicateTypes: evidencePredicates})
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	ledgerOf := func(envs ...[]byte) *contribution.Ledger {
		l := contribution.NewLedger(nil)
		if err := l.AddCommons(w.alpha); err != nil {
			t.Fatal(err)
		}
		for _, env := range envs {
			if _, err := l.Ingest(context.Background(), verify(env)); err != nil {
				t.Fatal(err)
			}
		}
		return l
	}
	rng := rand.New(rand.NewPCG(14, 8))
	people := []string{"alice", "bob"}
	counted := 0
	for round := range 60 {
		var memberships [][]byte
		own := map[string][][]byte{}
		for _, p := range people {
			for _, ent := range entities {
				if rng.IntN(3) == 0 {
					continue
				}
				until := 0
				if rng.IntN(3) == 0 {
					until = rng.IntN(40)
				}
				m := member(ent, p, 50+rng.IntN(300), until)
				memberships = append(memberships, m)
				own[ent] = append(own[ent], m)
			}
		}
		full := map[string]contribution.Points{}
		var works [][]byte
		for range 2 + rng.IntN(4) {
			p := people[rng.IntN(len(people))]
			named := []string{"", "", "acme", "peerco", "coop"}[rng.IntN(5)]
			env := contributedFor(t, "steward-alpha", "alpha", p, named, "code", int64(10+rng.IntN(200)), rng.IntN(45))
			works = append(works, env)
			// Its points: what it earns an entity its contributor is a
			// member of alone, always.
			solo := named
			if solo == "" {
				solo = "acme"
			}
			q.Entity = solo
			r, err := ledgerOf(member(solo, p, 1000, 0), env).Reciprocity(context.Background(), q)
			if err != nil {
				t.Fatal(err)
			}
			full[verify(env).Digest] = r.Total
		}
		shared := ledgerOf(append(slices.Clip(memberships), works...)...)
		sum := map[string]contribution.Points{}
		listed := map[string]contribution.Points{} // how many entities listed each statement
		var paths []string
		for _, ent := range entities {
			r := &Request{Entity: contribution.Entity{ID: ent}, Use: Use{Commercial: true}, At: at}
			switch path := rng.IntN(3); path {
			case 0:
				r.Ledger = shared
				paths = append(paths, "ledger")
			case 1:
				r.Evidence = append(slices.Clip(own[ent]), works...)
				paths = append(paths, "own memberships")
			default:
				r.Evidence = append(slices.Clip(memberships), works...)
				paths = append(paths, "all memberships")
			}
			d, err := e.Evaluate(r)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range d.Reciprocity().ByStatement {
				sum[s.Key] += s.Points
				listed[s.Key]++
				counted++
			}
		}
		// An entity's total is computed once (prefix sums) and apportioned
		// to its statements by largest remainder, so a statement's part
		// may be one thousandth above what it earns alone: that rounding,
		// and no more, is allowed per entity that lists it.
		for digest, p := range sum {
			if p > full[digest]+listed[digest] {
				t.Errorf("round %d, paths %v: statement %s counted %s over the entities, more than its %s", round, paths, digest, p, full[digest])
			}
		}
	}
	if counted < 60 {
		t.Fatalf("only %d statements counted in 60 rounds: the test tests little", counted)
	}
}

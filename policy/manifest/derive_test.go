package manifest

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/peerproduction/ppl/attest"
	"github.com/peerproduction/ppl/contribution"
	"github.com/peerproduction/ppl/license"
	"github.com/peerproduction/ppl/policy"
)

// commonsChain is a one-version chain of commons id: root <id>-root,
// steward <id>-steward, registrar <id>-registrar, recognising as given.
func commonsChain(t *testing.T, id string, recognises map[string]license.Milli) *Chain {
	t.Helper()
	m := draft(t, id, 1, 1, []string{id + "-root"}, id+"-steward")
	m.Roles.Registrars = keysOf(id + "-registrar")
	for _, other := range sortedKeys(recognises) {
		recognise(m, other, 1, recognises[other])
	}
	c, err := Open(signed(t, m, id+"-root"), "")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func sortedKeys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return sortedCopy(out)
}

func envelope(t *testing.T, st attest.Statement, signers ...string) []byte {
	t.Helper()
	env, err := attest.SignStatement(st, signerList(signers)...)
	if err != nil {
		t.Fatal(err)
	}
	b, err := env.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// contributionEnv is ten units of code by dev to commons, for acme,
// signed by signer.
func contributionEnv(t *testing.T, commons, signer string, at time.Time) []byte {
	t.Helper()
	st, err := contribution.NewContributionStatement(contribution.Contribution{Commons: commons, Contributor: attest.KeyID(pub("dev")),
		Entity: "acme", Kind: "code", Quantity: 10_000, Unit: "commits", At: at})
	if err != nil {
		t.Fatal(err)
	}
	return envelope(t, st, signer)
}

func membershipEnv(t *testing.T, registrar string) []byte {
	t.Helper()
	st, err := contribution.NewMembershipStatement(contribution.Membership{Entity: "acme", From: day(0)}, pub("dev"))
	if err != nil {
		t.Fatal(err)
	}
	return envelope(t, st, registrar, "dev")
}

func byID(t *testing.T, cfgs []*Config) map[string]*Config {
	t.Helper()
	out := map[string]*Config{}
	for _, c := range cfgs {
		out[c.Commons.ID] = c
	}
	return out
}

// TestFederation counts, for each commons of a ring (alpha → beta → gamma →
// alpha) and of a chain (alpha → beta → gamma), an entity's contributions to
// every commons: each counts its own and those it recognises directly, at
// the weight it states; what a recognised commons recognises does not count,
// weights do not multiply along the way and the ring is not followed.
func TestFederation(t *testing.T) {
	at := day(30)
	for _, tc := range []struct {
		name  string
		links map[string]map[string]license.Milli
		want  map[string]map[string]contribution.Points // by commons counted
	}{
		{"ring", map[string]map[string]license.Milli{
			"alpha": {"beta": 500}, "beta": {"gamma": 250}, "gamma": {"alpha": 2000},
		}, map[string]map[string]contribution.Points{
			"alpha": {"alpha": 10_000, "beta": 5_000},
			"beta":  {"beta": 10_000, "gamma": 2_500},
			"gamma": {"gamma": 10_000, "alpha": 20_000},
		}},
		{"chain", map[string]map[string]license.Milli{
			"alpha": {"beta": 500}, "beta": {"gamma": 500}, "gamma": {},
		}, map[string]map[string]contribution.Points{
			"alpha": {"alpha": 10_000, "beta": 5_000},
			"beta":  {"beta": 10_000, "gamma": 5_000},
			"gamma": {"gamma": 10_000},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var chains []*Chain
			for _, id := range []string{"alpha", "beta", "gamma"} {
				chains = append(chains, commonsChain(t, id, tc.links[id]))
			}
			cfgs, err := Derive(at, chains...)
			if err != nil {
				t.Fatal(err)
			}
			cfg := byID(t, cfgs)
			// One ledger for all three, registered in either order: each
			// commons is one record.
			ledger := contribution.NewLedger(nil)
			for _, c := range cfgs {
				if err := c.Register(ledger); err != nil {
					t.Fatal(err)
				}
			}
			reverse := contribution.NewLedger(nil)
			for i := len(cfgs) - 1; i >= 0; i-- {
				if err := cfgs[i].Register(reverse); err != nil {
					t.Fatal(err)
				}
			}
			for _, c := range cfgs {
				got, _ := ledger.Commons(c.Commons.ID)
				again, _ := reverse.Commons(c.Commons.ID)
				if diff := cmp.Diff(c.Commons, got); diff != "" {
					t.Errorf("%s in the ledger differs from its own config:\n%s", c.Commons.ID, diff)
				}
				if diff := cmp.Diff(got, again); diff != "" {
					t.Errorf("%s depends on the order configs are registered in:\n%s", c.Commons.ID, diff)
				}
				for _, p := range c.Peers {
					if diff := cmp.Diff(cfg[p.ID].Commons, p); diff != "" {
						t.Errorf("%s's peer %s differs from %s's own record:\n%s", c.Commons.ID, p.ID, p.ID, diff)
					}
				}
			}
			// Each commons' contribution, verified with its own Trust.
			for _, id := range []string{"alpha", "beta", "gamma"} {
				v, err := cfg[id].Trust.Verify(contributionEnv(t, id, id+"-steward", day(20)),
					attest.VerifyOptions{Time: at, PredicateTypes: []string{contribution.ContributionPredicateType}})
				if err != nil {
					t.Fatalf("%s: %v", id, err)
				}
				if _, err := ledger.Ingest(context.Background(), v); err != nil {
					t.Fatal(err)
				}
			}
			mv, err := cfg["alpha"].Trust.Verify(membershipEnv(t, "alpha-registrar"),
				attest.VerifyOptions{Time: at, PredicateTypes: []string{contribution.MembershipPredicateType}})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := ledger.Ingest(context.Background(), mv); err != nil {
				t.Fatal(err)
			}
			for id, want := range tc.want {
				ev, err := cfg[id].Evaluator()
				if err != nil {
					t.Fatal(err)
				}
				q, ok := ev.Query("acme", day(20))
				if !ok {
					t.Fatal("terms without reciprocity")
				}
				r, err := ledger.Reciprocity(context.Background(), q)
				if err != nil {
					t.Fatal(err)
				}
				got := map[string]contribution.Points{}
				var total contribution.Points
				for _, s := range r.ByCommons {
					got[s.Key] = s.Points
					total += s.Points
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("%s counts (-want +got):\n%s", id, diff)
				}
				if total != r.Total {
					t.Errorf("%s: by commons adds to %d, total %d", id, total, r.Total)
				}
			}
			// A commons' Trust holds no key for a commons it does not
			// recognise directly.
			_, err = cfg["alpha"].Trust.Verify(contributionEnv(t, "gamma", "gamma-steward", day(20)),
				attest.VerifyOptions{Time: at, PredicateTypes: []string{contribution.ContributionPredicateType}})
			if !errors.Is(err, attest.ErrUntrustedKey) && !errors.Is(err, attest.ErrOutOfScope) {
				t.Errorf("alpha's trust took gamma's steward: %v", err)
			}
		})
	}
}

// TestStewardRotation: beta replaces steward s1 by s2 in version 2 (issued
// on day 20). Alpha, which recognises beta, counts s2's contributions once
// the marketplace holds beta's version 2; s1's count when first seen before
// day 20 and not after, however they are dated.
func TestStewardRotation(t *testing.T) {
	b1 := draft(t, "beta", 1, 1, []string{"b-root"}, "b-s1")
	b2 := draft(t, "beta", 2, 1, []string{"b-root"}, "b-s2")
	alpha, err := Open(signed(t, recognise(draft(t, "alpha", 1, 1, []string{"a-root"}, "a-s"), "beta", 1, 1000), "a-root"), "")
	if err != nil {
		t.Fatal(err)
	}
	beta, err := Open(signed(t, b1, "b-root"), "")
	if err != nil {
		t.Fatal(err)
	}
	now := day(30)
	c1 := contributionEnv(t, "beta", "b-s1", day(12)) // first seen day 12
	c2 := contributionEnv(t, "beta", "b-s1", day(15)) // backdated: first seen day 25
	c3 := contributionEnv(t, "beta", "b-s2", day(22)) // first seen day 22
	check := func(trust *attest.Trust, env []byte, firstSeen time.Time, want error) {
		t.Helper()
		_, err := trust.Verify(env, attest.VerifyOptions{Time: now, FirstSeen: firstSeen, PredicateTypes: []string{contribution.ContributionPredicateType}})
		if want == nil && err != nil || want != nil && !errors.Is(err, want) {
			t.Errorf("first seen %s: %v, want %v", firstSeen.Format(time.DateOnly), err, want)
		}
	}
	cfgs, err := Derive(now, alpha, beta)
	if err != nil {
		t.Fatal(err)
	}
	trust := byID(t, cfgs)["alpha"].Trust
	check(trust, c1, day(12), nil)
	check(trust, c2, day(25), nil)
	check(trust, c3, day(22), attest.ErrUntrustedKey)

	if err := beta.Update(signed(t, b2, "b-root")); err != nil {
		t.Fatal(err)
	}
	cfgs, err = Derive(now, alpha, beta)
	if err != nil {
		t.Fatal(err)
	}
	cfg := byID(t, cfgs)["alpha"]
	check(cfg.Trust, c1, day(12), nil)
	check(cfg.Trust, c2, day(25), attest.ErrExpired)
	check(cfg.Trust, c3, day(22), nil)
	if got, want := cfg.Manifests[1], (Ref{Commons: "beta", Version: 2, Digest: beta.Latest().Digest}); got != want {
		t.Errorf("derived from %v, want %v", got, want)
	}
	// The ledger takes both stewards' statements, as the Trust bounds them.
	ledger := contribution.NewLedger(nil)
	if err := cfg.Register(ledger); err != nil {
		t.Fatal(err)
	}
	for _, e := range []struct {
		env []byte
		at  time.Time
	}{{c1, day(12)}, {c3, day(22)}} {
		v, err := cfg.Trust.Verify(e.env, attest.VerifyOptions{Time: now, FirstSeen: e.at, PredicateTypes: []string{contribution.ContributionPredicateType}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ledger.Ingest(context.Background(), v); err != nil {
			t.Errorf("ingest: %v", err)
		}
	}
}

// TestRolesOfTheLatestVersion: a role a new version leaves out is not
// taken from the old one: alpha's v2 names no registrar, so v1's registrar
// counts for nothing first seen after v2 was issued.
func TestRolesOfTheLatestVersion(t *testing.T) {
	m1 := draft(t, "alpha", 1, 1, []string{"root"}, "s")
	m1.Roles.Registrars = keysOf("reg")
	m1.Roles.GrantSigners = keysOf("market")
	m2 := draft(t, "alpha", 2, 1, []string{"root"}, "s")
	c, err := Load([][]byte{signed(t, m1, "root"), signed(t, m2, "root")}, "", day(30))
	if err != nil {
		t.Fatal(err)
	}
	cfgs, err := Derive(day(30), c)
	if err != nil {
		t.Fatal(err)
	}
	env := membershipEnv(t, "reg")
	opt := attest.VerifyOptions{Time: day(30), PredicateTypes: []string{contribution.MembershipPredicateType}}
	if _, err := cfgs[0].Trust.Verify(env, opt); !errors.Is(err, attest.ErrExpired) {
		t.Errorf("v1's registrar after v2: %v", err)
	}
	opt.FirstSeen = day(15)
	if _, err := cfgs[0].Trust.Verify(env, opt); err != nil {
		t.Errorf("v1's registrar while v1 was current: %v", err)
	}
}

func TestDeriveRefusals(t *testing.T) {
	beta := commonsChain(t, "beta", nil)
	alpha := func(r Recognition) *Chain {
		m := draft(t, "alpha", 1, 1, []string{"a-root"}, "a-s")
		m.Expires = day(800)
		m.Recognises = []Recognition{r}
		c, err := Open(signed(t, m, "a-root"), "")
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	for _, tc := range []struct {
		name   string
		chains []*Chain
		err    error
	}{
		{"not-held", []*Chain{alpha(Recognition{Commons: "beta", Version: 1, Weight: 500})}, ErrRecognition},
		{"version-not-held", []*Chain{alpha(Recognition{Commons: "beta", Version: 2, Weight: 500}), beta}, ErrRecognition},
		{"digest-not-in-chain", []*Chain{alpha(Recognition{Commons: "beta", Manifest: "sha256:" + hex64('a'), Weight: 500}), beta}, ErrRecognition},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfgs, err := Derive(day(30), tc.chains...)
			e := wantErr(t, err, tc.err, "/recognises/0")
			if e.Commons != "alpha" {
				t.Errorf("error names %q", e.Commons)
			}
			for _, c := range cfgs {
				if c.Commons.ID == "alpha" {
					t.Error("alpha configured without its peer")
				}
			}
			if len(cfgs) != len(tc.chains)-1 {
				t.Errorf("%d configs, want %d", len(cfgs), len(tc.chains)-1)
			}
		})
	}
	t.Run("pinned-digest", func(t *testing.T) {
		cfgs, err := Derive(day(30), alpha(Recognition{Commons: "beta", Manifest: beta.Latest().Digest, Weight: 500}), beta)
		if err != nil || len(cfgs) != 2 {
			t.Fatalf("%d configs, %v", len(cfgs), err)
		}
	})
	t.Run("expired-peer", func(t *testing.T) {
		_, err := Derive(day(400), alpha(Recognition{Commons: "beta", Version: 1, Weight: 500}), beta)
		var e *Error
		if !errors.As(err, &e) || e.Commons != "alpha" || !errors.Is(err, ErrExpired) || !errors.Is(err, ErrRecognition) {
			t.Errorf("%v", err)
		}
	})
	t.Run("twice", func(t *testing.T) {
		_, err := Derive(day(30), beta, beta)
		wantErr(t, err, ErrDuplicate, "")
	})
}

func hex64(c byte) string {
	b := make([]byte, 64)
	for i := range b {
		b[i] = c
	}
	return string(b)
}

// TestDeriveConcurrent derives from the same chains in several goroutines:
// chains are only read, so the race detector must stay quiet and every
// answer be the same.
func TestDeriveConcurrent(t *testing.T) {
	chains := []*Chain{commonsChain(t, "alpha", map[string]license.Milli{"beta": 500}), commonsChain(t, "beta", nil)}
	first, err := Derive(day(30), chains...)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan []*Config)
	for range 4 {
		go func() {
			cfgs, err := Derive(day(30), chains...)
			if err != nil {
				t.Error(err)
			}
			done <- cfgs
		}()
	}
	for range 4 {
		cfgs := <-done
		for i, c := range cfgs {
			if diff := cmp.Diff(first[i].Commons, c.Commons); diff != "" || !cmp.Equal(first[i].Manifests, c.Manifests) {
				t.Errorf("answers differ: %s", diff)
			}
		}
	}
}

// TestEvaluatorAgreesWithLedger decides the same evidence twice from
// alpha's Config: once with the evaluator reading the envelopes itself,
// once through a ledger the Config registered. Both count beta's own
// steward at beta's weight and refuse alpha's steward signing for beta.
func TestEvaluatorAgreesWithLedger(t *testing.T) {
	at := day(30)
	cfgs, err := Derive(at, commonsChain(t, "alpha", map[string]license.Milli{"beta": 500}), commonsChain(t, "beta", nil))
	if err != nil {
		t.Fatal(err)
	}
	cfg := byID(t, cfgs)["alpha"]
	evidence := [][]byte{
		membershipEnv(t, "alpha-registrar"),
		// Dated at the decision, so nothing has decayed.
		contributionEnv(t, "alpha", "alpha-steward", at),
		contributionEnv(t, "beta", "beta-steward", at),
		contributionEnv(t, "beta", "alpha-steward", at.Add(-time.Hour)), // alpha's steward does not speak for beta
	}
	ev, err := cfg.Evaluator()
	if err != nil {
		t.Fatal(err)
	}
	req := func() *policy.Request {
		return &policy.Request{Entity: contribution.Entity{ID: "acme"}, Use: policy.Use{Commercial: true}, At: at}
	}
	r1 := req()
	r1.Evidence = evidence
	d1, err := ev.Evaluate(r1)
	if err != nil {
		t.Fatal(err)
	}
	ledger := contribution.NewLedger(nil)
	if err := cfg.Register(ledger); err != nil {
		t.Fatal(err)
	}
	ingested := 0
	for _, e := range evidence {
		v, err := cfg.Trust.Verify(e, attest.VerifyOptions{Time: at,
			PredicateTypes: []string{contribution.ContributionPredicateType, contribution.MembershipPredicateType}})
		if err != nil {
			continue
		}
		if _, err := ledger.Ingest(context.Background(), v); err == nil {
			ingested++
		}
	}
	if ingested != 3 {
		t.Errorf("ledger took %d statements, want 3", ingested)
	}
	r2 := req()
	r2.Ledger = ledger
	d2, err := ev.Evaluate(r2)
	if err != nil {
		t.Fatal(err)
	}
	if d1.Reciprocity() == nil || d2.Reciprocity() == nil {
		t.Fatal("no reciprocity counted")
	}
	if got, want := d1.Reciprocity().Total, contribution.Points(15_000); got != want {
		t.Errorf("evaluator counted %s, want %s", got, want)
	}
	if diff := cmp.Diff(d1.Reciprocity().ByCommons, d2.Reciprocity().ByCommons); diff != "" {
		t.Errorf("evaluator and ledger disagree (-evaluator +ledger):\n%s", diff)
	}
	ignored := 0
	for _, ig := range d1.Ignored() {
		if strings.Contains(ig.Reason, "scope") || strings.Contains(ig.Reason, "steward") {
			ignored++
		}
	}
	if ignored != 1 {
		t.Errorf("ignored %v, want alpha's steward's contribution to beta", d1.Ignored())
	}
}

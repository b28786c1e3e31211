package policy

import (
	"bytes"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/peerproduction/ppl/contribution"
)

// TestDetailsEmpty keeps details.empty in step with the fields: a decision
// whose details hold anything must keep them.
func TestDetailsEmpty(t *testing.T) {
	if x := (details{}); !x.empty() {
		t.Fatal("zero details are not empty")
	}
	typ := reflect.TypeFor[details]()
	for i := range typ.NumField() {
		var x details
		f := reflect.ValueOf(&x).Elem().Field(i)
		f = reflect.NewAt(f.Type(), f.Addr().UnsafePointer()).Elem() // unexported
		switch f.Kind() {
		case reflect.Slice:
			f.Set(reflect.MakeSlice(f.Type(), 0, 0))
		case reflect.Map:
			f.Set(reflect.MakeMap(f.Type()))
		case reflect.Pointer:
			f.Set(reflect.New(f.Type().Elem()))
		case reflect.Int64:
			f.SetInt(1)
		case reflect.Struct:
			switch v := f.Addr().Interface().(type) {
			case *time.Time:
				*v = at
			default:
				f.Field(0).SetInt(1) // license.Money's Amount
			}
		default:
			t.Fatalf("details.%s: kind %s not covered by this test", typ.Field(i).Name, f.Kind())
		}
		if x.empty() {
			t.Errorf("details.%s set, yet empty() says there is nothing to keep", typ.Field(i).Name)
		}
	}
}

// TestZeroDecision: the zero Decision decides nothing, and says so
// without panicking.
func TestZeroDecision(t *testing.T) {
	var d Decision
	if d.Outcome() != "" || d.Clause() != "" || d.TermsDigest() != "" || d.RequestDigest() != "" || d.Commons() != "" ||
		d.Clauses() != nil || d.PathToFree() != nil || d.Cure() != nil || d.Obligations() != nil || d.Explain() != "" ||
		d.Price() != (Price{}) || d.FactsUsed() != nil || d.Counted() != nil || d.Ignored() != nil {
		t.Fatal("the zero Decision claims something")
	}
	if _, err := d.MarshalJSON(); !errors.Is(err, ErrNoDecision) {
		t.Fatalf("MarshalJSON of the zero Decision: %v", err)
	}
}

// TestDecisionOwnsItsInputs: a Decision derives its explanation when asked,
// so it must not derive it from anything the caller may change later —
// the request's slices, map and envelope bytes included.
func TestDecisionOwnsItsInputs(t *testing.T) {
	w := newWorld(t)
	for _, termsID := range []string{"ppl-reciprocity", "polyform-small-business-1.0.0", "ppl"} {
		e := w.evaluator(t, termsID)
		ev := [][]byte{memberOf(t, "acme", "alice"), contributed(t, "steward-alpha", "alpha", "alice", "code", 80, 3),
			registered(t, contribution.Entity{ID: "acme", Kind: kindFact(contribution.KindForProfit), Headcount: contribution.IntFact{Known: true, Value: 12}}),
			[]byte(`{"payloadType":`)}
		r := &Request{Entity: contribution.Entity{ID: "acme"}, Use: Use{Commercial: true, Purpose: "production", Seats: 4, FirstUse: at.AddDate(0, 0, -10)},
			At: at, Evidence: ev, Facts: []string{"nonprofit-partner"}, FirstUses: map[string]time.Time{"parent": at.AddDate(0, 0, -40)},
			NoticeAt: at.AddDate(0, 0, -2)}
		d, err := e.Evaluate(r)
		if err != nil {
			t.Fatal(err)
		}
		before, err := d.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		explained := d.Explain()
		// The caller reuses everything it passed.
		r.Facts[0] = "changed"
		r.FirstUses["parent"] = at
		r.FirstUses["other"] = at
		for _, env := range ev {
			for i := range env {
				env[i] = 'x'
			}
		}
		r.Entity.ID, r.Use.Purpose, r.Use.Seats = "globex", "personal", 99
		after, err := d.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(before, after) || d.Explain() != explained {
			t.Fatalf("%s: decision changed with the caller's request\nbefore: %s\nafter:  %s", termsID, before, after)
		}
	}
}

// TestDecisionSize holds the allocation a priced quote pays for: the
// explanation is derived when read, not carried in every Decision.
func TestDecisionSize(t *testing.T) {
	if n := reflect.TypeFor[Decision]().Size(); n > 192 {
		t.Errorf("Decision is %d bytes; keep what only some decisions need in details", n)
	}
}

// TestCountedPointsAddUp: each contribution counted says what it added
// (after kind weights, recognition and decay), and together they make the
// reciprocity total.
func TestCountedPointsAddUp(t *testing.T) {
	w := newWorld(t)
	ev := [][]byte{memberOf(t, "acme", "alice"), memberOf(t, "acme", "bob"),
		contributed(t, "steward-alpha", "alpha", "alice", "code", 30, 10),
		contributed(t, "steward-alpha", "alpha", "bob", "docs", 12, 200),
		contributed(t, "steward-beta", "beta", "alice", "code", 40, 30),
		contributed(t, "steward-alpha", "alpha", "carol", "code", 500, 1)} // carol is no member: not counted
	d, err := w.evaluator(t, "ppl-reciprocity").Evaluate(&Request{Entity: contribution.Entity{ID: "acme"}, Use: Use{Commercial: true}, At: at, Evidence: ev})
	if err != nil {
		t.Fatal(err)
	}
	var sum contribution.Points
	n := 0
	for _, c := range d.Counted() {
		if c.PredicateType == contribution.ContributionPredicateType {
			if c.Points <= 0 {
				t.Errorf("contribution %s counted with %s points", c.Statement, c.Points)
			}
			sum += c.Points
			n++
		}
	}
	if n != 3 || sum != d.Reciprocity().Total {
		t.Fatalf("%d contributions counted adding to %s; reciprocity total %s", n, sum, d.Reciprocity().Total)
	}
}

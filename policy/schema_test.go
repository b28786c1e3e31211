package policy

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v5"

	"github.com/peerproduction/ppl/attest"
	"github.com/peerproduction/ppl/contribution"
)

// TestDecisionSchema: every decision the tests know how to make — the
// golden requests, every built-in's decision table, the reciprocity
// table, noise at many instants, a grant, a cure window, a group —
// renders JSON the published schema accepts, and the schema is strict
// enough to refuse what the encoder never writes.
func TestDecisionSchema(t *testing.T) {
	c := jsonschema.NewCompiler()
	c.Draft = jsonschema.Draft2020
	if err := c.AddResource("decision.schema.json", bytes.NewReader(DecisionSchema())); err != nil {
		t.Fatal(err)
	}
	schema, err := c.Compile("decision.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	check := func(name string, d *Decision) map[string]any {
		t.Helper()
		b, err := d.MarshalJSON()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var v map[string]any
		if err := json.Unmarshal(b, &v); err != nil {
			t.Fatal(err)
		}
		if err := schema.Validate(v); err != nil {
			t.Errorf("%s: %v\n%s", name, err, b)
		}
		return v
	}
	w, targets := historyTargets(t)
	members := map[string]bool{}
	for _, tg := range targets {
		d, err := w.evaluator(t, tg.terms).Evaluate(tg.r)
		if err != nil {
			t.Fatalf("%s: %v", tg.name, err)
		}
		for k := range check(tg.name, d) {
			members[k] = true
		}
	}
	// A grant decides; a cure window; an affiliate group.
	e := w.evaluator(t, "ppl-reciprocity")
	base, _ := e.Evaluate(&Request{Entity: contribution.Entity{ID: "acme"}, Use: Use{Commercial: true, Seats: 2}, At: at, Reciprocity: &contribution.Reciprocity{Total: 5}})
	g, err := SignGrant(base, key("marketplace"), "pay-1", at.AddDate(1, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	gj, _ := g.MarshalJSON()
	d, err := e.Evaluate(&Request{Entity: contribution.Entity{ID: "acme"}, Use: Use{Commercial: true, Seats: 2}, At: at.AddDate(0, 1, 0), Evidence: [][]byte{gj}})
	if err != nil {
		t.Fatal(err)
	}
	for k := range check("under a grant", d) {
		members[k] = true
	}
	small := w.evaluator(t, "polyform-noncommercial-1.0.0")
	d, _ = small.Evaluate(&Request{Entity: contribution.Entity{ID: "acme"}, Use: Use{Commercial: true}, At: at, NoticeAt: at.AddDate(0, 0, -3)})
	for k := range check("cure window", d) {
		members[k] = true
	}
	// Every member the schema names was written by some decision above,
	// so a member renamed in the encoder cannot hide behind an optional one.
	var top struct {
		Properties map[string]any `json:"properties"`
	}
	if err := json.Unmarshal(DecisionSchema(), &top); err != nil {
		t.Fatal(err)
	}
	for k := range top.Properties {
		if !members[k] && k != "group" && k != "manifests" {
			t.Errorf("no decision in the test wrote %q", k)
		}
	}
	// Strict: a member the encoder never writes is refused.
	var v map[string]any
	b, _ := base.MarshalJSON()
	json.Unmarshal(b, &v)
	v["Outcome"] = "free"
	if schema.Validate(v) == nil {
		t.Error("the schema accepts an unknown member")
	}
}

// TestGrantSchema: the predicate of every grant SignGrant writes — free,
// pay, with a release date — is what the published schema describes, and
// the schema refuses a pay grant without its payment or a free one with a
// price.
func TestGrantSchema(t *testing.T) {
	c := jsonschema.NewCompiler()
	c.Draft = jsonschema.Draft2020
	if err := c.AddResource("grant.schema.json", bytes.NewReader(GrantSchema())); err != nil {
		t.Fatal(err)
	}
	schema, err := c.Compile("grant.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	w := newWorld(t)
	predicate := func(d *Decision, payment string) map[string]any {
		t.Helper()
		env, err := SignGrant(d, key("marketplace"), payment, at.AddDate(1, 0, 0))
		if err != nil {
			t.Fatal(err)
		}
		st, err := attest.ParseStatement(env.Payload)
		if err != nil {
			t.Fatal(err)
		}
		var v map[string]any
		if err := json.Unmarshal(st.Predicate, &v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	ppl := w.evaluator(t, "ppl-reciprocity")
	pay, _ := ppl.Evaluate(&Request{Entity: contribution.Entity{ID: "acme"}, Use: Use{Commercial: true, Seats: 3}, At: at, Reciprocity: &contribution.Reciprocity{Total: 5}})
	free, _ := ppl.Evaluate(&Request{Entity: contribution.Entity{ID: "acme"}, Use: Use{Commercial: false}, At: at})
	busl := w.evaluator(t, "busl-1.1")
	released, _ := busl.Evaluate(&Request{Entity: contribution.Entity{ID: "acme"}, Use: Use{Commercial: true, Purpose: "production", Released: at.AddDate(-5, 0, 0)}, At: at})
	withRelease := predicate(released, "")
	if use, _ := withRelease["use"].(map[string]any); use["released"] == nil {
		t.Fatalf("the released case records no release date: %v", withRelease)
	}
	for name, v := range map[string]map[string]any{"pay": predicate(pay, "inv-1"), "free": predicate(free, ""), "released": withRelease} {
		if err := schema.Validate(v); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	v := predicate(pay, "inv-1")
	delete(v, "payment")
	if schema.Validate(v) == nil {
		t.Error("a pay grant without its payment passes the schema")
	}
	v = predicate(free, "")
	v["price"] = map[string]any{"amount": 1, "currency": "EUR", "period": "year"}
	if schema.Validate(v) == nil {
		t.Error("a free grant with a price passes the schema")
	}
}

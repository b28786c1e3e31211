package policy

import (
	"fmt"
	"slices"
	"time"

	"github.com/peerproduction/ppl/attest"
	"github.com/peerproduction/ppl/contribution"
)

// ControlPredicateType is the predicate of a control relation: Controller
// controls Controlled (owns a majority, or directs it) from From until
// Until. Its subjects are "entity:<controller>" and "entity:<controlled>";
// a registrar trusted for entity subjects attests it.
const ControlPredicateType = "https://github.com/peerproduction/ppl/predicates/control/v1"

// Control is the predicate of a control statement.
type Control struct {
	Controller string `json:"controller"`
	Controlled string `json:"controlled"`
	From       string `json:"from"`
	Until      string `json:"until,omitempty"`
}

// NewControlStatement builds the statement that c.Controller controls
// c.Controlled.
func NewControlStatement(c Control) (attest.Statement, error) {
	if c.Controller == "" || c.Controlled == "" || c.Controller == c.Controlled {
		return attest.Statement{}, fmt.Errorf("%w: a control statement needs two different entities", ErrRequest)
	}
	if err := checkControlIDs(c); err != nil {
		return attest.Statement{}, fmt.Errorf("%w: %w", ErrRequest, err)
	}
	if _, err := time.Parse(time.RFC3339, c.From); err != nil {
		return attest.Statement{}, fmt.Errorf("%w: from: %v", ErrRequest, err)
	}
	return attest.NewStatement(ControlPredicateType, c, attest.SubjectFor("entity:"+c.Controller), attest.SubjectFor("entity:"+c.Controlled))
}

// decodeControl reads a verified control statement and the instants its
// period starts and ends (until zero when open).
func decodeControl(v *attest.Verified) (c Control, from, until time.Time, err error) {
	if err := v.Statement.DecodePredicate(&c); err != nil {
		return c, from, until, err
	}
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: statement %s: %s", attest.ErrMalformed, v.Digest, fmt.Sprintf(format, args...))
	}
	if c.Controller == "" || c.Controlled == "" || c.Controller == c.Controlled {
		return c, from, until, bad("/predicate/controller and /predicate/controlled must name two entities")
	}
	if err := checkControlIDs(c); err != nil {
		return c, from, until, fmt.Errorf("%w: statement %s: %w", attest.ErrMalformed, v.Digest, err)
	}
	if !v.Statement.HasSubject("entity:"+c.Controller) || !v.Statement.HasSubject("entity:"+c.Controlled) {
		return c, from, until, bad("subjects must name entity:%s and entity:%s", c.Controller, c.Controlled)
	}
	if from, err = time.Parse(time.RFC3339, c.From); err != nil {
		return c, from, until, bad("/predicate/from: %v", err)
	}
	if c.Until != "" {
		if until, err = time.Parse(time.RFC3339, c.Until); err != nil {
			return c, from, until, bad("/predicate/until: %v", err)
		}
	}
	return c, from, until, nil
}

// inForce refuses a control relation whose period does not cover at.
func (c Control) inForce(from, until, at time.Time) error {
	if at.Before(from) {
		return fmt.Errorf("%w: control from %s", attest.ErrNotYetValid, c.From)
	}
	if !until.IsZero() && !at.Before(until) {
		return fmt.Errorf("%w: control ended %s", attest.ErrExpired, c.Until)
	}
	return nil
}

// group returns the entity's group, sorted: the entities that control it
// (transitively) and every entity they control (common control).
func group(entity string, controls []Control) []string {
	up := map[string][]string{}
	down := map[string][]string{}
	for _, c := range controls {
		up[c.Controlled] = append(up[c.Controlled], c.Controller)
		down[c.Controller] = append(down[c.Controller], c.Controlled)
	}
	roots := map[string]bool{}
	seen := map[string]bool{entity: true}
	stack := []string{entity}
	for len(stack) > 0 { // walk up to the top controllers
		e := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if len(up[e]) == 0 {
			roots[e] = true
		}
		for _, p := range up[e] {
			if !seen[p] {
				seen[p] = true
				stack = append(stack, p)
			}
		}
	}
	members := map[string]bool{}
	for r := range roots {
		stack = append(stack, r)
	}
	for len(stack) > 0 { // and down to everything they control
		e := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if members[e] {
			continue
		}
		members[e] = true
		stack = append(stack, down[e]...)
	}
	for e := range seen {
		members[e] = true
	}
	out := make([]string, 0, len(members))
	for e := range members {
		out = append(out, e)
	}
	slices.Sort(out)
	return out
}

// countGroup replaces the headcount and revenue facts with the group's
// sums when the terms count affiliates. A member whose fact is unknown
// (or in another currency) leaves the group's fact unknown: terms free an
// entity only on what is known.
func (e *Evaluator) countGroup(d *Decision, x *details, self contribution.Entity, others map[string]contribution.Entity, controls []Control) {
	members := group(self.ID, controls)
	x.group = members
	if len(members) == 1 {
		return
	}
	// One trial per company: the group's earliest known first use counts.
	for _, m := range members {
		if t, ok := x.firstUses[m]; ok && !t.IsZero() && (x.trialFrom.IsZero() || t.Before(x.trialFrom)) {
			x.trialFrom = t
		}
	}
	headsKnown, revKnown := d.flags.has(flagHeadcountKnown), d.flags.has(flagRevenueKnown)
	heads, revenue := x.headcount, x.revenue.Amount
	for _, m := range members {
		if m == self.ID {
			continue
		}
		o, ok := others[m]
		if !ok || !o.Headcount.Known {
			headsKnown = false
		} else {
			heads += o.Headcount.Value
		}
		if !ok || !o.AnnualRevenue.Known || o.AnnualRevenue.Value.Currency != x.revenue.Currency {
			revKnown = false
		} else {
			revenue += o.AnnualRevenue.Value.Amount
		}
	}
	x.headcount, x.revenue.Amount = heads, revenue
	d.flags.set(flagHeadcountKnown, headsKnown)
	d.flags.set(flagRevenueKnown, revKnown)
	value := func(known bool, v string) string {
		if !known {
			return "unknown (a group member's figure is missing)"
		}
		return v
	}
	x.used = append(x.used,
		FactUsed{Name: "group headcount", Value: value(headsKnown, fmt.Sprint(heads))},
		FactUsed{Name: "group revenue", Value: value(revKnown, x.revenue.String())})
}

package license

import (
	"fmt"
	"strings"
	"time"

	"github.com/peerproduction/ppl/internal/money"
)

// Entity kinds a condition can name.
const (
	KindIndividual        = "individual"
	KindWorkerCooperative = "worker-cooperative"
	KindCooperative       = "cooperative"
	KindNonprofit         = "nonprofit"
	KindPublicBody        = "public-body"
	KindForProfit         = "for-profit"
)

// EntityKinds lists the kinds, in a fixed order.
var EntityKinds = []string{KindIndividual, KindWorkerCooperative, KindCooperative, KindNonprofit, KindPublicBody, KindForProfit}

// Condition is a node of a condition tree. Exactly one field is set: a
// combinator (All, Any, Not) or one leaf test. In JSON each condition is an
// object with exactly one member, e.g. {"any":[{"commercial":false},
// {"workerOwned":true}]}.
//
// Leaves test the request and the facts known about the entity:
//
//   - commercial: the use is (true) or is not (false) commercial, as the
//     request declares it. Whether a use is "primarily intended for
//     commercial advantage" is a legal judgement the library cannot make;
//     the requester states it and a marketplace may require an attested
//     fact for it (see fact).
//   - purposeIn / purposeNotIn: the declared purpose of the use.
//   - entityKindIn: the entity's kind (see EntityKinds).
//   - workerOwned: the entity is worker-owned and distributes its surplus
//     to its workers (both facts must hold).
//   - reciprocity: the entity's weighted contribution reaches a threshold.
//   - headcountBelow: fewer than N people work for the entity.
//   - revenueBelow: annual revenue below an amount, same currency; with a
//     baseYear, the amount is adjusted by the caller's index series.
//   - trialDays: within N days of the entity's first use.
//   - onOrAfter: the evaluation time is on or after a date.
//   - releasedYearsAgo: the version used was first released at least N
//     years before the evaluation time (BSL's four-year conversion).
//   - fact: a named fact holds for the entity, optionally only if attested.
type Condition struct {
	All []*Condition `json:"all,omitempty"`
	Any []*Condition `json:"any,omitempty"`
	Not *Condition   `json:"not,omitempty"`

	Commercial     *bool          `json:"commercial,omitempty"`
	PurposeIn      []string       `json:"purposeIn,omitempty"`
	PurposeNotIn   []string       `json:"purposeNotIn,omitempty"`
	EntityKindIn   []string       `json:"entityKindIn,omitempty"`
	WorkerOwned    *bool          `json:"workerOwned,omitempty"`
	Reciprocity    *Reciprocity   `json:"reciprocity,omitempty"`
	HeadcountBelow *int64         `json:"headcountBelow,omitempty"`
	RevenueBelow   *Threshold     `json:"revenueBelow,omitempty"`
	TrialDays      *int           `json:"trialDays,omitempty"`
	OnOrAfter      *Date          `json:"onOrAfter,omitempty"`
	ReleasedYears  *int           `json:"releasedYearsAgo,omitempty"`
	Fact           *FactCondition `json:"fact,omitempty"`
}

// Reciprocity asks whether the entity's weighted contribution to the
// commons (and, if IncludeRecognised, the commons it recognises, at their
// recognition weights) over the last WindowDays, decayed with a half-life
// of HalfLifeDays (0: no decay), reaches MinPoints. KindWeights weigh
// contribution kinds; when it is set, kinds it does not list do not count,
// and when it is empty every kind weighs 1.
type Reciprocity struct {
	MinPoints         int64            `json:"minPoints"`
	WindowDays        int              `json:"windowDays"`
	HalfLifeDays      int              `json:"halfLifeDays,omitempty"`
	KindWeights       map[string]Milli `json:"kindWeights,omitempty"`
	IncludeRecognised bool             `json:"includeRecognised,omitempty"`
}

// Window is the look-back window as a duration.
func (r *Reciprocity) Window() time.Duration { return time.Duration(r.WindowDays) * 24 * time.Hour }

// HalfLife is the decay half-life as a duration (0: no decay).
func (r *Reciprocity) HalfLife() time.Duration { return time.Duration(r.HalfLifeDays) * 24 * time.Hour }

// Money is an amount in integer minor units of an ISO 4217 currency.
type Money struct {
	Amount   int64  `json:"amount"`
	Currency string `json:"currency"`
}

func (m Money) String() string { return money.Format(m.Amount, m.Currency) }

// FactCondition holds when the named fact is known to hold for the entity.
// With Attested set, a self-declared fact does not count.
type FactCondition struct {
	Name     string `json:"name"`
	Attested bool   `json:"attested,omitempty"`
}

// Date is a calendar date (UTC midnight), written "2006-01-02" in JSON.
type Date struct{ time.Time }

// MarshalJSON writes the date as "YYYY-MM-DD".
func (d Date) MarshalJSON() ([]byte, error) { return []byte(`"` + d.Format(time.DateOnly) + `"`), nil }

// UnmarshalJSON reads "YYYY-MM-DD".
func (d *Date) UnmarshalJSON(b []byte) error {
	if len(b) < 2 || b[0] != '"' || b[len(b)-1] != '"' {
		return fmt.Errorf("date must be a string YYYY-MM-DD")
	}
	t, err := time.Parse(time.DateOnly, string(b[1:len(b)-1]))
	if err != nil {
		return fmt.Errorf("date %s: want YYYY-MM-DD", b)
	}
	d.Time = t
	return nil
}

// Walk calls fn on every node of the tree, parents first.
func (c *Condition) Walk(fn func(*Condition)) { c.walk(fn) }

func (c *Condition) walk(fn func(*Condition)) {
	if c == nil {
		return
	}
	fn(c)
	for _, s := range c.All {
		s.walk(fn)
	}
	for _, s := range c.Any {
		s.walk(fn)
	}
	c.Not.walk(fn)
}

// String describes the condition for people, e.g. "commercial use and
// entity is worker-owned with surplus to workers".
func (c *Condition) String() string {
	if c == nil {
		return "always"
	}
	join := func(cs []*Condition, sep string) string {
		parts := make([]string, len(cs))
		for i, s := range cs {
			parts[i] = s.String()
			if len(s.All)+len(s.Any) > 0 {
				parts[i] = "(" + parts[i] + ")"
			}
		}
		return strings.Join(parts, sep)
	}
	switch {
	case c.All != nil:
		return join(c.All, " and ")
	case c.Any != nil:
		return join(c.Any, " or ")
	case c.Not != nil:
		return "not (" + c.Not.String() + ")"
	case c.Commercial != nil:
		if *c.Commercial {
			return "commercial use"
		}
		return "non-commercial use"
	case c.PurposeIn != nil:
		return "purpose is one of " + strings.Join(c.PurposeIn, ", ")
	case c.PurposeNotIn != nil:
		return "purpose is none of " + strings.Join(c.PurposeNotIn, ", ")
	case c.EntityKindIn != nil:
		return "entity kind is one of " + strings.Join(c.EntityKindIn, ", ")
	case c.WorkerOwned != nil:
		if *c.WorkerOwned {
			return "entity is worker-owned with surplus to workers"
		}
		return "entity is not worker-owned with surplus to workers"
	case c.Reciprocity != nil:
		return fmt.Sprintf("reciprocity at least %d points", c.Reciprocity.MinPoints)
	case c.HeadcountBelow != nil:
		return fmt.Sprintf("headcount below %d", *c.HeadcountBelow)
	case c.RevenueBelow != nil:
		return "annual revenue below " + c.RevenueBelow.String()
	case c.TrialDays != nil:
		return fmt.Sprintf("within %d days of first use", *c.TrialDays)
	case c.OnOrAfter != nil:
		return "on or after " + c.OnOrAfter.Format(time.DateOnly)
	case c.ReleasedYears != nil:
		return fmt.Sprintf("version released at least %d years ago", *c.ReleasedYears)
	case c.Fact != nil:
		if c.Fact.Attested {
			return "fact " + c.Fact.Name + " attested"
		}
		return "fact " + c.Fact.Name
	}
	return "?"
}

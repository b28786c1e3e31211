package license

import (
	"fmt"
	"slices"
	"strconv"
	"time"
)

// Facts is what an evaluation knows about one request: the use, the time,
// and the facts about the entity with whether each was attested. Unknown
// facts make the leaves that need them false: terms free an entity only on
// what is known.
type Facts struct {
	At         time.Time
	Commercial bool
	Purpose    string

	Kind         string // one of EntityKinds; "" unknown
	KindAttested bool

	WorkerOwned         bool // worker-owned and surplus distributed to workers
	WorkerOwnedKnown    bool
	WorkerOwnedAttested bool

	Headcount      int64
	HeadcountKnown bool

	Revenue      Money
	RevenueKnown bool

	Points      int64 // reciprocity in thousandths of a point
	PointsKnown bool

	FirstUse time.Time // zero: first use is now

	// Released is when the version used was first publicly released; zero
	// when unknown (a releasedYearsAgo leaf then does not hold).
	Released time.Time

	Named []NamedFact

	// Index adjusts thresholds stated in a base year's money.
	Index IndexSeries
}

// NamedFact is a fact known to hold for the entity.
type NamedFact struct {
	Name     string
	Attested bool
}

// Step records one clause evaluated: whether its condition held and the
// leaf that settled it.
type Step struct {
	Clause int
	Held   bool
	Leaf   *Condition // nil for a default clause
}

// Evaluate walks the clauses in order and returns the index of the first
// whose condition holds (the default clause always does), appending a Step
// per clause evaluated to trace. It allocates nothing beyond trace's growth.
func (t *Terms) Evaluate(f *Facts, trace []Step) (int, []Step) {
	for i := range t.Clauses {
		held, leaf := eval(t.Clauses[i].When, f)
		trace = append(trace, Step{Clause: i, Held: held, Leaf: leaf})
		if held {
			return i, trace
		}
	}
	// Parse guarantees a default clause; terms built by hand may lack one.
	return -1, trace
}

func eval(c *Condition, f *Facts) (bool, *Condition) {
	if c == nil {
		return true, nil
	}
	switch {
	case c.All != nil:
		var leaf *Condition
		for _, s := range c.All {
			ok, l := eval(s, f)
			if !ok {
				return false, l
			}
			leaf = l
		}
		return true, leaf
	case c.Any != nil:
		var leaf *Condition
		for _, s := range c.Any {
			ok, l := eval(s, f)
			if ok {
				return true, l
			}
			leaf = l
		}
		return false, leaf
	case c.Not != nil:
		ok, l := eval(c.Not, f)
		return !ok, l
	}
	return leaf(c, f), c
}

func leaf(c *Condition, f *Facts) bool {
	switch {
	case c.Commercial != nil:
		return f.Commercial == *c.Commercial
	case c.PurposeIn != nil:
		return slices.Contains(c.PurposeIn, f.Purpose)
	case c.PurposeNotIn != nil:
		return !slices.Contains(c.PurposeNotIn, f.Purpose)
	case c.EntityKindIn != nil:
		return f.Kind != "" && slices.Contains(c.EntityKindIn, f.Kind)
	case c.WorkerOwned != nil:
		return f.WorkerOwnedKnown && f.WorkerOwned == *c.WorkerOwned
	case c.Reciprocity != nil:
		return f.PointsKnown && f.Points >= c.Reciprocity.MinPoints*1000
	case c.HeadcountBelow != nil:
		return f.HeadcountKnown && f.Headcount < *c.HeadcountBelow
	case c.RevenueBelow != nil:
		limit, _, ok := c.RevenueBelow.Adjusted(f.Index, f.At)
		return ok && f.RevenueKnown && f.Revenue.Currency == c.RevenueBelow.Currency && f.Revenue.Amount < limit
	case c.TrialDays != nil:
		return f.At.Before(trialEnd(c, f))
	case c.OnOrAfter != nil:
		return !f.At.Before(c.OnOrAfter.Time)
	case c.ReleasedYears != nil:
		return !f.Released.IsZero() && !f.At.Before(f.Released.AddDate(*c.ReleasedYears, 0, 0))
	case c.Fact != nil:
		for _, n := range f.Named {
			if n.Name == c.Fact.Name && (n.Attested || !c.Fact.Attested) {
				return true
			}
		}
		return false
	}
	return false
}

func trialEnd(c *Condition, f *Facts) time.Time {
	start := f.FirstUse
	if start.IsZero() {
		start = f.At
	}
	return start.AddDate(0, 0, *c.TrialDays)
}

// ConversionAt returns when a releasedYearsAgo leaf starts holding for f,
// or the zero time for any other leaf or an unknown release date.
func (c *Condition) ConversionAt(f *Facts) time.Time {
	if c == nil || c.ReleasedYears == nil || f.Released.IsZero() {
		return time.Time{}
	}
	return f.Released.AddDate(*c.ReleasedYears, 0, 0)
}

// TrialEnd returns when a trialDays leaf stops holding for f, or the zero
// time for any other leaf.
func (c *Condition) TrialEnd(f *Facts) time.Time {
	if c == nil || c.TrialDays == nil {
		return time.Time{}
	}
	return trialEnd(c, f)
}

// Reason says, for people, why step's clause held or not given f, with the
// observed value: "reciprocity 40.000 < 100", "headcount 250 ≥ 100".
func (s Step) Reason(f *Facts) string {
	c := s.Leaf
	if c == nil {
		return "default clause"
	}
	ok := leaf(c, f)
	switch {
	case c.Commercial != nil:
		if f.Commercial {
			return "use is commercial"
		}
		return "use is non-commercial"
	case c.PurposeIn != nil, c.PurposeNotIn != nil:
		p := f.Purpose
		if p == "" {
			p = "(none)"
		}
		return fmt.Sprintf("purpose %s: %s", p, yes(ok, c.String()))
	case c.EntityKindIn != nil:
		if f.Kind == "" {
			return "entity kind unknown"
		}
		return fmt.Sprintf("entity kind %s%s: %s", f.Kind, attested(f.KindAttested), yes(ok, c.String()))
	case c.WorkerOwned != nil:
		if !f.WorkerOwnedKnown {
			return "worker ownership unknown"
		}
		if f.WorkerOwned {
			return "entity is worker-owned with surplus to workers" + attested(f.WorkerOwnedAttested)
		}
		return "entity is not worker-owned with surplus to workers" + attested(f.WorkerOwnedAttested)
	case c.Reciprocity != nil:
		if !f.PointsKnown {
			return "reciprocity unknown (no ledger)"
		}
		return fmt.Sprintf("reciprocity %s %s %d", FormatPoints(f.Points), cmp(ok, "≥", "<"), c.Reciprocity.MinPoints)
	case c.HeadcountBelow != nil:
		if !f.HeadcountKnown {
			return "headcount unknown"
		}
		return fmt.Sprintf("headcount %d %s %d", f.Headcount, cmp(ok, "<", "≥"), *c.HeadcountBelow)
	case c.RevenueBelow != nil:
		if !f.RevenueKnown {
			return "annual revenue unknown"
		}
		limit, year, adjusted := c.RevenueBelow.Adjusted(f.Index, f.At)
		if !adjusted {
			return fmt.Sprintf("threshold %s cannot be adjusted: no index for %d and a later year up to %d", c.RevenueBelow, c.RevenueBelow.BaseYear, f.At.Year()-1)
		}
		shown := Money{Amount: limit, Currency: c.RevenueBelow.Currency}.String()
		if year != 0 {
			shown += fmt.Sprintf(" (%s adjusted to %d)", c.RevenueBelow, year)
		}
		return fmt.Sprintf("annual revenue %s %s %s", f.Revenue, cmp(ok, "<", "not below"), shown)
	case c.TrialDays != nil:
		return fmt.Sprintf("trial of %d days ends %s: %s", *c.TrialDays, trialEnd(c, f).Format(time.RFC3339), cmp(ok, "inside", "over"))
	case c.OnOrAfter != nil:
		return fmt.Sprintf("%s %s %s", f.At.Format(time.DateOnly), cmp(ok, "is on or after", "is before"), c.OnOrAfter.Format(time.DateOnly))
	case c.ReleasedYears != nil:
		if f.Released.IsZero() {
			return "release date of the version used unknown"
		}
		return fmt.Sprintf("version released %s: %s", f.Released.Format(time.DateOnly), yes(ok, c.String()))
	case c.Fact != nil:
		return fmt.Sprintf("%s: %s", c.String(), cmp(ok, "holds", "not established"))
	}
	return c.String()
}

func yes(ok bool, s string) string {
	if ok {
		return s
	}
	return "not " + s
}

func cmp(ok bool, a, b string) string {
	if ok {
		return a
	}
	return b
}

func attested(a bool) string {
	if a {
		return " (attested)"
	}
	return " (self-declared)"
}

// FormatPoints writes thousandths of a point as a decimal: 40500 -> "40.500".
func FormatPoints(milli int64) string {
	sign := ""
	if milli < 0 {
		sign, milli = "-", -milli
	}
	frac := strconv.FormatInt(milli%1000, 10)
	for len(frac) < 3 {
		frac = "0" + frac
	}
	return sign + strconv.FormatInt(milli/1000, 10) + "." + frac
}

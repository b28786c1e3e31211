package contribution

import (
	"cmp"
	"math"
	"slices"
	"time"
)

type accumulator struct {
	breakdown bool
	total     int64
	commons   map[string]int64
	members   map[string]int64
	kinds     map[string]int64
	stmts     []string
}

func (a *accumulator) add(commons, member, kind, stmt string, v uint64) error {
	if v > math.MaxInt64 || a.total > math.MaxInt64-int64(v) {
		return errorf(ErrOverflow, stmt, "", "the total exceeds %s points; lower the weights or the window", Points(math.MaxInt64))
	}
	a.total += int64(v)
	if !a.breakdown {
		return nil
	}
	if a.commons == nil {
		a.commons, a.members, a.kinds = map[string]int64{}, map[string]int64{}, map[string]int64{}
	}
	a.commons[commons] += int64(v)
	a.members[member] += int64(v)
	a.kinds[kind] += int64(v)
	a.stmts = append(a.stmts, stmt)
	return nil
}

func shares(m map[string]int64) []Share {
	out := make([]Share, 0, len(m))
	for k, v := range m {
		out = append(out, Share{k, Points(v)})
	}
	slices.SortFunc(out, func(a, b Share) int { return cmp.Compare(a.Key, b.Key) })
	return out
}

func (a *accumulator) result() Reciprocity {
	slices.Sort(a.stmts)
	return Reciprocity{
		Total:      Points(a.total),
		ByCommons:  shares(a.commons),
		ByMember:   shares(a.members),
		ByKind:     shares(a.kinds),
		Statements: slices.Compact(a.stmts),
	}
}

func checkQuery(q Query) error {
	switch {
	case q.Commons == "":
		return errorf(ErrInvalid, "", "Commons", "a query needs a commons")
	case q.At.IsZero():
		return errorf(ErrInvalid, "", "At", "a query needs the time it is asked at")
	case q.Window < 0 || q.HalfLife < 0:
		return errorf(ErrInvalid, "", "Window", "window and half-life must not be negative")
	}
	return checkWeights(q)
}

// sum adds to acc what q.Entity earns from contributions dated at or before
// cutoff, with the window and decay judged at evalAt (evalAt ≥ cutoff).
func (l *Ledger) sum(q Query, cutoff, evalAt time.Time, acc *accumulator) error {
	if err := checkQuery(q); err != nil {
		return err
	}
	if q.Entity == "" {
		return errorf(ErrInvalid, "", "Entity", "a reciprocity query needs an entity")
	}
	members, err := l.store.Members(q.Entity)
	if err != nil {
		return err
	}
	comIDs, weights := recognisedIDs(q)
	windowStart := time.Time{}
	if q.Window > 0 {
		windowStart = evalAt.Add(-q.Window)
	}
	for i := 0; i < len(members); {
		j := i
		for j < len(members) && members[j].Contributor == members[i].Contributor {
			j++
		}
		if err := l.sumMember(q, members[i].Contributor, mergePeriods(members[i:j]), comIDs, weights, windowStart, cutoff, evalAt, acc); err != nil {
			return err
		}
		i = j
	}
	return nil
}

type period struct{ from, until time.Time } // until zero = open

// mergePeriods joins overlapping or touching periods so no contribution is
// counted twice for two memberships of the same person in the same entity.
func mergePeriods(ms []Membership) []period {
	ps := make([]period, 0, len(ms))
	for _, m := range ms {
		ps = append(ps, period{m.From, m.Until})
	}
	slices.SortFunc(ps, func(a, b period) int { return a.from.Compare(b.from) })
	out := ps[:0]
	for _, p := range ps {
		if n := len(out); n > 0 {
			last := &out[n-1]
			if last.until.IsZero() || !p.from.After(last.until) {
				if last.until.IsZero() || p.until.IsZero() {
					last.until = time.Time{}
				} else if p.until.After(last.until) {
					last.until = p.until
				}
				continue
			}
		}
		out = append(out, p)
	}
	return out
}

func (l *Ledger) sumMember(q Query, member string, periods []period, comIDs []string, weights map[string]int64, windowStart, cutoff, evalAt time.Time, acc *accumulator) error {
	var all []Membership // member's memberships in every entity, fetched when a contribution names none
	for _, p := range periods {
		{
			after := p.from.Add(-1)
			if windowStart.After(after) {
				after = windowStart
			}
			upTo := cutoff
			if !p.until.IsZero() && p.until.Add(-1).Before(upTo) {
				upTo = p.until.Add(-1)
			}
			if !upTo.After(after) {
				continue
			}
			err := l.store.Range(member, comIDs, after, upTo, func(com string, r Record) error {
				w := weights[com]
				if r.Entity != "" && r.Entity != q.Entity {
					return nil
				}
				kw := kindWeight(q, r.Kind)
				v := weigh(r.Quantity, kw, w, evalAt.Sub(r.At), q.HalfLife)
				if r.Entity == "" {
					if all == nil {
						var err error
						if all, err = l.store.MembershipsOf(member); err != nil {
							return err
						}
					}
					v = splitShare(v, all, q.Entity, r.At)
				}
				return acc.add(com, member, r.Kind, r.Statement, v)
			})
			if err != nil {
				return err
			}
		}
	}
	return nil
}

// splitShare is entity's part of v when v is shared equally among the
// distinct entities with a membership covering t: v/k, plus one of the
// v mod k leftover thousandths for each of the first entities in id order,
// so the parts always add up to v exactly.
func splitShare(v uint64, all []Membership, entity string, t time.Time) uint64 {
	var k, idx uint64
	prev := ""
	for _, m := range all { // sorted by entity within one contributor
		if m.Entity == prev || !m.Covers(t) {
			continue
		}
		prev = m.Entity
		if m.Entity < entity {
			idx++
		}
		k++
	}
	if k == 0 {
		return 0
	}
	s := v / k
	if idx < v%k {
		s++
	}
	return s
}

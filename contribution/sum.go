package contribution

import (
	"context"
	"math"
	"slices"
	"strings"
	"time"
)

// accumulator sums points and, when breakdown is set, their parts. The
// breakdowns have few keys (commons, kinds) or arrive grouped (members are
// summed one after another), so small slices beat maps here.
type accumulator struct {
	breakdown bool
	total     int64
	commons   []Share
	members   []Share
	kinds     []Share
	stmts     []Share
	// terms, when set, collects the counted contributions instead of
	// summing them.
	terms *[]term
}

func (a *accumulator) add(commons, member, kind, stmt string, v uint64) error {
	if v > math.MaxInt64 || a.total > math.MaxInt64-int64(v) {
		return errorf(ErrOverflow, stmt, "", "the total exceeds %s points; lower the weights or the window", Points(math.MaxInt64))
	}
	a.total += int64(v)
	if !a.breakdown {
		return nil
	}
	a.commons = addShare(a.commons, commons, v)
	if n := len(a.members); n > 0 && a.members[n-1].Key == member {
		a.members[n-1].Points += Points(v)
	} else {
		a.members = addShare(a.members, member, v)
	}
	a.kinds = addShare(a.kinds, kind, v)
	a.stmts = append(a.stmts, Share{stmt, Points(v)})
	return nil
}

func addShare(list []Share, key string, v uint64) []Share {
	for i := range list {
		if list[i].Key == key {
			list[i].Points += Points(v)
			return list
		}
	}
	return append(list, Share{key, Points(v)})
}

func sortShares(list []Share) []Share {
	if list == nil {
		list = []Share{}
	}
	slices.SortFunc(list, func(a, b Share) int { return strings.Compare(a.Key, b.Key) })
	return list
}

func (a *accumulator) result() Reciprocity {
	stmts := sumByKey(a.stmts)
	return Reciprocity{
		Total:       Points(a.total),
		ByCommons:   sortShares(a.commons),
		ByMember:    sortShares(a.members),
		ByKind:      sortShares(a.kinds),
		ByStatement: stmts,
		Statements:  len(stmts),
	}
}

// sumByKey sorts shares by key and adds up those with the same key, in
// place: the breakdown of a total whose parts arrived in any order.
func sumByKey(list []Share) []Share {
	list = sortShares(list)
	out := list[:0]
	for _, s := range list {
		if n := len(out); n > 0 && out[n-1].Key == s.Key {
			out[n-1].Points += s.Points
			continue
		}
		out = append(out, s)
	}
	return out
}

func checkQuery(q Query) error {
	switch {
	case q.Commons == "":
		return errorf(ErrInvalid, "", "Commons", "a query needs a commons")
	case q.At.IsZero():
		return errorf(ErrInvalid, "", "At", "a query needs the time it is asked at")
	case q.Window < 0 || q.HalfLife < 0:
		return errorf(ErrInvalid, "", "Window", "window and half-life must not be negative")
	case q.MaxStatements < 0:
		return errorf(ErrInvalid, "", "MaxStatements", "the bound on listed statements must not be negative (0: no bound)")
	}
	return checkWeights(q)
}

// sum adds to acc what q.Entity earns from contributions dated at or before
// cutoff, with the window and decay judged at evalAt (evalAt ≥ cutoff).
func (l *Ledger) sum(ctx context.Context, q Query, cutoff, evalAt time.Time, acc *accumulator) error {
	if err := checkQuery(q); err != nil {
		return err
	}
	if q.Entity == "" {
		return errorf(ErrInvalid, "", "Entity", "a reciprocity query needs an entity")
	}
	st := &sumState{q: q, acc: acc, evalAt: evalAt}
	st.comIDs, st.weights = recognisedIDs(q)
	windowStart := time.Time{}
	if q.Window > 0 {
		windowStart = evalAt.Add(-q.Window)
	}
	if ms, ok := l.store.(*MemStore); ok {
		return l.sumMem(ms, st, windowStart, cutoff)
	}
	return l.sumStore(ctx, st, windowStart, cutoff)
}

// memberWindow is the part of (after, upTo] a member's merged membership
// periods cover, clipped to the query's window and cutoff; ok is false when
// they cover none of it.
func memberWindow(p period, windowStart, cutoff time.Time) (after, upTo time.Time, ok bool) {
	after = p.from.Add(-1)
	if windowStart.After(after) {
		after = windowStart
	}
	upTo = cutoff
	if !p.until.IsZero() && p.until.Add(-1).Before(upTo) {
		upTo = p.until.Add(-1)
	}
	return after, upTo, upTo.After(after)
}

// sumMem reads a MemStore under one read lock for the whole sum: nothing
// below takes it again (visit never calls into the store), so there is no
// nested read lock to deadlock behind a waiting writer, and a query pays for
// one lock instead of three per member.
func (l *Ledger) sumMem(ms *MemStore, st *sumState, windowStart, cutoff time.Time) error {
	visit := st.visit // one closure per query, not per member
	ms.mu.RLock()
	defer ms.mu.RUnlock()
	idx := ms.resolveLocked(st.comIDs)
	members := ms.members[st.q.Entity]
	var periods []period
	for i := 0; i < len(members); {
		j := i
		for j < len(members) && members[j].Contributor == members[i].Contributor {
			j++
		}
		st.member = members[i].Contributor
		st.all = ms.memOf[st.member]
		periods = mergePeriods(periods[:0], members[i:j])
		for _, p := range periods {
			after, upTo, ok := memberWindow(p, windowStart, cutoff)
			if !ok {
				continue
			}
			if err := ms.rangeLocked(st.member, idx, after, upTo, visit); err != nil {
				return err
			}
		}
		i = j
	}
	return nil
}

// sumStore answers from any Store in two calls whatever the member count:
// every membership of the members, then one RangeMany over the union of
// their windows, each record kept only when one of its contributor's
// membership periods in the entity covers it. It counts exactly what
// sumMem counts: a record inside the union but outside its contributor's
// windows is dropped, one inside is seen once (the periods are merged).
func (l *Ledger) sumStore(ctx context.Context, st *sumState, windowStart, cutoff time.Time) error {
	all, err := l.store.MembershipsOfMembers(ctx, st.q.Entity)
	if err != nil {
		return err
	}
	type member struct {
		all     []Membership
		windows []period // (from, until] here: after and upTo of each period
	}
	by := map[string]*member{}
	var who []string
	var lo, hi time.Time
	first := true
	var periods []period
	var in []Membership
	for i := 0; i < len(all); {
		j := i
		in = in[:0]
		for j < len(all) && all[j].Contributor == all[i].Contributor {
			if all[j].Entity == st.q.Entity {
				in = append(in, all[j])
			}
			j++
		}
		m := &member{all: all[i:j:j]}
		periods = mergePeriods(periods[:0], in)
		for _, p := range periods {
			after, upTo, ok := memberWindow(p, windowStart, cutoff)
			if !ok {
				continue
			}
			m.windows = append(m.windows, period{after, upTo})
			if first || after.Before(lo) {
				lo = after
			}
			if first || upTo.After(hi) {
				hi = upTo
			}
			first = false
		}
		if len(m.windows) > 0 {
			by[all[i].Contributor] = m
			who = append(who, all[i].Contributor)
		}
		i = j
	}
	if len(who) == 0 {
		return nil
	}
	var cur *member
	return l.store.RangeMany(ctx, who, st.comIDs, lo, hi, func(contributor string, ci int, r Record) error {
		if cur == nil || st.member != contributor {
			if cur = by[contributor]; cur == nil {
				return errorf(ErrInvalid, r.Statement, "contributor", "the store returned a contribution of %q, who was not asked for", contributor)
			}
			st.member, st.all = contributor, cur.all
		}
		for _, w := range cur.windows {
			if r.At.After(w.from) && !r.At.After(w.until) {
				return st.visit(ci, r)
			}
		}
		return nil
	})
}

type period struct{ from, until time.Time } // until zero = open

// mergePeriods joins overlapping or touching periods so no contribution is
// counted twice for two memberships of the same person in the same entity.
func mergePeriods(ps []period, ms []Membership) []period {
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

// sumState is one query's progress; visit sees each candidate record of the
// current member.
type sumState struct {
	q       Query
	acc     *accumulator
	evalAt  time.Time
	comIDs  []string
	weights []int64
	member  string
	all     []Membership // member's memberships in every entity
}

func (st *sumState) visit(ci int, r Record) error {
	if r.Entity != "" && r.Entity != st.q.Entity {
		return nil
	}
	if st.acc.terms != nil {
		t := term{at: r.At, base: weightedQty(r.Quantity, kindWeight(st.q, r.Kind), st.weights[ci]), k: 1}
		if r.Entity == "" {
			t.k, t.idx = splitParts(st.all, st.q.Entity, r.At)
		}
		if t.k > 0 && t.base > 0 {
			*st.acc.terms = append(*st.acc.terms, t)
		}
		return nil
	}
	v := weigh(r.Quantity, kindWeight(st.q, r.Kind), st.weights[ci], st.evalAt.Sub(r.At), st.q.HalfLife)
	if r.Entity == "" {
		v = splitShare(v, st.all, st.q.Entity, r.At)
	}
	return st.acc.add(st.comIDs[ci], st.member, r.Kind, r.Statement, v)
}

// splitShare is entity's part of v when v is shared equally among the
// distinct entities with a membership covering t: v/k, plus one of the
// v mod k leftover thousandths for each of the first entities in id order,
// so the parts always add up to v exactly.
func splitShare(v uint64, all []Membership, entity string, t time.Time) uint64 {
	k, idx := splitParts(all, entity, t)
	return shareOf(v, k, idx)
}

// splitParts counts the distinct entities with a membership covering t (k)
// and those among them ordered before entity (idx).
func splitParts(all []Membership, entity string, t time.Time) (k, idx uint64) {
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
	return k, idx
}

func shareOf(v, k, idx uint64) uint64 {
	if k == 0 {
		return 0
	}
	s := v / k
	if idx < v%k {
		s++
	}
	return s
}

// term is one counted contribution reduced to what its points at a later
// instant depend on: its date, its weighted quantity, and its split.
type term struct {
	at     time.Time
	base   uint64
	k, idx uint64
}

// totalAt is what the collected terms are worth at evalAt, exactly as sum
// would count them with the window and decay judged at evalAt.
func totalAt(terms []term, q Query, evalAt time.Time) (int64, error) {
	var acc accumulator
	var windowStart time.Time
	if q.Window > 0 {
		windowStart = evalAt.Add(-q.Window)
	}
	for _, t := range terms {
		if q.Window > 0 && !t.at.After(windowStart) {
			continue
		}
		v := shareOf(decayed(t.base, evalAt.Sub(t.at), q.HalfLife), t.k, t.idx)
		if err := acc.add("", "", "", "", v); err != nil {
			return 0, err
		}
	}
	return acc.total, nil
}

package contribution

import (
	"math"
	"slices"
	"strings"
	"sync"
	"time"
)

// prefixCell is one (member, commons, kind) part of a prefix-sum answer:
// r, its contributions rebased to the anchor of block top and unweighted,
// and x, the same after the kind and recognition weights, in units ×
// 2^prefixFrac.
type prefixCell struct {
	member string
	com    int // index in comIDs
	kind   uint32
	kw, rw uint64 // its kind and recognition weights
	r, x   u128
}

// prefixQuery is one query answered from a MemStore's prefix sums.
type prefixQuery struct {
	q       Query
	comIDs  []string
	weights []int64
	cells   []prefixCell
	count   int   // contribution statements in the counted ranges
	first   int64 // the earliest counted date, when count > 0
	top     int64 // block key of the evaluation instant
	z       u128  // Σ x over cells
	// kindNames are the store's interned names, kinds among them.
	kindNames []string
	ranges    []prange
	// stmts, when list is set, collects each counted statement with its
	// weighted rebased value.
	list    bool
	listMax int // list no more than this many (0: no bound), else none
	stmts   []stmtPart
	ep      entityPlan // the entity index's plan, whose total is z
}

type stmtPart struct {
	stmt string
	x    u128
}

// span is a date range (after, upTo] in unix ns whose unnamed
// contributions are split k ways (k is 1 for named ones).
type span struct {
	after, upTo int64
	k           uint64
}

// lowestAt is the date at or before which nothing counts when judged at
// t: the window's start, or 63 half-lives back (the direct sum counts
// nothing that old), whichever is later; MinInt64 for neither.
func lowestAt(q Query, t int64) int64 {
	lowest := int64(math.MinInt64)
	if q.Window > 0 && t > math.MinInt64+int64(q.Window) {
		lowest = t - int64(q.Window)
	}
	if h := int64(q.HalfLife); h > 0 && h <= math.MaxInt64/63 && t > math.MinInt64+63*h && t-63*h > lowest {
		lowest = t - 63*h
	}
	return lowest
}

// prange is one date range of one group that a query counts: entries
// [lo, hi) of g, split k ways, adding to cell.
type prange struct {
	g      *sumGroup
	es     []entry // the group's series, for the statements' digests
	lo, hi int
	k      uint64
	cell   int
}

// prefixRun fills pq.cells for the contributions dated at or before cutoff,
// with window and decay judged at evalAt. Called with s.mu held for reading.
func (s *MemStore) prefixRun(pq *prefixQuery, idx []uint32, cutoff, evalAt int64) error {
	s.prefixRanges(pq, idx, cutoff, evalAt)
	if err := pq.evalAt(evalAt); err != nil {
		return err
	}
	// The total is the entity index's, which the members' parts never
	// exceed (see entityindex.go), so FallsBelow searches the same total.
	ei := s.entityIndex(pq.q.Entity, int64(pq.q.HalfLife))
	ei.plan(&pq.ep, pq.q, idx, pq.weights, pq.kindNames, cutoff)
	z, _, _, _, err := pq.ep.evalAt(evalAt)
	if err != nil {
		return err
	}
	pq.z = z
	if pq.list { // after evalAt, which sets the anchor they are rebased to
		for k := range pq.ranges {
			pq.listRange(&pq.ranges[k])
		}
	}
	return nil
}

// prefixRanges collects the ranges and cells of pq as judged at evalAt;
// judged later, the same ranges serve with their starts moved up to the
// window (see evalAt).
func (s *MemStore) prefixRanges(pq *prefixQuery, idx []uint32, cutoff, evalAt int64) {
	q := pq.q
	pq.cells, pq.ranges = pq.cells[:0], pq.ranges[:0]
	h := int64(q.HalfLife)
	lowest := lowestAt(q, evalAt)
	entity, named := s.nameID[q.Entity]
	members := s.members[q.Entity]
	var periods []period
	var whole, split []span
	for i := 0; i < len(members); {
		j := i
		for j < len(members) && members[j].Contributor == members[i].Contributor {
			j++
		}
		member := members[i].Contributor
		p := s.people[member]
		periods = mergePeriods(periods[:0], members[i:j])
		i = j
		if p == nil {
			continue
		}
		whole, split = memberSpans(whole[:0], split[:0], periods, s.memOf[member], q.Entity, lowest, cutoff)
		first := len(pq.cells)
		for n, c := range idx {
			k, ok := slices.BinarySearch(p.commons, c)
			if !ok {
				continue
			}
			ss := s.sums(p, k, h)
			for g := range ss.groups {
				gr := &ss.groups[g]
				spans := split
				if gr.entity != 0 {
					if !named || gr.entity != entity {
						continue
					}
					spans = whole
				}
				cell := -1
				for _, sp := range spans {
					lo, hi := gr.bounds(sp.after, sp.upTo)
					if lo >= hi {
						continue
					}
					if cell < 0 {
						cell = pq.addCell(first, member, n, gr.kind)
					}
					pq.ranges = append(pq.ranges, prange{g: gr, es: p.series[k], lo: lo, hi: hi, k: sp.k, cell: cell})
				}
			}
		}
	}
}

// evalAt sums pq's ranges judged at t (no earlier than the instant they
// were collected at) into its cells and weighs them.
func (pq *prefixQuery) evalAt(t int64) error {
	pq.count, pq.first = 0, math.MaxInt64
	pq.top = blockKey(t, blockSpan(int64(pq.q.HalfLife)))
	lowest := lowestAt(pq.q, t)
	for k := range pq.cells {
		pq.cells[k].r = u128{}
	}
	for k := range pq.ranges {
		rg := &pq.ranges[k]
		lo := rg.lo
		if at := rg.g.at; at[lo] <= lowest {
			lo += searchAfter(at[lo:rg.hi], lowest)
			if lo >= rg.hi {
				continue
			}
		}
		d := rg.g.sumIdx(lo, rg.hi, pq.top)
		pq.count += rg.hi - lo
		pq.first = min(pq.first, rg.g.at[lo])
		if rg.k > 1 {
			d = d.div64(rg.k)
		}
		c := &pq.cells[rg.cell]
		var carry bool
		if c.r, carry = c.r.add(d); carry {
			return overflowErr()
		}
	}
	return pq.weigh()
}

// listRange adds to pq.stmts the statements of gr dated in sp, each with
// its value weighed as its cell's (the weights applied to it alone).
func (pq *prefixQuery) listRange(rg *prange) {
	gr, lo, hi, es, sp := rg.g, rg.lo, rg.hi, rg.es, rg
	if !pq.list || (pq.listMax > 0 && len(pq.stmts)+hi-lo > pq.listMax) {
		pq.list, pq.stmts = false, nil
		return
	}
	kw, rw := pq.cells[rg.cell].kw, pq.cells[rg.cell].rw
	for j := lo; j < hi; j++ {
		v := gr.entry(j, pq.top)
		if sp.k > 1 {
			v = v.div64(sp.k)
		}
		v, _ = v.mul64(kw) // below its cell's product, checked by weigh
		v, _ = v.div64(1000).mul64(rw)
		pq.stmts = append(pq.stmts, stmtPart{es[gr.stmt[j]].stmt, v.div64(1000)})
	}
}

func overflowErr() error {
	return errorf(ErrOverflow, "", "", "the total exceeds %s points; lower the weights or the window", Points(math.MaxInt64))
}

// addCell returns the index of the cell of (member, com, kind), the
// member's cells being those from first.
func (pq *prefixQuery) addCell(first int, member string, com int, kind uint32) int {
	for k := first; k < len(pq.cells); k++ {
		if c := &pq.cells[k]; c.com == com && c.kind == kind {
			return k
		}
	}
	pq.cells = append(pq.cells, prefixCell{member: member, com: com, kind: kind, kw: uint64(pq.kindWeight(kind)), rw: uint64(pq.weights[com])})
	return len(pq.cells) - 1
}

// weigh applies each cell's kind and recognition weights,
// r×kw/1000×rw/1000 rounded down, and sums them into z.
func (pq *prefixQuery) weigh() error {
	pq.z = u128{}
	for k := range pq.cells {
		c := &pq.cells[k]
		c.x = u128{}
		if c.r == (u128{}) {
			continue
		}
		v, ok1 := c.r.mul64(c.kw)
		v = v.div64(1000)
		v, ok2 := v.mul64(c.rw)
		c.x = v.div64(1000)
		var carry bool
		pq.z, carry = pq.z.add(c.x)
		if !ok1 || !ok2 || carry {
			return overflowErr()
		}
	}
	return nil
}

func (pq *prefixQuery) kindWeight(kind uint32) int64 {
	if pq.q.KindWeights == nil {
		return 1000
	}
	return pq.q.KindWeights[pq.kindNames[kind]]
}

// memberSpans turns one member's merged periods in entity into date
// ranges within (lowest, cut]: whole for contributions naming the entity,
// split for those naming none, cut where the number of entities the member
// belongs to changes.
func memberSpans(whole, split []span, periods []period, all []Membership, entity string, lowest, cut int64) ([]span, []span) {
	var buf [16]int64
	for _, p := range periods {
		from, until := p.from.UnixNano(), int64(math.MaxInt64)
		if !p.until.IsZero() {
			until = p.until.UnixNano()
		}
		if a, u := max(from-1, lowest), min(until-1, cut); u > a {
			whole = append(whole, span{a, u, 1})
		}
		// Instants inside the period where some membership starts or ends.
		cuts := buf[:0]
		for _, m := range all {
			for _, x := range [2]time.Time{m.From, m.Until} {
				if !x.IsZero() && x.UnixNano() > from && x.UnixNano() < until {
					cuts = append(cuts, x.UnixNano())
				}
			}
		}
		slices.Sort(cuts)
		cuts = slices.Compact(cuts)
		x := from
		for c := 0; c <= len(cuts); c++ {
			y := until
			if c < len(cuts) {
				y = cuts[c]
			}
			if a, u := max(x-1, lowest), min(y-1, cut); u > a {
				k, _ := splitParts(all, entity, time.Unix(0, x))
				split = append(split, span{a, u, k})
			}
			x = y
		}
	}
	return whole, split
}

// decay is what v (rebased to the anchor of block pq.top) is worth at t,
// still × 2^prefixFrac.
func (pq *prefixQuery) decay(v u128, t int64) u128 {
	return decayTo(v, pq.top, t, int64(pq.q.HalfLife))
}

// decayer is pq.decay at t with the factor worked out once.
func (pq *prefixQuery) decayer(t int64) func(u128) u128 {
	h := int64(pq.q.HalfLife)
	if h <= 0 {
		return func(v u128) u128 { return v }
	}
	n, m := expNeg(uint64(t-pq.top*blockSpan(h)), uint64(h))
	return func(v u128) u128 { return v.mulShr(m, decayShift+uint(n)) }
}

// decayTo is what v, rebased to the anchor of block top, is worth at t.
func decayTo(v u128, top, t, h int64) u128 {
	if h <= 0 {
		return v
	}
	n, m := expNeg(uint64(t-top*blockSpan(h)), uint64(h))
	return v.mulShr(m, decayShift+uint(n))
}

// roundBias, 2^-12 thousandths, is added before the last rounding down.
// Every step before rounds down, by less than 2^-12 thousandths in all for
// answers up to some 10^5 points from fewer than 10^4 contributions, so an
// answer whose exact value is a whole number of thousandths comes out
// exactly that; and no answer exceeds its exact value by more than the
// bias, so a contribution split among up to 4,096 entities is not counted
// more than once in all.
var roundBias = u128{0, 1 << (prefixFrac - 12)}

// points rounds a decayed fixed-point value down to Points.
func points(v u128) (uint64, bool) {
	v, c := v.add(roundBias)
	v = v.shr(prefixFrac)
	return v.lo, !c && v.hi == 0 && v.lo <= math.MaxInt64
}

// result is the answer at t: Total the decayed sum of every cell, rounded
// down once; each breakdown its parts rounded down and the units that
// rounding lost given, one each, to the parts with the largest remainders
// (ties to the lower key), so that every breakdown adds up to Total.
func (pq *prefixQuery) result(t int64, breakdown bool) (Reciprocity, error) {
	total, ok := points(pq.decay(pq.z, t))
	if !ok {
		return Reciprocity{}, overflowErr()
	}
	r := Reciprocity{Total: Points(total), Statements: pq.count}
	if !breakdown {
		return r, nil
	}
	r.ByCommons = pq.apportion(total, t, func(c *prefixCell) uint64 { return uint64(c.com) }, func(c *prefixCell) string { return pq.comIDs[c.com] })
	r.ByMember = pq.apportion(total, t, nil, func(c *prefixCell) string { return c.member })
	r.ByKind = pq.apportion(total, t, func(c *prefixCell) uint64 { return uint64(c.kind) }, func(c *prefixCell) string { return pq.kindNames[c.kind] })
	if pq.list {
		parts := make([]part, len(pq.stmts))
		for k, sp := range pq.stmts {
			parts[k] = part{key: sp.stmt, x: sp.x}
		}
		r.ByStatement = pq.share(parts, total, t)
	} else if pq.listMax == 0 {
		r.ByStatement = []Share{}
	}
	return r, nil
}

type part struct {
	key  string
	x    u128
	rest uint64 // fractional thousandths, × 2^prefixFrac
	pts  uint64
}

// apportion shares total among the parts that name gives the cells. id,
// when set, is a number standing for the name (a commons index, a kind id),
// cheaper to match; without it parts are matched by name, the cells of one
// part coming one after another (members).
func (pq *prefixQuery) apportion(total uint64, t int64, id func(*prefixCell) uint64, name func(*prefixCell) string) []Share {
	var parts []part
	var ids []uint64
	for k := range pq.cells {
		c := &pq.cells[k]
		i := -1
		if id != nil {
			i = slices.Index(ids, id(c))
		} else if n := len(parts); n > 0 && parts[n-1].key == c.member {
			i = n - 1
		}
		if i < 0 {
			parts = append(parts, part{key: name(c)})
			if id != nil {
				ids = append(ids, id(c))
			}
			i = len(parts) - 1
		}
		parts[i].x, _ = parts[i].x.add(c.x) // parts of z, which fits
	}
	return pq.share(parts, total, t)
}

// share decays each part, rounds it down and hands the units lost to
// rounding to the parts with the largest remainders, so the parts add up
// to total (which is never less than their rounded sum: every rounding of
// a sum loses no more than those of its parts).
func (pq *prefixQuery) share(parts []part, total uint64, t int64) []Share {
	var sum uint64
	decay := pq.decayer(t)
	for k := range parts {
		d := decay(parts[k].x)
		parts[k].pts = d.shr(prefixFrac).lo
		parts[k].rest = d.lo & (1<<prefixFrac - 1)
		sum += parts[k].pts
	}
	slices.SortFunc(parts, func(a, b part) int {
		if a.rest != b.rest {
			if a.rest > b.rest {
				return -1
			}
			return 1
		}
		return strings.Compare(a.key, b.key)
	})
	// The loss is below one unit a part, plus the bias: a round or two.
	for k := 0; sum < total && len(parts) > 0; k = (k + 1) % len(parts) {
		parts[k].pts++
		sum++
	}
	out := make([]Share, len(parts))
	for k, p := range parts {
		out[k] = Share{p.key, Points(p.pts)}
	}
	return sortShares(out)
}

// pqPool keeps the buffers of a query's cells and ranges: a few hundred
// of each for an entity of 50 members, which would otherwise be grown anew
// by every quote.
var pqPool = sync.Pool{New: func() any { return new(prefixQuery) }}

// prefixReciprocity answers q from ms's prefix sums, listing the counted
// statements when list is set.
func (l *Ledger) prefixReciprocity(ms *MemStore, q Query, list bool) (Reciprocity, error) {
	if err := checkPrefixQuery(q); err != nil {
		return Reciprocity{}, err
	}
	pq := pqPool.Get().(*prefixQuery)
	defer pqPool.Put(pq)
	*pq = prefixQuery{q: q, list: list, listMax: q.MaxStatements, cells: pq.cells[:0], ranges: pq.ranges[:0], ep: pq.ep}
	pq.comIDs, pq.weights = recognisedIDs(q)
	ms.mu.RLock()
	defer ms.mu.RUnlock()
	pq.kindNames = ms.names
	t := q.At.UnixNano()
	if err := ms.prefixRun(pq, ms.resolveLocked(pq.comIDs), t, t); err != nil {
		return Reciprocity{}, err
	}
	return pq.result(t, true)
}

func checkPrefixQuery(q Query) error {
	if err := checkQuery(q); err != nil {
		return err
	}
	if q.Entity == "" {
		return errorf(ErrInvalid, "", "Entity", "a reciprocity query needs an entity")
	}
	return nil
}

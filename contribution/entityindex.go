package contribution

import (
	"math"
	"slices"
	"sync"
)

// The entity index: the prefix sums of prefix.go aggregated over an
// entity's members, one group per (commons, kind, split) with the dates of
// every member merged, so that an entity's total at an instant costs
// O(commons × kinds × log n) whatever the number of its members. The
// decay crossing probes the total some twenty times; through the members'
// own sums each probe would cost O(members × commons × kinds × log n).
//
// A contribution enters the index of entity E when it counts for E at all:
// it names E, or names no entity, and is dated within one of its
// contributor's membership periods in E (From inclusive, Until exclusive).
// One naming no entity is divided among the entities its contributor
// belongs to at its date, k ways, so groups are kept per k and a group's
// sum is divided by k, as memberSpans splits a member's ranges.
//
// Every rounding in the prefix sums is down, and the index rounds sums of
// what the members' sums round one by one, so the entity's total from the
// index is never below the sum of its members' parts (breakdowns share it
// out, see prefixQuery.share) and never above the exact value: it is the
// total Reciprocity reports and FallsBelow searches, so both agree to the
// nanosecond.
//
// An index is built lazily by the first query about (entity, half-life)
// that needs it. A member's contribution ingested later is appended to it
// when dated at or after its group's last (see indexAdded); any other
// ingest, any removal of a member's contribution and any change to the
// memberships of a contributor belonging to the entity (which may change
// how that contributor's contributions are split) drop it. It holds, per counted contribution, a date and
// a 128-bit prefix sum.
type entityIndexes struct {
	mu sync.Mutex
	m  map[string][]*entityIndex // by entity, at most maxHalfLives each
}

type entityIndex struct {
	halfLife int64
	groups   []entityGroup
}

type entityGroup struct {
	com, kind uint32
	k         uint64 // the split; 1 for contributions that name the entity
	sumGroup         // stmt unused: listing reads the members' own sums
}

// dropFor drops the indexes of entity and of every entity in mems (a
// contributor's memberships). Called with the store's write lock held.
func (x *entityIndexes) dropFor(entity string, mems []Membership) {
	if len(x.m) == 0 { // see indexAdded
		return
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	if entity != "" {
		delete(x.m, entity)
	}
	for _, m := range mems {
		delete(x.m, m.Entity)
	}
}

// entityIndex returns the index of entity for halfLife, building it if
// none is cached. Called with s.mu held for reading: no writer runs
// meanwhile, so an index built by two readers at once is the same twice.
func (s *MemStore) entityIndex(entity string, halfLife int64) *entityIndex {
	x := &s.eidx
	x.mu.Lock()
	for _, ei := range x.m[entity] {
		if ei.halfLife == halfLife {
			x.mu.Unlock()
			return ei
		}
	}
	x.mu.Unlock()
	ei := s.buildEntityIndex(entity, halfLife)
	x.mu.Lock()
	defer x.mu.Unlock()
	for _, o := range x.m[entity] {
		if o.halfLife == halfLife {
			return o
		}
	}
	if x.m == nil {
		x.m = map[string][]*entityIndex{}
	}
	list := x.m[entity]
	if len(list) >= maxHalfLives {
		list = list[1:]
	}
	x.m[entity] = append(slices.Clip(list), ei)
	return ei
}

type indexItem struct {
	at  int64
	qty Quantity
}

func (s *MemStore) buildEntityIndex(entity string, halfLife int64) *entityIndex {
	entID, named := s.nameID[entity]
	members := s.members[entity]
	type gkey struct {
		com, kind uint32
		k         uint64
	}
	buckets := map[gkey][]indexItem{}
	var periods []period
	var whole, split []span
	for i := 0; i < len(members); {
		j := i
		for j < len(members) && members[j].Contributor == members[i].Contributor {
			j++
		}
		member := members[i].Contributor
		periods = mergePeriods(periods[:0], members[i:j])
		i = j
		p := s.people[member]
		if p == nil {
			continue
		}
		whole, split = memberSpans(whole[:0], split[:0], periods, s.memOf[member], entity, math.MinInt64, math.MaxInt64)
		for n, es := range p.series {
			com := p.commons[n]
			flat := s.comIdx[com].flat
			for k := range es {
				e := &es[k]
				spans := split
				if e.entity != 0 {
					if !named || e.entity != entID {
						continue
					}
					spans = whole
				}
				sp, ok := spanOf(spans, e.at)
				if !ok {
					continue
				}
				f := &flat[e.flat]
				key := gkey{com, f.kind, max(sp.k, 1)}
				buckets[key] = append(buckets[key], indexItem{e.at, f.qty})
			}
		}
	}
	ei := &entityIndex{halfLife: halfLife, groups: make([]entityGroup, 0, len(buckets))}
	span := blockSpan(halfLife)
	for key, items := range buckets {
		slices.SortFunc(items, func(a, b indexItem) int {
			switch {
			case a.at < b.at:
				return -1
			case a.at > b.at:
				return 1
			}
			return 0
		})
		g := entityGroup{com: key.com, kind: key.kind, k: key.k}
		g.at = make([]int64, len(items))
		g.pre = make([]u128, len(items))
		for n, it := range items {
			bk := blockKey(it.at, span)
			if nb := len(g.blocks); nb == 0 || g.blocks[nb-1].key != bk {
				g.blocks = append(g.blocks, sumBlock{start: n, key: bk})
			}
			w := rebased(uint64(it.qty), uint64(it.at-bk*span), halfLife)
			if n > g.blocks[len(g.blocks)-1].start {
				w, _ = g.pre[n-1].add(w) // below 2^127: see rebased
			}
			g.at[n], g.pre[n] = it.at, w
		}
		ei.groups = append(ei.groups, g)
	}
	// Map order must not reach answers: sums are added in a fixed order.
	slices.SortFunc(ei.groups, func(a, b entityGroup) int {
		switch {
		case a.com != b.com:
			return cmpU(uint64(a.com), uint64(b.com))
		case a.kind != b.kind:
			return cmpU(uint64(a.kind), uint64(b.kind))
		}
		return cmpU(a.k, b.k)
	})
	return ei
}

func cmpU(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// spanOf is the span of the ascending, disjoint spans holding date at.
func spanOf(spans []span, at int64) (span, bool) {
	lo, hi := 0, len(spans)
	for lo < hi { // the first span ending at or after at
		m := int(uint(lo+hi) >> 1)
		if spans[m].upTo < at {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo < len(spans) && spans[lo].after < at {
		return spans[lo], true
	}
	return span{}, false
}

// entityPlan is one query over an entity index: the groups of the
// recognised commons, each counted up to the query's instant, and the
// (commons, kind) cells they add to with the query's weights.
type entityPlan struct {
	q      Query
	groups []planGroup
	cells  []planCell
}

type planGroup struct {
	g    *sumGroup
	hi   int // entries [0, hi) are dated at or before the cutoff
	k    uint64
	cell int
}

type planCell struct {
	com    int
	kind   uint32
	kw, rw uint64
	r      u128
}

// plan fills ep for q (its commons resolved to idx, weighted by weights)
// over ei, counting contributions dated at or before cutoff.
func (ei *entityIndex) plan(ep *entityPlan, q Query, idx []uint32, weights []int64, kindNames []string, cutoff int64) {
	ep.q, ep.groups, ep.cells = q, ep.groups[:0], ep.cells[:0]
	for n, com := range idx {
		// Groups are sorted by commons first: the members of a large entity
		// may have contributed to many more commons than a query counts.
		gi, _ := slices.BinarySearchFunc(ei.groups, com, func(g entityGroup, com uint32) int { return cmpU(uint64(g.com), uint64(com)) })
		for ; gi < len(ei.groups) && ei.groups[gi].com == com; gi++ {
			ep.add(&ei.groups[gi], n, q, weights, kindNames, cutoff)
		}
	}
}

// add puts g, of the query's commons n, in the plan.
func (ep *entityPlan) add(g *entityGroup, n int, q Query, weights []int64, kindNames []string, cutoff int64) {
	hi := len(g.at)
	if hi > 0 && g.at[hi-1] > cutoff {
		hi = searchAfter(g.at, cutoff)
	}
	if hi == 0 {
		return
	}
	cell := -1
	for c := range ep.cells {
		if ep.cells[c].com == n && ep.cells[c].kind == g.kind {
			cell = c
			break
		}
	}
	if cell < 0 {
		kw := int64(1000)
		if q.KindWeights != nil {
			kw = q.KindWeights[kindNames[g.kind]]
		}
		ep.cells = append(ep.cells, planCell{com: n, kind: g.kind, kw: uint64(kw), rw: uint64(weights[n])})
		cell = len(ep.cells) - 1
	}
	ep.groups = append(ep.groups, planGroup{g: &g.sumGroup, hi: hi, k: g.k, cell: cell})
}

// evalAt is the entity's total judged at t (no earlier than the cutoff),
// rebased to the anchor of block top, weighted, × 2^prefixFrac; with the
// number of contributions it counts and the earliest of their dates.
func (ep *entityPlan) evalAt(t int64) (z u128, top, first int64, count int, err error) {
	top = blockKey(t, blockSpan(int64(ep.q.HalfLife)))
	first = math.MaxInt64
	lowest := lowestAt(ep.q, t)
	for c := range ep.cells {
		ep.cells[c].r = u128{}
	}
	for k := range ep.groups {
		pg := &ep.groups[k]
		at := pg.g.at
		lo := 0
		if at[0] <= lowest {
			lo = searchAfter(at[:pg.hi], lowest)
			if lo >= pg.hi {
				continue
			}
		}
		d := pg.g.sumIdx(lo, pg.hi, top)
		count += pg.hi - lo
		first = min(first, at[lo])
		if pg.k > 1 {
			d = d.div64(pg.k)
		}
		c := &ep.cells[pg.cell]
		var carry bool
		if c.r, carry = c.r.add(d); carry {
			return u128{}, 0, 0, 0, overflowErr()
		}
	}
	for c := range ep.cells {
		cl := &ep.cells[c]
		if cl.r == (u128{}) {
			continue
		}
		v, ok1 := cl.r.mul64(cl.kw)
		v, ok2 := v.div64(1000).mul64(cl.rw)
		var carry bool
		z, carry = z.add(v.div64(1000))
		if !ok1 || !ok2 || carry {
			return u128{}, 0, 0, 0, overflowErr()
		}
	}
	return z, top, first, count, nil
}

// epPool keeps plans' buffers, as pqPool does queries'.
var epPool = sync.Pool{New: func() any { return new(entityPlan) }}

// release returns ep to epPool, holding on to no index a later change may
// drop.
func (ep *entityPlan) release() {
	clear(ep.groups)
	ep.q = Query{}
	epPool.Put(ep)
}

// indexAdded brings the cached indexes of the entities who belongs to up
// to date with e, just put in commons com: appended to its group when it
// is dated at or after the group's last date (ingest's common case, which
// would otherwise rebuild an index linear in the entity's history), else
// the entity's indexes are dropped. Called with the store's write lock
// held.
func (s *MemStore) indexAdded(who string, com uint32, e entry) {
	x := &s.eidx
	// Readers change x.m only under the store's read lock, which the
	// caller's write lock excludes: ingest into a store no query has asked
	// about an entity pays no lock of its own.
	if len(x.m) == 0 {
		return
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	mems := s.memOf[who] // sorted by entity
	for i, m := range mems {
		if i > 0 && mems[i-1].Entity == m.Entity {
			continue
		}
		if list := x.m[m.Entity]; len(list) > 0 && !s.appendIndexes(list, who, m.Entity, com, e) {
			delete(x.m, m.Entity)
		}
	}
}

// appendIndexes appends e to the indexes of entity in list, reporting
// false when it cannot (an earlier date than its group's last, or a group
// the indexes lack).
func (s *MemStore) appendIndexes(list []*entityIndex, who, entity string, com uint32, e entry) bool {
	entID, named := s.nameID[entity]
	if e.entity != 0 && (!named || e.entity != entID) {
		return true // it names another entity: it does not count here
	}
	members := s.members[entity] // sorted by contributor
	i, _ := slices.BinarySearchFunc(members, who, func(m Membership, who string) int { return cmpString(m.Contributor, who) })
	j := i
	for j < len(members) && members[j].Contributor == who {
		j++
	}
	whole, split := memberSpans(nil, nil, mergePeriods(nil, members[i:j]), s.memOf[who], entity, math.MinInt64, math.MaxInt64)
	spans := split
	if e.entity != 0 {
		spans = whole
	}
	sp, ok := spanOf(spans, e.at)
	if !ok {
		return true // outside the contributor's membership
	}
	f := &s.comIdx[com].flat[e.flat]
	k := max(sp.k, 1)
	for _, ei := range list {
		var g *entityGroup
		for n := range ei.groups {
			if c := &ei.groups[n]; c.com == com && c.kind == f.kind && c.k == k {
				g = c
				break
			}
		}
		if g == nil || (len(g.at) > 0 && g.at[len(g.at)-1] > e.at) {
			return false
		}
		span := blockSpan(ei.halfLife)
		n := len(g.at)
		bk := blockKey(e.at, span)
		if nb := len(g.blocks); nb == 0 || g.blocks[nb-1].key != bk {
			g.blocks = append(g.blocks, sumBlock{start: n, key: bk})
		}
		w := rebased(uint64(f.qty), uint64(e.at-bk*span), ei.halfLife)
		if n > g.blocks[len(g.blocks)-1].start {
			w, _ = g.pre[n-1].add(w) // below 2^127: see rebased
		}
		g.at, g.pre = append(g.at, e.at), append(g.pre, w)
	}
	return true
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

package contribution

import (
	"math"
	"sync/atomic"
)

// Prefix sums: exponential decay factors through a sum,
//
//	Σ qᵢ·2^(−(t−tᵢ)/h) = 2^(−(t−A)/h) · Σ qᵢ·2^((tᵢ−A)/h),
//
// so for one (contributor, commons) series, kind and named entity, the
// decayed sum of the contributions in any date range is the difference of
// two prefix sums of the rebased quantities qᵢ·2^((tᵢ−A)/h), times one
// decay factor. The anchor A is rebased every rebaseHalfLives half-lives
// (a new block starts), so a rebased quantity stays below 2^(40+30+24)
// and a block's sum fits 128 bits. Quantities are summed unweighted: kind
// and recognition weights vary per query and are applied to the sums.
//
// The sums of one series are built lazily, per half-life, by the first
// query that needs them, and dropped by any ingest or removal in that
// series. A MemStore keeps them for at most maxHalfLives half-lives per
// series (a marketplace uses one or two).
const (
	prefixFrac      = 24 // fractional bits of a rebased quantity
	rebaseHalfLives = 30
	maxHalfLives    = 4
)

// seriesCache holds the prefix sums of one series; readers build them
// under the store's read lock, writers drop them under its write lock.
type seriesCache struct {
	p atomic.Pointer[[]*seriesSums]
}

// insertCache is slices.Insert of an empty cache at i, moving the others
// by Load and Store (an atomic value is not copied). Called with the
// store's write lock held, so no reader sees the old slice change.
func insertCache(cs []seriesCache, i int) []seriesCache {
	if len(cs) < cap(cs) {
		cs = cs[:len(cs)+1]
		for j := len(cs) - 1; j > i; j-- {
			cs[j].p.Store(cs[j-1].p.Load())
		}
		cs[i].p.Store(nil)
		return cs
	}
	out := make([]seriesCache, len(cs)+1, 2*len(cs)+1)
	for j := range cs {
		k := j
		if j >= i {
			k++
		}
		out[k].p.Store(cs[j].p.Load())
	}
	return out
}

// seriesSums are the prefix sums of one series for one half-life (0: no
// decay), one group per (kind, entity) present.
type seriesSums struct {
	halfLife int64
	groups   []sumGroup
}

type sumGroup struct {
	kind, entity uint32
	at           []int64 // the group's dates, ascending
	stmt         []int32 // index in the series, for listing
	// pre[j] is the sum of the rebased quantities from the start of j's
	// block to j inclusive.
	pre    []u128
	blocks []sumBlock // in date order
}

type sumBlock struct {
	start int   // index in the group of its first entry
	key   int64 // the block's anchor is key × span
}

// blockSpan is the length of a block for halfLife: rebaseHalfLives
// half-lives; 0 (one block, anchored at 0) without decay.
func blockSpan(halfLife int64) int64 {
	if halfLife <= 0 {
		return 0
	}
	if halfLife > math.MaxInt64/rebaseHalfLives {
		return math.MaxInt64
	}
	return halfLife * rebaseHalfLives
}

// blockKey is ⌊at/span⌋: blocks lie on one grid of multiples of span, so
// the anchors of any two differ by a whole number of rebaseHalfLives
// half-lives and one decay factor serves every block (shifted by 30 bits
// per block).
func blockKey(at, span int64) int64 {
	if span == 0 {
		return 0
	}
	k := at / span
	if at%span < 0 {
		k--
	}
	return k
}

// sums returns the prefix sums of series i of p for halfLife, building
// them if none are cached. Called with s.mu held for reading.
func (s *MemStore) sums(p *person, i int, halfLife int64) *seriesSums {
	c := &p.caches[i]
	cur := c.p.Load()
	if cur != nil {
		for _, ss := range *cur {
			if ss.halfLife == halfLife {
				return ss
			}
		}
	}
	ss := s.buildSums(p, i, halfLife)
	for {
		var next []*seriesSums
		if cur != nil {
			next = append(next, *cur...)
		}
		if len(next) >= maxHalfLives {
			next = next[1:]
		}
		next = append(next, ss)
		if c.p.CompareAndSwap(cur, &next) {
			return ss
		}
		cur = c.p.Load()
		if cur != nil {
			for _, o := range *cur {
				if o.halfLife == halfLife {
					return o
				}
			}
		}
	}
}

func (s *MemStore) buildSums(p *person, i int, halfLife int64) *seriesSums {
	es := p.series[i]
	flat := s.comIdx[p.commons[i]].flat
	ss := &seriesSums{halfLife: halfLife}
	span := blockSpan(halfLife)
	for k := range es {
		e := &es[k]
		f := &flat[e.flat]
		g := ss.group(f.kind, e.entity)
		n := len(g.at)
		key := blockKey(e.at, span)
		if nb := len(g.blocks); nb == 0 || g.blocks[nb-1].key != key {
			g.blocks = append(g.blocks, sumBlock{start: n, key: key})
		}
		w := rebased(uint64(f.qty), uint64(e.at-key*span), halfLife)
		if n > g.blocks[len(g.blocks)-1].start {
			w, _ = g.pre[n-1].add(w) // below 2^127: see rebased
		}
		g.at = append(g.at, e.at)
		g.stmt = append(g.stmt, int32(k))
		g.pre = append(g.pre, w)
	}
	return ss
}

func (ss *seriesSums) group(kind, entity uint32) *sumGroup {
	for k := range ss.groups {
		if g := &ss.groups[k]; g.kind == kind && g.entity == entity {
			return g
		}
	}
	ss.groups = append(ss.groups, sumGroup{kind: kind, entity: entity})
	return &ss.groups[len(ss.groups)-1]
}

// rebased is q·2^(d/halfLife)·2^prefixFrac rounded down, for d below
// rebaseHalfLives half-lives; with no decay it is q·2^prefixFrac.
func rebased(q, d uint64, halfLife int64) u128 {
	if halfLife <= 0 {
		return u128{0, q}.shl(prefixFrac)
	}
	h := uint64(halfLife)
	// 2^(d/h) = 2^(n+1) · 2^(−(h−rem)/h)
	n, rem := d/h, d%h
	n2, m := expNeg(h-rem, h) // n2 is 1 when rem is 0 or close to h, else 0
	up := n + 1 - n2          // at most rebaseHalfLives
	return u128{0, q}.mulShr(m, uint(decayShift-prefixFrac)-uint(up))
}

// sumIdx is the sum of the group's entries [lo, hi), lo < hi, rebased to
// the anchor of block key top (decayed to it, but not beyond), in units ×
// 2^prefixFrac. Without decay it is their plain sum.
func (g *sumGroup) sumIdx(lo, hi int, top int64) u128 {
	b := 0
	if len(g.blocks) > 1 {
		b = g.blockOf(lo)
	}
	var total u128
	for ; b < len(g.blocks) && g.blocks[b].start < hi; b++ {
		bl := g.blocks[b]
		end := hi
		if b+1 < len(g.blocks) && g.blocks[b+1].start < end {
			end = g.blocks[b+1].start
		}
		v := g.pre[end-1]
		if first := max(lo, bl.start); first > bl.start {
			v = v.sub(g.pre[first-1])
		}
		// Each block back is rebaseHalfLives half-lives: that many bits.
		if d := uint64(top - bl.key); d < 128/rebaseHalfLives+1 {
			if sh := uint(d) * rebaseHalfLives; sh < 128 {
				total, _ = total.add(v.shr(sh)) // below 2^127: see rebased
			}
		}
	}
	return total
}

// bounds are the indexes [lo, hi) of the group's entries dated in
// (after, upTo].
func (g *sumGroup) bounds(after, upTo int64) (lo, hi int) {
	lo, hi = 0, len(g.at)
	if hi == 0 {
		return 0, 0
	}
	if g.at[0] <= after {
		lo = searchAfter(g.at, after)
	}
	if lo < hi && g.at[hi-1] > upTo {
		hi = lo + searchAfter(g.at[lo:], upTo)
	}
	return lo, hi
}

// entry is the rebased value of the group's entry j alone, rebased to the
// anchor of block top like rangeSum.
func (g *sumGroup) entry(j int, top int64) u128 {
	b := g.blockOf(j)
	v := g.pre[j]
	if j > g.blocks[b].start {
		v = v.sub(g.pre[j-1])
	}
	if d := uint64(top - g.blocks[b].key); d < 128/rebaseHalfLives+1 {
		if sh := uint(d) * rebaseHalfLives; sh < 128 {
			return v.shr(sh)
		}
	}
	return u128{}
}

// searchAfter is the index of the first date after x in the ascending at
// (len(at) if none): sort.Search without its closure, which a probe of the
// crossing pays for hundreds of times.
func searchAfter(at []int64, x int64) int {
	lo, hi := 0, len(at)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if at[m] > x {
			hi = m
		} else {
			lo = m + 1
		}
	}
	return lo
}

// blockOf is the index of the block holding entry j.
func (g *sumGroup) blockOf(j int) int {
	lo, hi := 0, len(g.blocks)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if g.blocks[m].start > j {
			hi = m
		} else {
			lo = m + 1
		}
	}
	return lo - 1
}

func (a u128) shl(s uint) u128 {
	if s == 0 {
		return a
	}
	if s >= 64 {
		return u128{a.lo << (s - 64), 0}
	}
	return u128{a.hi<<s | a.lo>>(64-s), a.lo << s}
}

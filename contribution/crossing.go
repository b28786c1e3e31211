package contribution

import (
	"math"
	"math/bits"
	"time"
)

// The decay crossing, computed: between two instants at which some
// contribution leaves the count (its date falls out of the window, or
// reaches 63 half-lives of age) and within one block of the prefix sums'
// grid, the total is one rebased sum z times one decay factor, so it
// depends on the instant t only through the key (n, f) of t's offset from
// the block's anchor: n whole half-lives and a 40-bit fraction f. The
// first key at which the total is below the threshold is found by
// bisection on those 45 bits (each probe two multiplications), and
// the first nanosecond with that key follows from f exactly. Pieces are
// visited by probing the entity index at chosen instants (each probe
// O(commons × kinds × log n), see entityindex.go), walking from piece to piece when few
// contributions are left to leave and bisecting in time when many are.

// prefixFallsBelow is FallsBelow over a MemStore's prefix sums: the first
// instant t ≥ q.At at which Reciprocity, counting only contributions dated
// at or before q.At, would be below threshold.
func (l *Ledger) prefixFallsBelow(ms *MemStore, q Query, threshold Points) (time.Time, bool, error) {
	if err := checkPrefixQuery(q); err != nil {
		return time.Time{}, false, err
	}
	ms.mu.RLock()
	defer ms.mu.RUnlock()
	c := crossing{q: q, ms: ms, cutoff: q.At.UnixNano(), thr: int64(threshold)}
	c.comIDs, c.weights = recognisedIDs(q)
	c.idx = ms.resolveLocked(c.comIDs)
	c.ep = epPool.Get().(*entityPlan)
	defer c.ep.release()
	ms.entityIndex(q.Entity, int64(q.HalfLife)).plan(c.ep, q, c.idx, c.weights, ms.names, c.cutoff)
	t, ok, err := c.find()
	if err != nil || !ok {
		return time.Time{}, false, err
	}
	return time.Unix(0, t).UTC(), true, nil
}

type crossing struct {
	q       Query
	ms      *MemStore
	cutoff  int64
	thr     int64
	comIDs  []string
	weights []int64
	idx     []uint32
	ep      *entityPlan // the entity index's groups counted at cutoff, judged again at each probe
}

// piece is what the prefix sums say at one instant, and so at every
// instant of the piece it falls in.
type piece struct {
	z     u128
	top   int64
	first int64
	count int
}

// state is the entity's total judged at t ≥ cutoff: O(commons × kinds ×
// log n) through the entity index, whatever the number of members.
func (c *crossing) state(t int64) (*piece, error) {
	z, top, first, count, err := c.ep.evalAt(t)
	if err != nil {
		return nil, err
	}
	return &piece{z: z, top: top, first: first, count: count}, nil
}

// below reports whether the total at t, in pq's piece, is below the
// threshold.
func (c *crossing) below(pq *piece, t int64) (bool, error) {
	if pq.count == 0 {
		return 0 < c.thr, nil
	}
	total, ok := points(decayTo(pq.z, pq.top, t, int64(c.q.HalfLife)))
	if !ok {
		return false, overflowErr()
	}
	return int64(total) < c.thr, nil
}

// leave is how long after its date a contribution stops counting: the
// window, or 63 half-lives, whichever is shorter; 0 for never.
func (c *crossing) leave() int64 {
	var e int64
	if c.q.Window > 0 {
		e = int64(c.q.Window)
	}
	if h := int64(c.q.HalfLife); h > 0 && h <= math.MaxInt64/63 && (e == 0 || 63*h < e) {
		e = 63 * h
	}
	return e
}

// pieceEnd is the first instant after t at which pq no longer describes
// the count: a contribution leaves, or the block of the grid ends.
func (c *crossing) pieceEnd(pq *piece, t int64) int64 {
	end := int64(math.MaxInt64)
	if e := c.leave(); e > 0 && pq.count > 0 && pq.first <= math.MaxInt64-e {
		end = pq.first + e
	}
	if span := blockSpan(int64(c.q.HalfLife)); span > 0 && pq.top < math.MaxInt64/span {
		end = min(end, (pq.top+1)*span)
	}
	return max(end, t+1)
}

func (c *crossing) find() (int64, bool, error) {
	q := c.q
	lo := c.cutoff
	st, err := c.state(lo)
	if err != nil {
		return 0, false, err
	}
	if b, err := c.below(st, lo); err != nil || b {
		return lo, err == nil, err
	}
	horizon, ok := searchHorizon(q)
	if !ok {
		return 0, false, nil
	}
	hi := q.At.Add(horizon).UnixNano()
	stHi, err := c.state(hi)
	if err != nil {
		return 0, false, err
	}
	if b, err := c.below(stHi, hi); err != nil || !b {
		return 0, false, err
	}
	// Invariant: not below at lo (described by st), below at hi.
	for {
		end := min(c.pieceEnd(st, lo), hi)
		if t, ok := c.solvePiece(st, lo, end); ok {
			return t, true, nil
		}
		if end >= hi {
			return hi, true, nil
		}
		// Were nobody to leave after lo, the total would fall below at t;
		// leaving, and rebasing to a later block (which rounds down), only
		// lower it, so it is below at t already: a closer hi, unprobed.
		if t, ok := c.solvePiece(st, end, hi); ok && t > end {
			hi = t
		}
		// Not below anywhere in [lo, end): the crossing is in [end, hi].
		m := end
		if st.count-stHi.count > 2 && hi-end > 1 {
			m = end + (hi-end)/2
		}
		stM, err := c.state(m)
		if err != nil {
			return 0, false, err
		}
		b, err := c.below(stM, m)
		if err != nil {
			return 0, false, err
		}
		switch {
		case b && m == end:
			return end, true, nil
		case b:
			hi, stHi = m, stM // lo's piece is searched again, without a probe
		default:
			lo, st = m, stM
		}
	}
}

// solvePiece returns the first instant in [from, to) at which the total
// described by pq is below the threshold, if any; pq describes the count
// at every instant of [from, to).
func (c *crossing) solvePiece(pq *piece, from, to int64) (int64, bool) {
	h := int64(c.q.HalfLife)
	if h <= 0 || pq.count == 0 {
		return 0, false // constant within the piece, and not below at from
	}
	anchor := pq.top * blockSpan(h)
	key := func(t int64) uint64 { return fracKey(uint64(t-anchor), uint64(h)) }
	below := func(k uint64) bool {
		v := pq.z.mulShr(fracFactor(k&fracMask), decayShift+uint(k>>fracBits))
		total, ok := points(v)
		return ok && int64(total) < c.thr
	}
	kLo, kHi := key(from), key(to-1)
	if !below(kHi) {
		return 0, false
	}
	for kLo < kHi { // the first key in [kLo, kHi] that is below
		mid := kLo + (kHi-kLo)/2
		if below(mid) {
			kHi = mid
		} else {
			kLo = mid + 1
		}
	}
	// The first nanosecond whose key is kHi: ⌈rem·2^40/h⌉ ≥ f first holds
	// at rem = ⌊(f−1)·h/2^40⌋ + 1 (at rem 0 for f = 0).
	n, f := kHi>>fracBits, kHi&fracMask
	var rem uint64
	if f > 0 {
		ph, pl := bits.Mul64(f-1, uint64(h))
		rem = (ph<<(64-fracBits) | pl>>fracBits) + 1
	}
	return max(from, anchor+int64(n)*h+int64(rem)), true
}

package contribution

import (
	"cmp"
	"context"
	"math"
	"math/bits"
	"slices"
	"sync"
	"time"
)

// MaxWeight bounds kind and recognition weights (×1000) so a weighted
// contribution always fits in int64.
const MaxWeight = 1_000_000

// Ledger counts contributions. It holds the commons it knows (for checking
// who may attest contributions to them) and a Store of contributions and
// memberships. It is safe for concurrent ingest and query.
type Ledger struct {
	store Store

	mu      sync.RWMutex
	commons map[string]Commons

	prov provenance
}

// NewLedger returns a ledger over store; nil means a new MemStore.
func NewLedger(store Store) *Ledger {
	if store == nil {
		store = NewMemStore()
	}
	return &Ledger{store: store, commons: map[string]Commons{}}
}

// AddCommons registers (or replaces) a commons.
func (l *Ledger) AddCommons(c Commons) error {
	if c.ID == "" {
		return errorf(ErrInvalid, "", "ID", "a commons needs an id")
	}
	for _, r := range c.Recognises {
		if r.Weight < 0 || r.Weight > MaxWeight {
			return errorf(ErrWeight, "", "Recognises", "weight %d for %q is outside 0..%d", r.Weight, r.Commons, MaxWeight)
		}
	}
	c.Stewards = slices.Clone(c.Stewards)
	c.Recognises = slices.Clone(c.Recognises)
	l.mu.Lock()
	l.commons[c.ID] = c
	l.mu.Unlock()
	return nil
}

// Commons returns the registered commons with id.
func (l *Ledger) Commons(id string) (Commons, bool) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	c, ok := l.commons[id]
	return c, ok
}

// AddContribution ingests a contribution that has already been verified and
// decoded (see DecodeContribution). It is idempotent by c.Statement.
func (l *Ledger) AddContribution(ctx context.Context, c Contribution) (added bool, err error) {
	if err := c.check(); err != nil {
		return false, err
	}
	if _, ok := l.Commons(c.Commons); !ok {
		return false, errorf(ErrUnknownCommons, c.Statement, "commons", "commons %q is not registered with the ledger; AddCommons it first", c.Commons)
	}
	return l.store.PutContribution(ctx, c)
}

func (c Contribution) check() error {
	switch {
	case c.Statement == "":
		return errorf(ErrInvalid, "", "Statement", "a contribution needs the digest of its statement")
	case c.Commons == "" || c.Contributor == "" || c.Kind == "":
		return errorf(ErrInvalid, c.Statement, "", "commons, contributor and kind are required")
	case c.Quantity < 0 || c.Quantity > MaxQuantity:
		return errorf(ErrQuantity, c.Statement, "quantity", "%s is outside 0..%s", c.Quantity, MaxQuantity)
	case c.At.IsZero():
		return errorf(ErrInvalid, c.Statement, "at", "a contribution needs a date")
	case !c.From.IsZero() && c.At.Before(c.From):
		return errorf(ErrPeriod, c.Statement, "until", "period ends %s before it starts %s", c.At.Format(time.RFC3339), c.From.Format(time.RFC3339))
	}
	return nil
}

// AddMembership ingests a verified membership, idempotent by m.Statement.
func (l *Ledger) AddMembership(ctx context.Context, m Membership) (added bool, err error) {
	switch {
	case m.Statement == "":
		return false, errorf(ErrInvalid, "", "Statement", "a membership needs the digest of its statement")
	case m.Contributor == "" || m.Entity == "":
		return false, errorf(ErrInvalid, m.Statement, "", "contributor and entity are required")
	case m.From.IsZero():
		return false, errorf(ErrInvalid, m.Statement, "from", "a membership needs a start")
	case !m.Until.IsZero() && !m.Until.After(m.From):
		return false, errorf(ErrPeriod, m.Statement, "until", "membership ends %s, not after it starts %s", m.Until.Format(time.RFC3339), m.From.Format(time.RFC3339))
	}
	return l.store.PutMembership(ctx, m)
}

// Revoke removes whatever the statement with this digest added. Feed it the
// digests attest reports as revoked.
func (l *Ledger) Revoke(ctx context.Context, statement string) (removed bool, err error) {
	return l.store.Remove(ctx, statement)
}

// Reciprocity answers q: the points of q.Entity's members while they were
// members, for contributions to q.Commons and the commons it recognises,
// dated in (At-Window, At], each weighted by kind and recognition and decayed
// by its age at At. A contribution naming an entity counts for that entity
// only (and only while its contributor was a member); one naming none is
// split equally among the entities its contributor was a member of at its
// date.
//
// Over a MemStore the answer comes from prefix sums (see the package doc,
// "Prefix sums"), in time that grows with the log of the members'
// contributions, not with their number; over another Store it is the direct
// sum, each contribution's points rounded down on their own and the
// remainder of a split going one thousandth each to the first entities in
// id order. The two differ within the bound the package doc states.
func (l *Ledger) Reciprocity(ctx context.Context, q Query) (Reciprocity, error) {
	if err := ctx.Err(); err != nil {
		return Reciprocity{}, err
	}
	ms, ok := l.store.(*MemStore)
	if !ok {
		var acc accumulator
		acc.breakdown = true
		if err := l.sum(ctx, q, q.At, q.At, &acc); err != nil {
			return Reciprocity{}, err
		}
		r := acc.result()
		if q.MaxStatements > 0 && r.Statements > q.MaxStatements {
			r.ByStatement = nil
		}
		return r, nil
	}
	return l.prefixReciprocity(ms, q, true)
}

// CountedStatements pages through the contribution statements q counts, by
// digest, each with the points it adds (as Reciprocity's ByStatement with no
// bound lists them): those from offset, at most limit of them (0: all), and
// how many there are in all. It reads every counted contribution: it is the
// on-demand listing behind an answer that Query.MaxStatements kept short.
func (l *Ledger) CountedStatements(ctx context.Context, q Query, offset, limit int) ([]Share, int, error) {
	if offset < 0 || limit < 0 {
		return nil, 0, errorf(ErrInvalid, "", "offset", "offset %d and limit %d must not be negative", offset, limit)
	}
	q.MaxStatements = 0
	r, err := l.Reciprocity(ctx, q)
	if err != nil {
		return nil, 0, err
	}
	all := r.ByStatement
	n := len(all)
	if offset >= n {
		return []Share{}, n, nil
	}
	all = all[offset:]
	if limit > 0 && limit < len(all) {
		all = all[:limit]
	}
	return slices.Clone(all), n, nil
}

// FallsBelow returns the earliest time, at or after q.At, at which q's total
// would be below threshold if nothing were contributed after q.At: the moment
// decay and the window erode the current standing. ok is false when that never
// happens (no window and no decay, with the total at or above threshold).
// The total at a time is Reciprocity's (over a MemStore, the prefix sums';
// see crossing.go for how the instant is found without visiting the
// contributions); it never grows as time passes without new contributions.
func (l *Ledger) FallsBelow(ctx context.Context, q Query, threshold Points) (t time.Time, ok bool, err error) {
	if err := ctx.Err(); err != nil {
		return time.Time{}, false, err
	}
	if ms, isMem := l.store.(*MemStore); isMem {
		return l.prefixFallsBelow(ms, q, threshold)
	}
	// The contributions that count are read from the store once; each probe
	// of the search then only re-weighs them.
	var terms []term
	if err := l.sum(ctx, q, q.At, q.At, &accumulator{terms: &terms}); err != nil {
		return time.Time{}, false, err
	}
	below := func(at time.Time) (bool, error) {
		total, err := totalAt(terms, q, at)
		return total < int64(threshold), err
	}
	return bisectBelow(q, below)
}

// searchHorizon is how far past q.At a search for the fall below a
// threshold need look: nothing counts any more after the window, or after
// 64 half-lives of decay. ok is false when neither bounds it (the total
// never falls without a window or decay).
func searchHorizon(q Query) (horizon time.Duration, ok bool) {
	switch {
	case q.Window > 0:
		return q.Window, true
	case q.HalfLife > 0:
		horizon = 64 * q.HalfLife
		if horizon/64 != q.HalfLife {
			horizon = math.MaxInt64
		}
		return horizon, true
	}
	return 0, false
}

// bisectBelow finds the first instant at or after q.At at which below
// holds, by bisection on nanoseconds over the horizon q's window and decay
// allow, below being monotone.
func bisectBelow(q Query, below func(time.Time) (bool, error)) (time.Time, bool, error) {
	if b, err := below(q.At); err != nil || b {
		return q.At, err == nil, err
	}
	horizon, ok := searchHorizon(q)
	if !ok {
		return time.Time{}, false, nil
	}
	lo, hi := q.At, q.At.Add(horizon)
	if b, err := below(hi); err != nil || !b {
		return time.Time{}, false, err
	}
	return bisectBetween(lo, hi, below)
}

// bisectBetween narrows [lo, hi], not below at lo and below at hi, to the
// first instant below holds.
func bisectBetween(lo, hi time.Time, below func(time.Time) (bool, error)) (time.Time, bool, error) {
	for hi.Sub(lo) > 1 {
		mid := lo.Add(hi.Sub(lo) / 2)
		b, err := below(mid)
		if err != nil {
			return time.Time{}, false, err
		}
		if b {
			hi = mid
		} else {
			lo = mid
		}
	}
	return hi, true, nil
}

func checkWeights(q Query) error {
	for k, w := range q.KindWeights {
		if w < 0 || w > MaxWeight {
			return errorf(ErrWeight, "", "KindWeights", "weight %d for kind %q is outside 0..%d", w, k, MaxWeight)
		}
	}
	for k, w := range q.Recognised {
		if w < 0 || w > MaxWeight {
			return errorf(ErrWeight, "", "Recognised", "weight %d for commons %q is outside 0..%d", w, k, MaxWeight)
		}
	}
	return nil
}

type weighted struct {
	commons string
	weight  int64
}

func recognised(q Query) []weighted {
	if q.Recognised == nil {
		return []weighted{{q.Commons, 1000}}
	}
	out := make([]weighted, 0, len(q.Recognised))
	for c, w := range q.Recognised {
		if w > 0 {
			out = append(out, weighted{c, w})
		}
	}
	slices.SortFunc(out, func(a, b weighted) int { return cmp.Compare(a.commons, b.commons) })
	return out
}

// recognisedIDs lists the commons q counts, sorted, with their weights.
func recognisedIDs(q Query) ([]string, []int64) {
	coms := recognised(q)
	ids := make([]string, len(coms))
	w := make([]int64, len(coms))
	for i, c := range coms {
		ids[i], w[i] = c.commons, c.weight
	}
	return ids, w
}

func kindWeight(q Query, kind string) int64 {
	if q.KindWeights == nil {
		return 1000
	}
	return q.KindWeights[kind]
}

// weigh returns qty × kw/1000 × rw/1000 decayed by age, exactly in 128 bits
// before each rounding down. With the bounds on quantity and weights the
// result fits in int64.
func weigh(qty Quantity, kw, rw int64, age, halfLife time.Duration) uint64 {
	return decayed(weightedQty(qty, kw, rw), age, halfLife)
}

// weightedQty is weigh before decay.
func weightedQty(qty Quantity, kw, rw int64) uint64 {
	return mulDiv1000(mulDiv1000(uint64(qty), uint64(kw)), uint64(rw))
}

// mulDiv1000 is a×b/1000 rounded down, in 128 bits when it must be (the
// 64-bit path lets the compiler divide by multiplying).
func mulDiv1000(a, b uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	if hi == 0 {
		return lo / 1000
	}
	v, _ := bits.Div64(hi, lo, 1000)
	return v
}

package contribution

import (
	"context"
	"hash/maphash"
	"math"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

// Record is a contribution as the ledger counts it.
type Record struct {
	At        time.Time
	Quantity  Quantity
	Kind      string
	Entity    string // "" when the contribution named no entity
	Statement string
}

// Store is the ledger's storage seam. An application may back a Ledger with
// its own database by implementing it; NewMemStore is the default. Every
// method must be safe for concurrent use and should honour ctx (a database
// call is cancelled with it). Put* are idempotent by statement digest;
// Remove forgets whatever a digest added.
//
// The reads are batches shaped by what a Ledger asks, so that a question
// costs a constant number of calls (round trips, for a database) whatever
// the number of an entity's members: a reciprocity answer or FallsBelow is
// MembershipsOfMembers then one RangeMany; ContributorPoints (and so a
// payout) is one RangeCommons per commons counted.
type Store interface {
	// PutContribution stores c; added is false when its digest is already held.
	PutContribution(ctx context.Context, c Contribution) (added bool, err error)
	// PutMembership stores m; added is false when its digest is already held.
	PutMembership(ctx context.Context, m Membership) (added bool, err error)
	// Remove forgets the contribution or membership with this statement digest.
	Remove(ctx context.Context, statement string) (removed bool, err error)
	// MembershipsOfMembers returns every membership, in any entity, of every
	// contributor with a membership in entity (those in entity included),
	// sorted by (contributor, entity, from, statement): who counts for
	// entity, and how each member's undirected contributions are split.
	MembershipsOfMembers(ctx context.Context, entity string) ([]Membership, error)
	// RangeMany calls fn for the contributions of each of contributors (in
	// the order given) to each of commons (in the order given, each in date
	// order) dated in (after, upTo], with the index in commons of the one it
	// was made to. A contributor or commons listed twice gets its calls
	// twice. One window serves every contributor: the caller filters by each
	// one's membership periods. fn must not call back into the Store.
	RangeMany(ctx context.Context, contributors, commons []string, after, upTo time.Time,
		fn func(contributor string, commons int, r Record) error) error
	// RangeCommons calls fn for every contribution to commons dated in
	// (after, upTo], grouped by contributor in key id order and in date order
	// within a contributor. fn must not call back into the Store.
	RangeCommons(ctx context.Context, commons string, after, upTo time.Time, fn func(contributor string, r Record) error) error
}

// MemStore is the in-memory Store.
//
// Contributions are kept per contributor, then per commons, in date order,
// so a query reads only the slices it needs and finds its window by binary
// search: O(members × commons × log n). An entry is 32 bytes there, plus 24
// in its commons' flat column, which payouts scan front to back; the digest
// string is held once, and the digest index maps a 64-bit hash of it to where
// the entry lives (the entry's own digest settles the rare collision).
type MemStore struct {
	mu sync.RWMutex

	names  []string          // interned kinds and entities; id 0 is ""
	nameID map[string]uint32 //

	people   map[string]*person
	byNum    []*person // people by number
	byID     []uint32  // people numbers in key id order, when idSorted
	ids      []string  // their key ids, in the same order
	idSorted bool
	commons  map[string]*commonsIndex
	comNames []string        // commons id by index
	comIdx   []*commonsIndex // commons by index
	seed     maphash.Seed
	byHash   map[uint64]loc
	clashes  map[string]loc // digests whose hash another digest already has
	members  map[string][]Membership
	memOf    map[string][]Membership
	memStmts map[string]Membership
	eidx     entityIndexes // see entityindex.go
}

type person struct {
	id      string
	num     uint32    // position in MemStore.byNum
	commons []uint32  // sorted commons indexes
	series  [][]entry // parallel to commons
	// caches hold each series' prefix sums (see prefix.go), parallel to
	// series; any change to a series drops its sums.
	caches []seriesCache
}

type commonsIndex struct {
	idx    uint32
	people []*person // contributors, sorted by id when sorted is true
	sorted bool
	// flat holds the commons' contributions in arrival order, with what a
	// sum over every contributor needs, so that a payout reads one array
	// front to back instead of chasing a pointer per contributor.
	flat []flatEntry
}

// entry is a contribution in its contributor's series; its quantity and
// kind live in the commons' flat column.
type entry struct {
	at     int64 // unix nanoseconds
	stmt   string
	entity uint32
	flat   uint32 // index in the commons' flat column
}

type flatEntry struct {
	at   int64 // unix nanoseconds; removed entries are at math.MinInt64
	qty  Quantity
	kind uint32
	who  uint32 // person number
}

// loc is where a contribution lives: its contributor, its commons, and its
// place in that commons' flat column (which gives its date, and so its
// place in the contributor's series).
type loc struct {
	p       *person
	commons uint32
	flat    uint32
}

// NewMemStore returns an empty in-memory store.
func NewMemStore() *MemStore {
	return &MemStore{
		names:    []string{""},
		nameID:   map[string]uint32{"": 0},
		people:   map[string]*person{},
		commons:  map[string]*commonsIndex{},
		seed:     maphash.MakeSeed(),
		byHash:   map[uint64]loc{},
		clashes:  map[string]loc{},
		members:  map[string][]Membership{},
		memOf:    map[string][]Membership{},
		memStmts: map[string]Membership{},
	}
}

func (s *MemStore) intern(name string) uint32 {
	if id, ok := s.nameID[name]; ok {
		return id
	}
	id := uint32(len(s.names))
	s.names = append(s.names, name)
	s.nameID[name] = id
	return id
}

// lookup finds the entry holding stmt.
func (s *MemStore) lookup(stmt string) (loc, uint64, bool) {
	h := maphash.String(s.seed, stmt)
	if l, ok := s.byHash[h]; ok {
		if e := s.find(l, stmt); e >= 0 {
			return l, h, true
		}
		l, ok := s.clashes[stmt]
		return l, h, ok
	}
	return loc{}, h, false
}

// find returns the index of stmt in l's series, or -1.
func (s *MemStore) find(l loc, stmt string) int {
	i, ok := slices.BinarySearch(l.p.commons, l.commons)
	if !ok {
		return -1
	}
	es := l.p.series[i]
	at := s.comIdx[l.commons].flat[l.flat].at
	j := sort.Search(len(es), func(k int) bool { return es[k].at >= at })
	for ; j < len(es) && es[j].at == at; j++ {
		if es[j].stmt == stmt {
			return j
		}
	}
	return -1
}

// PutContribution implements Store.
func (s *MemStore) PutContribution(ctx context.Context, c Contribution) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.memStmts[c.Statement]; ok {
		return false, nil
	}
	_, h, ok := s.lookup(c.Statement)
	if ok {
		return false, nil
	}
	ci := s.commons[c.Commons]
	if ci == nil {
		ci = &commonsIndex{idx: uint32(len(s.comNames)), sorted: true}
		s.commons[c.Commons] = ci
		s.comNames = append(s.comNames, c.Commons)
		s.comIdx = append(s.comIdx, ci)
	}
	p := s.people[c.Contributor]
	if p == nil {
		p = &person{id: c.Contributor, num: uint32(len(s.byNum))}
		s.people[c.Contributor] = p
		s.byNum = append(s.byNum, p)
		s.idSorted = false
	}
	i, found := slices.BinarySearch(p.commons, ci.idx)
	if !found {
		p.commons = slices.Insert(p.commons, i, ci.idx)
		p.series = slices.Insert(p.series, i, nil)
		p.caches = insertCache(p.caches, i)
		if n := len(ci.people); n > 0 && ci.people[n-1].id > p.id {
			ci.sorted = false
		}
		ci.people = append(ci.people, p)
	}
	e := entry{at: c.At.UnixNano(), entity: s.intern(c.Entity), stmt: c.Statement, flat: uint32(len(ci.flat))}
	ci.flat = append(ci.flat, flatEntry{at: e.at, qty: c.Quantity, kind: s.intern(c.Kind), who: p.num})
	es := p.series[i]
	// Keep (at, stmt) order; appending is the common case.
	j := len(es)
	if j > 0 && !entryLess(es[j-1], e) {
		j = sort.Search(len(es), func(k int) bool { return entryLess(e, es[k]) })
	}
	p.series[i] = slices.Insert(es, j, e)
	p.caches[i].p.Store(nil)
	s.indexAdded(c.Contributor, ci.idx, e)
	l := loc{p: p, commons: ci.idx, flat: e.flat}
	if _, taken := s.byHash[h]; taken {
		s.clashes[c.Statement] = l
	} else {
		s.byHash[h] = l
	}
	return true, nil
}

func entryLess(a, b entry) bool {
	if a.at != b.at {
		return a.at < b.at
	}
	return a.stmt < b.stmt
}

// PutMembership implements Store.
func (s *MemStore) PutMembership(ctx context.Context, m Membership) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.memStmts[m.Statement]; ok {
		return false, nil
	}
	if _, _, ok := s.lookup(m.Statement); ok {
		return false, nil
	}
	s.memStmts[m.Statement] = m
	s.members[m.Entity] = insertMembership(s.members[m.Entity], m)
	s.memOf[m.Contributor] = insertMembership(s.memOf[m.Contributor], m)
	s.eidx.dropFor(m.Entity, s.memOf[m.Contributor])
	return true, nil
}

func membershipCmp(a, b Membership) int {
	if c := strings.Compare(a.Contributor, b.Contributor); c != 0 {
		return c
	}
	if c := strings.Compare(a.Entity, b.Entity); c != 0 {
		return c
	}
	if c := a.From.Compare(b.From); c != 0 {
		return c
	}
	return strings.Compare(a.Statement, b.Statement)
}

// insertMembership and removeMembership copy: slices handed to callers by
// Members and MembershipsOf must never change under them.
func insertMembership(list []Membership, m Membership) []Membership {
	i, _ := slices.BinarySearchFunc(list, m, membershipCmp)
	out := make([]Membership, 0, len(list)+1)
	return append(append(append(out, list[:i]...), m), list[i:]...)
}

func removeMembership(list []Membership, stmt string) []Membership {
	out := make([]Membership, 0, len(list))
	for _, m := range list {
		if m.Statement != stmt {
			out = append(out, m)
		}
	}
	return out
}

// Remove implements Store.
func (s *MemStore) Remove(ctx context.Context, stmt string) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if m, ok := s.memStmts[stmt]; ok {
		delete(s.memStmts, stmt)
		s.eidx.dropFor(m.Entity, s.memOf[m.Contributor])
		s.members[m.Entity] = removeMembership(s.members[m.Entity], stmt)
		s.memOf[m.Contributor] = removeMembership(s.memOf[m.Contributor], stmt)
		return true, nil
	}
	l, h, ok := s.lookup(stmt)
	if !ok {
		return false, nil
	}
	i, _ := slices.BinarySearch(l.p.commons, l.commons)
	j := s.find(l, stmt)
	// The flat column keeps its length (indexes into it stay valid); the
	// removed entry is dated before any window.
	s.comIdx[l.commons].flat[l.p.series[i][j].flat] = flatEntry{at: math.MinInt64, who: l.p.num}
	l.p.series[i] = slices.Delete(l.p.series[i], j, j+1)
	l.p.caches[i].p.Store(nil)
	s.eidx.dropFor("", s.memOf[l.p.id])
	if _, clash := s.clashes[stmt]; clash {
		delete(s.clashes, stmt)
	} else {
		delete(s.byHash, h)
		// Promote a clashing digest with the same hash, if any, to the index.
		for d, cl := range s.clashes {
			if maphash.String(s.seed, d) == h {
				s.byHash[h] = cl
				delete(s.clashes, d)
				break
			}
		}
	}
	return true, nil
}

func (s *MemStore) record(commons uint32, e *entry) Record {
	f := &s.comIdx[commons].flat[e.flat]
	return Record{At: time.Unix(0, e.at).UTC(), Quantity: f.qty, Kind: s.names[f.kind], Entity: s.names[e.entity], Statement: e.stmt}
}

func window(es []entry, after, upTo int64) []entry {
	// Most series lie wholly inside the window: check the ends first.
	if n := len(es); n == 0 || (es[0].at > after && es[n-1].at <= upTo) {
		return es
	}
	i := sort.Search(len(es), func(k int) bool { return es[k].at > after })
	j := i + sort.Search(len(es)-i, func(k int) bool { return es[i+k].at > upTo })
	return es[i:j]
}

// RangeMany implements Store, under one read lock for all contributors.
func (s *MemStore) RangeMany(ctx context.Context, contributors, commons []string, after, upTo time.Time, fn func(string, int, Record) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	idx := s.resolveLocked(commons)
	for _, who := range contributors {
		err := s.rangeLocked(who, idx, after, upTo, func(i int, r Record) error { return fn(who, i, r) })
		if err != nil {
			return err
		}
	}
	return nil
}

// resolveLocked maps commons ids to their indexes, for a caller holding
// the read lock; an unknown one gets an index no contributor has. A query
// resolves once, not once per member.
func (s *MemStore) resolveLocked(commons []string) []uint32 {
	idx := make([]uint32, len(commons))
	for n, c := range commons {
		idx[n] = ^uint32(0)
		if ci := s.commons[c]; ci != nil {
			idx[n] = ci.idx
		}
	}
	return idx
}

// rangeLocked calls fn for contributor's contributions to the resolved
// commons dated in (after, upTo], for a caller holding the read lock; fn must
// not call into the store.
func (s *MemStore) rangeLocked(contributor string, commons []uint32, after, upTo time.Time, fn func(int, Record) error) error {
	p := s.people[contributor]
	if p == nil {
		return nil
	}
	a, u := after.UnixNano(), upTo.UnixNano()
	for n, c := range commons {
		i, ok := slices.BinarySearch(p.commons, c)
		if !ok {
			continue
		}
		es := window(p.series[i], a, u)
		for k := range es {
			if err := fn(n, s.record(c, &es[k])); err != nil {
				return err
			}
		}
	}
	return nil
}

// sortedCommons returns the index of commons with its contributors sorted by
// key id. Ingest appends; the first reader after it sorts. Called and
// returning with the read lock held.
func (s *MemStore) sortedCommons(commons string) *commonsIndex {
	ci := s.commons[commons]
	for ci != nil && !ci.sorted { // an ingest may slip in between; sort again
		s.mu.RUnlock()
		s.mu.Lock()
		if !ci.sorted {
			// Sort a copy: a reader may still hold the old slice.
			ci.people = slices.SortedFunc(slices.Values(ci.people), func(a, b *person) int { return strings.Compare(a.id, b.id) })
			ci.sorted = true
		}
		s.mu.Unlock()
		s.mu.RLock()
	}
	return ci
}

// RangeCommons implements Store.
func (s *MemStore) RangeCommons(ctx context.Context, commons string, after, upTo time.Time, fn func(string, Record) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.RLock()
	ci := s.sortedCommons(commons)
	defer s.mu.RUnlock()
	if ci == nil {
		return nil
	}
	a, u := after.UnixNano(), upTo.UnixNano()
	for _, p := range ci.people {
		i, ok := slices.BinarySearch(p.commons, ci.idx)
		if !ok {
			continue
		}
		es := window(p.series[i], a, u)
		for k := range es {
			if err := fn(p.id, s.record(ci.idx, &es[k])); err != nil {
				return err
			}
		}
	}
	return nil
}

// MembershipsOfMembers implements Store.
func (s *MemStore) MembershipsOfMembers(ctx context.Context, entity string) ([]Membership, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []Membership
	members := s.members[entity] // sorted by contributor
	for i, m := range members {
		if i == 0 || members[i-1].Contributor != m.Contributor {
			out = append(out, s.memOf[m.Contributor]...)
		}
	}
	return out, nil
}

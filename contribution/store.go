package contribution

import (
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
// method must be safe for concurrent use. Put* are idempotent by statement
// digest; Remove forgets whatever a digest added.
type Store interface {
	// PutContribution stores c; added is false when its digest is already held.
	PutContribution(c Contribution) (added bool, err error)
	// PutMembership stores m; added is false when its digest is already held.
	PutMembership(m Membership) (added bool, err error)
	// Remove forgets the contribution or membership with this statement digest.
	Remove(statement string) (removed bool, err error)
	// Range calls fn, in date order, for the contributions of contributor to
	// commons dated in (after, upTo]. fn must not call back into the Store.
	Range(contributor, commons string, after, upTo time.Time, fn func(Record) error) error
	// Contributors returns the key ids of everyone with a contribution to
	// commons, sorted.
	Contributors(commons string) ([]string, error)
	// RangeCommons calls fn for every contribution to commons dated in
	// (after, upTo], grouped by contributor in key id order and in date order
	// within a contributor. fn must not call back into the Store.
	RangeCommons(commons string, after, upTo time.Time, fn func(contributor string, r Record) error) error
	// Members returns the memberships of entity, and MembershipsOf those of
	// contributor, each sorted by (contributor, entity, from, statement).
	Members(entity string) ([]Membership, error)
	MembershipsOf(contributor string) ([]Membership, error)
}

// MemStore is the in-memory Store. Contributions are kept per (contributor,
// commons) in date order, so a query reads only the slices it needs and finds
// its window by binary search. A contribution costs about 40 bytes of slice
// plus its digest and an index entry.
type MemStore struct {
	mu      sync.RWMutex
	names   []string          // interned kinds and entities; id 0 is ""
	nameID  map[string]uint32 //
	series  map[pairKey]*series
	byStmt  map[string]where
	members map[string][]Membership // by entity
	memOf   map[string][]Membership // by contributor
	contrib map[string]*contributorSet
}

type pairKey struct{ contributor, commons string }

type series struct{ entries []entry }

type entry struct {
	at     int64 // unix nanoseconds
	qty    Quantity
	kind   uint32
	entity uint32
	stmt   string
}

type where struct {
	s          *series // nil for a membership
	at         int64
	membership *Membership
}

type contributorSet struct {
	ids    []string
	series []*series // parallel to ids
	sorted bool
	seen   map[string]struct{}
}

// NewMemStore returns an empty in-memory store.
func NewMemStore() *MemStore {
	return &MemStore{
		names:   []string{""},
		nameID:  map[string]uint32{"": 0},
		series:  map[pairKey]*series{},
		byStmt:  map[string]where{},
		members: map[string][]Membership{},
		memOf:   map[string][]Membership{},
		contrib: map[string]*contributorSet{},
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

// PutContribution implements Store.
func (s *MemStore) PutContribution(c Contribution) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.byStmt[c.Statement]; ok {
		return false, nil
	}
	k := pairKey{c.Contributor, c.Commons}
	se := s.series[k]
	if se == nil {
		se = &series{}
		s.series[k] = se
		cs := s.contrib[c.Commons]
		if cs == nil {
			cs = &contributorSet{seen: map[string]struct{}{}, sorted: true}
			s.contrib[c.Commons] = cs
		}
		if _, ok := cs.seen[c.Contributor]; !ok {
			cs.seen[c.Contributor] = struct{}{}
			if n := len(cs.ids); n > 0 && cs.ids[n-1] > c.Contributor {
				cs.sorted = false
			}
			cs.ids = append(cs.ids, c.Contributor)
			cs.series = append(cs.series, se)
		}
	}
	e := entry{at: c.At.UnixNano(), qty: c.Quantity, kind: s.intern(c.Kind), entity: s.intern(c.Entity), stmt: c.Statement}
	// Keep (at, stmt) order; appending is the common case.
	i := len(se.entries)
	if i > 0 && !entryLess(se.entries[i-1], e) {
		i = sort.Search(len(se.entries), func(j int) bool { return entryLess(e, se.entries[j]) })
	}
	se.entries = slices.Insert(se.entries, i, e)
	s.byStmt[c.Statement] = where{s: se, at: e.at}
	return true, nil
}

func entryLess(a, b entry) bool {
	if a.at != b.at {
		return a.at < b.at
	}
	return a.stmt < b.stmt
}

// PutMembership implements Store.
func (s *MemStore) PutMembership(m Membership) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.byStmt[m.Statement]; ok {
		return false, nil
	}
	mp := &m
	s.byStmt[m.Statement] = where{membership: mp}
	s.members[m.Entity] = insertMembership(s.members[m.Entity], m)
	s.memOf[m.Contributor] = insertMembership(s.memOf[m.Contributor], m)
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

func insertMembership(list []Membership, m Membership) []Membership {
	i, _ := slices.BinarySearchFunc(list, m, membershipCmp)
	return slices.Insert(list, i, m)
}

func removeMembership(list []Membership, stmt string) []Membership {
	return slices.DeleteFunc(list, func(m Membership) bool { return m.Statement == stmt })
}

// Remove implements Store.
func (s *MemStore) Remove(stmt string) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	w, ok := s.byStmt[stmt]
	if !ok {
		return false, nil
	}
	delete(s.byStmt, stmt)
	if m := w.membership; m != nil {
		s.members[m.Entity] = removeMembership(s.members[m.Entity], stmt)
		s.memOf[m.Contributor] = removeMembership(s.memOf[m.Contributor], stmt)
		return true, nil
	}
	es := w.s.entries
	i := sort.Search(len(es), func(j int) bool { return es[j].at >= w.at })
	for ; i < len(es) && es[i].at == w.at; i++ {
		if es[i].stmt == stmt {
			w.s.entries = slices.Delete(es, i, i+1)
			break
		}
	}
	return true, nil
}

// Range implements Store.
func (s *MemStore) Range(contributor, commons string, after, upTo time.Time, fn func(Record) error) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.rangeLocked(contributor, commons, after.UnixNano(), upTo.UnixNano(), func(e *entry) error {
		return fn(Record{At: time.Unix(0, e.at).UTC(), Quantity: e.qty, Kind: s.names[e.kind], Entity: s.names[e.entity], Statement: e.stmt})
	})
}

func (s *MemStore) rangeLocked(contributor, commons string, after, upTo int64, fn func(*entry) error) error {
	se := s.series[pairKey{contributor, commons}]
	if se == nil {
		return nil
	}
	es := se.entries
	i := sort.Search(len(es), func(j int) bool { return es[j].at > after })
	for ; i < len(es) && es[i].at <= upTo; i++ {
		if err := fn(&es[i]); err != nil {
			return err
		}
	}
	return nil
}

// Contributors implements Store.
func (s *MemStore) Contributors(commons string) ([]string, error) {
	s.mu.RLock()
	cs := s.contrib[commons]
	if cs == nil {
		s.mu.RUnlock()
		return nil, nil
	}
	if cs.sorted {
		ids := cs.ids[:len(cs.ids):len(cs.ids)]
		s.mu.RUnlock()
		return ids, nil
	}
	s.mu.RUnlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sortLocked(cs)
	return cs.ids[:len(cs.ids):len(cs.ids)], nil
}

// sortLocked puts cs in key id order, lazily: ingest appends, the first
// reader after it sorts. It sorts copies, because slices handed out earlier
// must not change under a caller.
func (s *MemStore) sortLocked(cs *contributorSet) {
	if cs.sorted {
		return
	}
	idx := make([]int, len(cs.ids))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int { return strings.Compare(cs.ids[a], cs.ids[b]) })
	ids, ser := make([]string, len(idx)), make([]*series, len(idx))
	for i, j := range idx {
		ids[i], ser[i] = cs.ids[j], cs.series[j]
	}
	cs.ids, cs.series, cs.sorted = ids, ser, true
}

// RangeCommons implements Store.
func (s *MemStore) RangeCommons(commons string, after, upTo time.Time, fn func(string, Record) error) error {
	s.mu.RLock()
	cs := s.contrib[commons]
	for cs != nil && !cs.sorted { // an ingest may slip in between; sort again
		s.mu.RUnlock()
		s.mu.Lock()
		s.sortLocked(cs)
		s.mu.Unlock()
		s.mu.RLock()
	}
	defer s.mu.RUnlock()
	if cs == nil {
		return nil
	}
	a, u := after.UnixNano(), upTo.UnixNano()
	for i, se := range cs.series {
		id := cs.ids[i]
		es := se.entries
		j := sort.Search(len(es), func(k int) bool { return es[k].at > a })
		for ; j < len(es) && es[j].at <= u; j++ {
			e := &es[j]
			r := Record{At: time.Unix(0, e.at).UTC(), Quantity: e.qty, Kind: s.names[e.kind], Entity: s.names[e.entity], Statement: e.stmt}
			if err := fn(id, r); err != nil {
				return err
			}
		}
	}
	return nil
}

// Members implements Store.
func (s *MemStore) Members(entity string) ([]Membership, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return slices.Clone(s.members[entity]), nil
}

// MembershipsOf implements Store.
func (s *MemStore) MembershipsOf(contributor string) ([]Membership, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return slices.Clone(s.memOf[contributor]), nil
}

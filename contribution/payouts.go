package contribution

import (
	"context"
	"math"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"
)

// ContributorPoints is what payouts split by: each contributor's weighted,
// decayed points for contributions to q.Commons and the commons it
// recognises, in the window ending at q.At, whatever entity (if any) they
// were made for. q.Entity must be empty. The result is sorted by key id and
// holds only contributors with points; total is their sum.
func (l *Ledger) ContributorPoints(ctx context.Context, q Query) (points []Share, total Points, err error) {
	if err := ctx.Err(); err != nil {
		return nil, 0, err
	}
	if err := checkQuery(q); err != nil {
		return nil, 0, err
	}
	if q.Entity != "" {
		return nil, 0, errorf(ErrInvalid, "", "Entity", "contributor points are per contributor; leave Entity empty")
	}
	after := time.Time{}
	if q.Window > 0 {
		after = q.At.Add(-q.Window)
	} else {
		after = time.Unix(0, -1<<63)
	}
	var acc accumulator
	if ms, ok := l.store.(*MemStore); ok {
		// Same arithmetic as below, on the flat columns.
		list, total, err := ms.contributorPoints(q, recognised(q), after.UnixNano())
		if err != nil {
			return nil, 0, err
		}
		if err := acc.add("", "", "", "", total); err != nil {
			return nil, 0, err
		}
		return list, Points(acc.total), nil
	}
	var lists [][]Share
	for _, c := range recognised(q) {
		var list []Share
		err := l.store.RangeCommons(ctx, c.commons, after, q.At, func(who string, r Record) error {
			v := weigh(r.Quantity, kindWeight(q, r.Kind), c.weight, q.At.Sub(r.At), q.HalfLife)
			if err := acc.add("", "", "", r.Statement, v); err != nil {
				return err
			}
			if n := len(list); n > 0 && list[n-1].Key == who {
				list[n-1].Points += Points(v)
			} else {
				list = append(list, Share{who, Points(v)})
			}
			return nil
		})
		if err != nil {
			return nil, 0, err
		}
		lists = append(lists, list)
	}
	return mergeShares(lists), Points(acc.total), nil
}

// contributorPoints sums every recognised commons' flat column into one
// array indexed by person number, then lists people with points in key id
// order. The columns are split among the processors, each summing into its
// own array; integer sums do not depend on the split.
func (s *MemStore) contributorPoints(q Query, coms []weighted, after int64) ([]Share, uint64, error) {
	s.mu.RLock()
	order, ids := s.sortedPeople()
	defer s.mu.RUnlock()
	at := q.At.UnixNano()
	kw := make([]int64, len(s.names)) // kind weights by interned name
	for i, n := range s.names {
		kw[i] = kindWeight(q, n)
	}
	type segment struct {
		flat   []flatEntry
		weight int64
	}
	var segs []segment
	n := 0
	for _, c := range coms {
		if ci := s.commons[c.commons]; ci != nil && len(ci.flat) > 0 {
			segs = append(segs, segment{ci.flat, c.weight})
			n += len(ci.flat)
		}
	}
	parts := min(runtime.GOMAXPROCS(0), max(1, n/parallelMin))
	type part struct {
		sums  []uint64
		total uint64
		err   error
	}
	results := make([]part, parts)
	var wg sync.WaitGroup
	for k := range parts {
		lo, hi := k*n/parts, (k+1)*n/parts // in the concatenation of segs
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := &results[k]
			r.sums = make([]uint64, len(s.byNum))
			off := 0
			for _, sg := range segs {
				a, b := max(lo-off, 0), min(hi-off, len(sg.flat))
				off += len(sg.flat)
				if a >= b {
					continue
				}
				for _, e := range sg.flat[a:b] {
					if e.at <= after || e.at > at {
						continue
					}
					v := weigh(e.qty, kw[e.kind], sg.weight, time.Duration(at-e.at), q.HalfLife)
					if v > math.MaxInt64-r.sums[e.who] || v > math.MaxInt64-r.total {
						r.err = overflow()
						return
					}
					r.sums[e.who] += v
					r.total += v
				}
			}
		}()
	}
	wg.Wait()
	sums := results[0].sums
	var total uint64
	for k, r := range results {
		if r.err != nil {
			return nil, 0, r.err
		}
		if r.total > math.MaxInt64-total {
			return nil, 0, overflow()
		}
		total += r.total
		if k == 0 {
			continue
		}
		for i, v := range r.sums {
			if v > math.MaxInt64-sums[i] {
				return nil, 0, overflow()
			}
			sums[i] += v
		}
	}
	list := make([]Share, 0, len(order))
	for i, num := range order {
		if v := sums[num]; v > 0 {
			list = append(list, Share{ids[i], Points(v)})
		}
	}
	return list, total, nil
}

func overflow() error {
	return errorf(ErrOverflow, "", "", "the total exceeds %s points; lower the weights or the window", Points(math.MaxInt64))
}

// sortedPeople returns every person's number, and key id, in key id order
// (the ids side by side, so listing them reads memory in order). New people
// are appended; the first reader after that sorts. Called and returning
// with the read lock held.
func (s *MemStore) sortedPeople() ([]uint32, []string) {
	for !s.idSorted {
		s.mu.RUnlock()
		s.mu.Lock()
		if !s.idSorted {
			// Sort a new slice: a reader may still hold the old one.
			order := make([]uint32, len(s.byNum))
			for i := range order {
				order[i] = uint32(i)
			}
			slices.SortFunc(order, func(a, b uint32) int { return strings.Compare(s.byNum[a].id, s.byNum[b].id) })
			ids := make([]string, len(order))
			for i, num := range order {
				ids[i] = s.byNum[num].id
			}
			s.byID, s.ids, s.idSorted = order, ids, true
		}
		s.mu.Unlock()
		s.mu.RLock()
	}
	return s.byID, s.ids
}

// parallelMin is the number of contributors below which one goroutine
// does the whole sum: splitting small work costs more than it saves.
const parallelMin = 4096

// mergeShares merges lists sorted by key, adding points of equal keys and
// dropping zeros.
func mergeShares(lists [][]Share) []Share {
	for len(lists) > 1 {
		var next [][]Share
		for i := 0; i < len(lists); i += 2 {
			if i+1 == len(lists) {
				next = append(next, lists[i])
				break
			}
			next = append(next, merge2(lists[i], lists[i+1]))
		}
		lists = next
	}
	if len(lists) == 0 {
		return nil
	}
	out := lists[0][:0]
	for _, s := range lists[0] {
		if s.Points != 0 {
			out = append(out, s)
		}
	}
	return out
}

func merge2(a, b []Share) []Share {
	out := make([]Share, 0, len(a)+len(b))
	for len(a) > 0 && len(b) > 0 {
		switch c := strings.Compare(a[0].Key, b[0].Key); {
		case c < 0:
			out, a = append(out, a[0]), a[1:]
		case c > 0:
			out, b = append(out, b[0]), b[1:]
		default:
			out = append(out, Share{a[0].Key, a[0].Points + b[0].Points})
			a, b = a[1:], b[1:]
		}
	}
	return append(append(out, a...), b...)
}

package contribution

import (
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
func (l *Ledger) ContributorPoints(q Query) (points []Share, total Points, err error) {
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
	var lists [][]Share
	ms, fast := l.store.(*MemStore)
	for _, c := range recognised(q) {
		var list []Share
		if fast {
			// Same arithmetic as below, on the raw entries.
			list, err = ms.contributorPoints(q, c.commons, c.weight, after.UnixNano(), &acc)
			if err != nil {
				return nil, 0, err
			}
			lists = append(lists, list)
			continue
		}
		err := l.store.RangeCommons(c.commons, after, q.At, func(who string, r Record) error {
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

func (s *MemStore) contributorPoints(q Query, commons string, weight int64, after int64, acc *accumulator) ([]Share, error) {
	s.mu.RLock()
	ci := s.sortedCommons(commons)
	defer s.mu.RUnlock()
	if ci == nil {
		return nil, nil
	}
	at := q.At.UnixNano()
	kw := make([]int64, len(s.names)) // kind weights by interned name
	for i, n := range s.names {
		kw[i] = kindWeight(q, n)
	}
	// Contributors are independent: split them among the processors and
	// concatenate the parts in order (the people are sorted by key id, so
	// the result stays sorted; integer sums do not depend on the split).
	parts := min(runtime.GOMAXPROCS(0), max(1, len(ci.people)/parallelMin))
	type part struct {
		list  []Share
		total uint64
		err   error
	}
	results := make([]part, parts)
	var wg sync.WaitGroup
	for k := range parts {
		lo, hi := k*len(ci.people)/parts, (k+1)*len(ci.people)/parts
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := &results[k]
			r.list = make([]Share, 0, hi-lo)
			for _, p := range ci.people[lo:hi] {
				i, ok := slices.BinarySearch(p.commons, ci.idx)
				if !ok {
					continue
				}
				var sum uint64
				for _, e := range window(p.series[i], after, at) {
					v := weigh(e.qty, kw[e.kind], weight, time.Duration(at-e.at), q.HalfLife)
					if v > math.MaxInt64-sum || r.total > math.MaxInt64-v {
						r.err = errorf(ErrOverflow, e.stmt, "", "the total exceeds %s points; lower the weights or the window", Points(math.MaxInt64))
						return
					}
					sum += v
					r.total += v
				}
				if sum > 0 {
					r.list = append(r.list, Share{p.id, Points(sum)})
				}
			}
		}()
	}
	wg.Wait()
	var list []Share
	for _, r := range results {
		if r.err != nil {
			return nil, r.err
		}
		if err := acc.add("", "", "", "", r.total); err != nil {
			return nil, err
		}
		list = append(list, r.list...)
	}
	return list, nil
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

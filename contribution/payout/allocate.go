package payout

import (
	"cmp"
	"context"
	"fmt"
	"math/bits"
	"slices"

	"github.com/peerproduction/ppl/contribution"
)

// Share is one recipient's part of an allocation.
type Share struct {
	Recipient string              // contributor key id
	Points    contribution.Points // their weighted points
	Computed  int64               // their share of this payment, before carry-over
	CarriedIn int64               // owed to them from earlier periods
	Paid      int64               // paid now: Computed+CarriedIn, or 0 when below the minimum
	CarryOut  int64               // carried to the next period
}

// Allocation divides one payment. Its amounts always add up exactly:
//
//	Payment.Amount + Σ CarriedIn = Association + Σ Paid + Σ CarryOut
//
// and no amount is negative.
type Allocation struct {
	Payment     Payment
	TermsDigest string
	Association int64
	TotalPoints contribution.Points
	Pool        int64 // what contributors share: Payment.Amount - Association
	Shares      []Share
}

// Allocate divides payment according to plan and the contributors' points
// in the ledger at payment.At. carried holds amounts owed from earlier
// periods by recipient (nil for none); the result says what is carried on.
//
// Rounding: the association gets floor(amount × bp / 10000); each
// contributor floor(pool × points / total); the minor units left over (fewer
// than the number of contributors) go one each to the largest remainders,
// ties broken by key id in ascending byte order. With no contributor in the
// window the association receives the whole payment (or, with no
// association share configured, the whole payment is still the
// association's: there is nobody else to pay).
func Allocate(ctx context.Context, plan *Plan, l *contribution.Ledger, payment Payment, termsDigest string, carried map[string]int64) (*Allocation, error) {
	if err := plan.Check(); err != nil {
		return nil, err
	}
	if err := payment.check(plan); err != nil {
		return nil, err
	}
	if len(plan.Fixed) > 0 {
		// A fixed split (an OVN pie-chart): shares in millionths play the
		// part of points.
		pts := make([]contribution.Share, len(plan.Fixed))
		for i, f := range plan.Fixed {
			pts[i] = contribution.Share{Key: f.Recipient, Points: contribution.Points(f.PPM)}
		}
		slices.SortFunc(pts, func(a, b contribution.Share) int { return cmp.Compare(a.Key, b.Key) })
		return allocate(plan, pts, million, payment, termsDigest, carried), nil
	}
	if l == nil {
		return nil, fmt.Errorf("%w: no ledger and no fixed split", ErrPlan)
	}
	points, total, err := l.ContributorPoints(ctx, plan.Query(payment.At))
	if err != nil {
		return nil, err
	}
	return allocate(plan, points, total, payment, termsDigest, carried), nil
}

func allocate(plan *Plan, points []contribution.Share, total contribution.Points, payment Payment, termsDigest string, carried map[string]int64) *Allocation {
	a := &Allocation{Payment: payment, TermsDigest: termsDigest, TotalPoints: total}
	a.Association = mulDiv(payment.Amount, plan.AssociationBP, 10000)
	a.Pool = payment.Amount - a.Association
	if total <= 0 {
		a.Association, a.Pool = payment.Amount, 0
	}
	a.Shares = make([]Share, len(points))
	rems := make([]uint64, len(points))
	var given int64
	for i, p := range points {
		q, r := mulDivRem(a.Pool, int64(p.Points), int64(total))
		a.Shares[i] = Share{Recipient: p.Key, Points: p.Points, Computed: q}
		given += q
		rems[i] = r
	}
	if left := a.Pool - given; left > 0 {
		giveLeftovers(a.Shares, rems, int(left))
	}
	// Carry-over: what is owed from before joins this period's share; a
	// total below the minimum waits for the next period.
	var seen map[string]bool
	if len(carried) > 0 {
		seen = make(map[string]bool, len(carried))
	}
	for i := range a.Shares {
		s := &a.Shares[i]
		if seen != nil {
			s.CarriedIn = carried[s.Recipient]
			seen[s.Recipient] = true
		}
		settle(s, plan.MinimumPayout)
	}
	// Recipients owed from before but with no points now keep what they are
	// owed: it is carried on, or paid once it reaches the minimum.
	appended := false
	for _, r := range sortedKeys(carried) {
		if !seen[r] && carried[r] > 0 {
			s := Share{Recipient: r, CarriedIn: carried[r]}
			settle(&s, plan.MinimumPayout)
			a.Shares = append(a.Shares, s)
			appended = true
		}
	}
	// Points come sorted by key id (the ledger's order, or the fixed split
	// sorted above); only recipients carried in from before can break it.
	if appended {
		slices.SortFunc(a.Shares, byRecipient)
	}
	return a
}

func settle(s *Share, minimum int64) {
	owed := s.Computed + s.CarriedIn
	if owed >= minimum && owed > 0 {
		s.Paid = owed
	} else {
		s.CarryOut = owed
	}
}

func sortedKeys(m map[string]int64) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// CarriedOut returns what the allocation carries to the next period, by
// recipient: the carried argument of the next Allocate.
func (a *Allocation) CarriedOut() map[string]int64 {
	out := map[string]int64{}
	for _, s := range a.Shares {
		if s.CarryOut > 0 {
			out[s.Recipient] = s.CarryOut
		}
	}
	return out
}

// mulDiv returns floor(a*b/c) for non-negative a, b and positive c, with a
// 128-bit intermediate so it cannot overflow when the result fits.
func mulDiv(a, b, c int64) int64 {
	q, _ := mulDivRem(a, b, c)
	return q
}

func mulDivRem(a, b, c int64) (int64, uint64) {
	hi, lo := bits.Mul64(uint64(a), uint64(b))
	q, r := bits.Div64(hi, lo, uint64(c)) // hi < c since a*b/c ≤ a fits (b ≤ c)
	return int64(q), r
}

func byRecipient(x, y Share) int { return cmp.Compare(x.Recipient, y.Recipient) }

// giveLeftovers adds one unit to each of the left largest remainders, ties
// going to the earlier recipient (shares are in key id order). Rather than
// sort every remainder it finds the cut-off value by selection: linear
// time, where a sort of 100,000 remainders dominated an allocation.
func giveLeftovers(shares []Share, rems []uint64, left int) {
	cut := nthLargest(slices.Clone(rems), left)
	for i, r := range rems {
		if r > cut {
			shares[i].Computed++
			left--
		}
	}
	for i, r := range rems {
		if left == 0 {
			break
		}
		if r == cut {
			shares[i].Computed++
			left--
		}
	}
}

// nthLargest returns the k-th largest value of v (k from 1), reordering v.
// Quickselect with a median-of-three pivot, falling back to sorting a
// range that does not shrink fast enough, so it stays O(n log n) at worst.
func nthLargest(v []uint64, k int) uint64 {
	lo, hi := 0, len(v) // the answer is v[k-1] in descending order within [lo, hi)
	k--
	for budget := 2 * bits.Len(uint(len(v))); hi-lo > 16; budget-- {
		if budget == 0 {
			break
		}
		m := lo + (hi-lo)/2
		a, b, c := v[lo], v[m], v[hi-1]
		pivot := max(min(a, b), min(max(a, b), c))
		// Three-way partition, descending: > pivot, == pivot, < pivot.
		lt, i, gt := lo, lo, hi
		for i < gt {
			switch {
			case v[i] > pivot:
				v[lt], v[i] = v[i], v[lt]
				lt++
				i++
			case v[i] < pivot:
				gt--
				v[gt], v[i] = v[i], v[gt]
			default:
				i++
			}
		}
		switch {
		case k < lt:
			hi = lt
		case k < gt:
			return pivot
		default:
			lo = gt
		}
	}
	part := v[lo:hi]
	slices.SortFunc(part, func(x, y uint64) int { return cmp.Compare(y, x) })
	return part[k-lo]
}

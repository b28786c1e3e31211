package license

import (
	"errors"
	"fmt"
	"math/bits"

	"github.com/peerproduction/ppl/internal/money"
)

// PriceKind says how a schedule computes an amount.
type PriceKind string

// The price kinds.
const (
	Flat         PriceKind = "flat"          // Amount
	PerSeat      PriceKind = "per-seat"      // Amount × seats
	RevenueTiers PriceKind = "revenue-tiers" // the Amount of the first tier whose RevenueBelow exceeds the entity's revenue
	// HeadcountTiers is the Amount of the first tier whose HeadcountBelow
	// exceeds the entity's headcount.
	HeadcountTiers PriceKind = "headcount-tiers"
	// RevenueShare is BasisPoints of the entity's annual revenue (100 basis
	// points are 1%), rounded down to the minor unit, then raised to
	// Minimum and lowered to Maximum where those are set.
	RevenueShare PriceKind = "revenue-share"
)

// Period is how often a price is due.
type Period string

// The periods.
const (
	OneTime Period = "one-time"
	Monthly Period = "month"
	Yearly  Period = "year"
)

// Schedule prices a pay clause in integer minor units of Currency.
// Placeholder marks a schedule whose license text sets no price (the Peer
// Production License, Parity, Prosperity): a commons publishing such terms
// must replace it with its own, and decisions say the price is a
// placeholder.
type Schedule struct {
	ID       string    `json:"id"`
	Kind     PriceKind `json:"kind"`
	Currency string    `json:"currency"`
	Period   Period    `json:"period"`
	Amount   int64     `json:"amount,omitempty"`
	Tiers    []Tier    `json:"tiers,omitempty"`
	// BasisPoints, Minimum and Maximum set a revenue-share schedule; a zero
	// Maximum leaves it uncapped.
	BasisPoints int64 `json:"basisPoints,omitempty"`
	Minimum     int64 `json:"minimum,omitempty"`
	Maximum     int64 `json:"maximum,omitempty"`
	Placeholder bool  `json:"placeholder,omitempty"`
}

// Tier is one band of a tiered schedule: entities with revenue below
// RevenueBelow (revenue-tiers, in the schedule's currency and minor units)
// or headcount below HeadcountBelow (headcount-tiers) pay Amount. The last
// tier has no bound.
type Tier struct {
	RevenueBelow   *int64 `json:"revenueBelow,omitempty"`
	HeadcountBelow *int64 `json:"headcountBelow,omitempty"`
	Amount         int64  `json:"amount"`
}

// Sentinels for a price that cannot be computed from what is known.
var (
	ErrNoRevenue   = errors.New("the price needs the entity's revenue in the schedule's currency")
	ErrNoHeadcount = errors.New("the price needs the entity's headcount")
)

// Compute returns the amount due for seats seats (a per-seat schedule
// charges at least one) from the entity's facts (revenue and headcount,
// for the schedules that depend on them).
func (s *Schedule) Compute(seats int64, f *Facts) (int64, error) {
	switch s.Kind {
	case Flat:
		return s.Amount, nil
	case PerSeat:
		return money.Mul(s.Amount, max(seats, 1))
	case RevenueTiers, RevenueShare:
		if f == nil || !f.RevenueKnown || f.Revenue.Currency != s.Currency {
			return 0, ErrNoRevenue
		}
		if s.Kind == RevenueShare {
			return s.share(f.Revenue.Amount)
		}
		for _, t := range s.Tiers {
			if t.RevenueBelow == nil || f.Revenue.Amount < *t.RevenueBelow {
				return t.Amount, nil
			}
		}
		return 0, fmt.Errorf("revenue %s above every tier of schedule %q", f.Revenue.String(), s.ID)
	case HeadcountTiers:
		if f == nil || !f.HeadcountKnown {
			return 0, ErrNoHeadcount
		}
		for _, t := range s.Tiers {
			if t.HeadcountBelow == nil || f.Headcount < *t.HeadcountBelow {
				return t.Amount, nil
			}
		}
		return 0, fmt.Errorf("headcount %d above every tier of schedule %q", f.Headcount, s.ID)
	}
	return 0, fmt.Errorf("schedule %q has unknown kind %q", s.ID, s.Kind)
}

// share is revenue × BasisPoints / 10000, rounded down to the minor unit
// (a licensee never owes more than the stated share), computed in 128 bits
// so no revenue overflows, then held within Minimum and Maximum.
func (s *Schedule) share(revenue int64) (int64, error) {
	if revenue < 0 {
		return 0, fmt.Errorf("%w: revenue %d is negative", ErrNoRevenue, revenue)
	}
	hi, lo := bits.Mul64(uint64(revenue), uint64(s.BasisPoints))
	q, _ := bits.Div64(hi, lo, 10000) // hi < 10000: revenue and basis points are below 2^63 and 10000
	amount := int64(q)
	amount = max(amount, s.Minimum)
	if s.Maximum > 0 {
		amount = min(amount, s.Maximum)
	}
	return amount, nil
}

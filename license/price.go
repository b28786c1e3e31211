package license

import (
	"errors"
	"fmt"

	"github.com/peerproduction/ppl/internal/money"
)

// PriceKind says how a schedule computes an amount.
type PriceKind string

// The price kinds.
const (
	Flat         PriceKind = "flat"          // Amount
	PerSeat      PriceKind = "per-seat"      // Amount × seats
	RevenueTiers PriceKind = "revenue-tiers" // the Amount of the first tier whose RevenueBelow exceeds the entity's revenue
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
	ID          string    `json:"id"`
	Kind        PriceKind `json:"kind"`
	Currency    string    `json:"currency"`
	Period      Period    `json:"period"`
	Amount      int64     `json:"amount,omitempty"`
	Tiers       []Tier    `json:"tiers,omitempty"`
	Placeholder bool      `json:"placeholder,omitempty"`
}

// Tier is one revenue band: entities with revenue below RevenueBelow (in
// the schedule's currency and minor units) pay Amount. The last tier has
// no bound (RevenueBelow nil).
type Tier struct {
	RevenueBelow *int64 `json:"revenueBelow,omitempty"`
	Amount       int64  `json:"amount"`
}

// ErrNoRevenue is returned when a revenue-banded price is asked for an
// entity whose revenue is unknown or in another currency.
var ErrNoRevenue = errors.New("revenue-tiered price needs the entity's revenue in the schedule's currency")

// Compute returns the amount due for seats seats (a per-seat schedule
// charges at least one) and the entity's annual revenue.
func (s *Schedule) Compute(seats int64, revenue *Money) (int64, error) {
	switch s.Kind {
	case Flat:
		return s.Amount, nil
	case PerSeat:
		return money.Mul(s.Amount, max(seats, 1))
	case RevenueTiers:
		if revenue == nil || revenue.Currency != s.Currency {
			return 0, ErrNoRevenue
		}
		for _, t := range s.Tiers {
			if t.RevenueBelow == nil || revenue.Amount < *t.RevenueBelow {
				return t.Amount, nil
			}
		}
		return 0, fmt.Errorf("revenue %s above every tier of schedule %q", revenue.String(), s.ID)
	}
	return 0, fmt.Errorf("schedule %q has unknown kind %q", s.ID, s.Kind)
}

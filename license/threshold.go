package license

import (
	"fmt"
	"time"

	"github.com/peerproduction/ppl/internal/money"
)

// Threshold is an amount of money a condition compares with. With BaseYear
// set, the amount is in that year's money (PolyForm Small Business: "USD
// 1,000,000 (2019)") and is adjusted by an index series the caller
// supplies (Facts.Index), such as CPI-U annual averages.
type Threshold struct {
	Amount   int64  `json:"amount"`
	Currency string `json:"currency"`
	BaseYear int    `json:"baseYear,omitempty"`
}

func (t Threshold) String() string {
	s := money.Format(t.Amount, t.Currency)
	if t.BaseYear != 0 {
		s += fmt.Sprintf(" (%d money)", t.BaseYear)
	}
	return s
}

// IndexSeries holds a price index by year, as integers (e.g. CPI-U annual
// average × 1000). Only ratios matter.
type IndexSeries map[int]int64

// Adjusted returns the threshold in the money of the last full year before
// at (a "last tax year" test), using the latest index year available up to
// it, and that year. Without a base year the amount is returned unchanged.
// ok is false when the series lacks the base year or any year from the base
// year on, up to the target.
func (t Threshold) Adjusted(index IndexSeries, at time.Time) (amount int64, year int, ok bool) {
	if t.BaseYear == 0 {
		return t.Amount, 0, true
	}
	base, found := index[t.BaseYear]
	if !found || base <= 0 {
		return 0, 0, false
	}
	for y := at.Year() - 1; y >= t.BaseYear; y-- {
		if v, found := index[y]; found && v > 0 {
			adj, err := money.Mul(t.Amount, v)
			if err != nil {
				return 0, 0, false
			}
			// Round half up to the minor unit.
			return (adj + base/2) / base, y, true
		}
	}
	return 0, 0, false
}

package payout

import (
	"errors"
	"fmt"
	"time"

	"github.com/peerproduction/ppl/contribution"
	"github.com/peerproduction/ppl/internal/money"
)

// Sentinels for errors.Is.
var (
	ErrPlan     = errors.New("invalid payout plan")
	ErrPayment  = errors.New("invalid payment")
	ErrCurrency = errors.New("payment currency differs from the plan's")
	ErrSums     = errors.New("payout shares do not add up to the payment")
	ErrNegative = errors.New("negative amount in payout")
)

// Plan says how a commons returns what paying entities pay: AssociationBP
// basis points (1/100 of a percent) go to the commons' for-benefit
// association, the rest is split among contributors by their weighted,
// decayed points under the same rules as the reciprocity query (Window,
// HalfLife, KindWeights), counting contributions to the commons it
// recognises at their recognition weight when IncludeRecognised is set. A
// share below MinimumPayout is carried over to the next period instead of
// paid. Signers are the key ids allowed to sign payout statements (a Trust
// enforces it when they are verified).
type Plan struct {
	Commons           contribution.Commons
	Currency          string
	Association       string // the association's account or key id
	AssociationBP     int64  // 0..10000
	Window            time.Duration
	HalfLife          time.Duration
	KindWeights       map[string]int64 // thousandths; nil: every kind 1000
	IncludeRecognised bool
	MinimumPayout     int64 // minor units
	Signers           []string
	// Fixed, when set, splits the contributors' pool by these shares (e.g.
	// an imported OVN pie-chart) instead of by points in the ledger.
	Fixed []FixedShare
}

// Check reports what is wrong with the plan.
func (p *Plan) Check() error {
	switch {
	case p.Commons.ID == "":
		return fmt.Errorf("%w: Commons.ID is empty", ErrPlan)
	case money.Check(p.Currency) != nil:
		return fmt.Errorf("%w: Currency %q is not an ISO 4217 code", ErrPlan, p.Currency)
	case p.AssociationBP < 0 || p.AssociationBP > 10000:
		return fmt.Errorf("%w: AssociationBP %d: shares must be between 0 and 10000 basis points (100%%)", ErrPlan, p.AssociationBP)
	case p.Association == "" && p.AssociationBP > 0:
		return fmt.Errorf("%w: Association is empty but keeps %d basis points", ErrPlan, p.AssociationBP)
	case p.MinimumPayout < 0:
		return fmt.Errorf("%w: MinimumPayout is negative", ErrPlan)
	case p.Window < 0 || p.HalfLife < 0:
		return fmt.Errorf("%w: Window and HalfLife must not be negative", ErrPlan)
	}
	if len(p.Fixed) > 0 {
		var sum int64
		for _, f := range p.Fixed {
			if f.PPM <= 0 || f.Recipient == "" {
				return fmt.Errorf("%w: fixed share for %q must be positive", ErrPlan, f.Recipient)
			}
			sum += f.PPM
		}
		if sum != million {
			return fmt.Errorf("%w: fixed shares sum to %d millionths, not 1000000", ErrPlan, sum)
		}
	}
	return nil
}

// Query is the ledger query that gives contributors' points at time at.
func (p *Plan) Query(at time.Time) contribution.Query {
	q := contribution.Query{Commons: p.Commons.ID, At: at, Window: p.Window, HalfLife: p.HalfLife, KindWeights: p.KindWeights}
	if p.IncludeRecognised {
		q.Recognised = p.Commons.RecognisedWeights()
	}
	return q
}

// Payment is money an entity paid for a license to the commons.
type Payment struct {
	Commons   string
	Payer     string
	Amount    int64 // minor units, > 0
	Currency  string
	At        time.Time
	Reference string // e.g. the invoice or grant reference; identifies the payment
}

func (pay Payment) check(p *Plan) error {
	switch {
	case pay.Commons != p.Commons.ID:
		return fmt.Errorf("%w: payment is for commons %q, the plan for %q", ErrPayment, pay.Commons, p.Commons.ID)
	case pay.Currency != p.Currency:
		return fmt.Errorf("%w: payment in %s, plan in %s", ErrCurrency, pay.Currency, p.Currency)
	case pay.Amount <= 0:
		return fmt.Errorf("%w: amount %d: a payment must be positive", ErrPayment, pay.Amount)
	case pay.Reference == "":
		return fmt.Errorf("%w: Reference is required, so a payment is paid out once", ErrPayment)
	case pay.At.IsZero():
		return fmt.Errorf("%w: At is required (there is no hidden clock)", ErrPayment)
	}
	return nil
}

package license

import (
	"errors"
	"strings"
	"testing"
)

// A revenue share is the stated basis points of the stated revenue,
// rounded down to the minor unit, then held within its floor and cap.
func TestRevenueShare(t *testing.T) {
	s := Schedule{ID: "share", Kind: RevenueShare, Currency: "USD", Period: Yearly, BasisPoints: 100}
	usd := func(cents int64) *Facts {
		return &Facts{Revenue: Money{Amount: cents, Currency: "USD"}, RevenueKnown: true}
	}
	for _, c := range []struct {
		rev, want int64
	}{
		{900_000_000_00, 9_000_000_00}, // 1% of USD 900M
		{199, 1},                       // 1.99 cents rounds down to 1
		{99, 0},
		{0, 0},
		{1<<63 - 1, (1<<63 - 1) / 100}, // no overflow at the largest revenue
	} {
		got, err := s.Compute(1, usd(c.rev))
		if err != nil || got != c.want {
			t.Errorf("1%% of %d = %d, %v; want %d", c.rev, got, err, c.want)
		}
	}
	s.BasisPoints = 10000 // all of it
	if got, _ := s.Compute(1, usd(1<<63-1)); got != 1<<63-1 {
		t.Errorf("100%% of the largest revenue: %d", got)
	}
	s.BasisPoints, s.Minimum, s.Maximum = 250, 500_00, 10_000_00
	for _, c := range []struct{ rev, want int64 }{
		{1_000_00, 500_00},         // 2.5% is 25.00, raised to the floor
		{100_000_00, 2_500_00},     // within
		{1_000_000_000, 10_000_00}, // 250,000.00, capped
		{3_999_999, 99_999},        // 99,999.975 cents rounds down
	} {
		if got, _ := s.Compute(1, usd(c.rev)); got != c.want {
			t.Errorf("2.5%% of %d within [%d, %d] = %d, want %d", c.rev, s.Minimum, s.Maximum, got, c.want)
		}
	}
	for _, f := range []*Facts{{}, {Revenue: Money{Amount: 100, Currency: "EUR"}, RevenueKnown: true}, nil} {
		if _, err := s.Compute(1, f); !errors.Is(err, ErrNoRevenue) {
			t.Errorf("revenue %+v: %v, want ErrNoRevenue", f, err)
		}
	}
}

func TestHeadcountTiers(t *testing.T) {
	n := func(v int64) *int64 { return &v }
	s := Schedule{ID: "seats", Kind: HeadcountTiers, Currency: "EUR", Period: Yearly,
		Tiers: []Tier{{HeadcountBelow: n(10), Amount: 0}, {HeadcountBelow: n(250), Amount: 5_000_00}, {Amount: 50_000_00}}}
	for _, c := range []struct{ heads, want int64 }{{0, 0}, {9, 0}, {10, 5_000_00}, {249, 5_000_00}, {250, 50_000_00}, {1 << 40, 50_000_00}} {
		got, err := s.Compute(1, &Facts{Headcount: c.heads, HeadcountKnown: true})
		if err != nil || got != c.want {
			t.Errorf("headcount %d: %d, %v; want %d", c.heads, got, err, c.want)
		}
	}
	if _, err := s.Compute(1, &Facts{}); !errors.Is(err, ErrNoHeadcount) {
		t.Errorf("unknown headcount: %v", err)
	}
}

// Schedules whose parameters do not fit their kind are refused at the
// parameter's pointer.
func TestScheduleRefusals(t *testing.T) {
	base := `{"id":"x","name":"x","version":"1","source":"https://x","clauses":[{"id":"p","effect":"pay","price":"s","text":"t"}],"prices":[%s]}`
	for _, c := range []struct {
		schedule, pointer string
		err               error
	}{
		{`{"id":"s","kind":"revenue-share","currency":"USD","period":"year","basisPoints":0}`, "/prices/0/basisPoints", ErrBadShare},
		{`{"id":"s","kind":"revenue-share","currency":"USD","period":"year","basisPoints":10001}`, "/prices/0/basisPoints", ErrBadShare},
		{`{"id":"s","kind":"revenue-share","currency":"USD","period":"year","basisPoints":100,"minimum":-1}`, "/prices/0/minimum", ErrNegativePrice},
		{`{"id":"s","kind":"revenue-share","currency":"USD","period":"year","basisPoints":100,"minimum":500,"maximum":400}`, "/prices/0/maximum", ErrBadShare},
		{`{"id":"s","kind":"flat","currency":"USD","period":"year","amount":5,"basisPoints":100}`, "/prices/0", ErrBadShare},
		{`{"id":"s","kind":"headcount-tiers","currency":"USD","period":"year","tiers":[{"revenueBelow":5,"amount":1},{"amount":2}]}`, "/prices/0/tiers/0/revenueBelow", ErrBadTiers},
		{`{"id":"s","kind":"headcount-tiers","currency":"USD","period":"year","tiers":[{"headcountBelow":50,"amount":1},{"headcountBelow":10,"amount":2},{"amount":3}]}`, "/prices/0/tiers/1/headcountBelow", ErrBadTiers},
		{`{"id":"s","kind":"revenue-tiers","currency":"USD","period":"year","tiers":[{"headcountBelow":5,"amount":1},{"amount":2}]}`, "/prices/0/tiers/0/headcountBelow", ErrBadTiers},
		{`{"id":"s","kind":"flat","currency":"USD","period":"year","amount":5,"tiers":[{"amount":2}]}`, "/prices/0/tiers", ErrBadTiers},
	} {
		_, err := Parse([]byte(strings.Replace(base, "%s", c.schedule, 1)))
		var pe *ParseError
		if !errors.As(err, &pe) || !errors.Is(err, c.err) {
			t.Errorf("%s: %v, want %v", c.schedule, err, c.err)
			continue
		}
		found := false
		for _, p := range pe.Problems {
			found = found || p.Pointer == c.pointer
		}
		if !found {
			t.Errorf("%s: problems %v, none at %s", c.schedule, pe.Problems, c.pointer)
		}
	}
}

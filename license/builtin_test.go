package license

import (
	"strings"
	"testing"
	"time"
)

var at = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

// cpiU is the US CPI-U, all items, U.S. city average, annual averages
// (1982-84=100) × 1000, from the Bureau of Labor Statistics series
// CUUR0000SA0: the index PolyForm's "USD (2019)" thresholds are adjusted by.
var cpiU = IndexSeries{2019: 255657, 2020: 258811, 2021: 270970, 2022: 292655, 2023: 304702, 2024: 313689}

func people() map[string]Facts {
	usd := func(cents int64) Money { return Money{Amount: cents, Currency: "USD"} }
	return map[string]Facts{
		"hobbyist": {At: at, Commercial: false, Purpose: "personal", Kind: KindIndividual},
		"worker-coop": {At: at, Commercial: true, Kind: KindWorkerCooperative,
			WorkerOwned: true, WorkerOwnedKnown: true, WorkerOwnedAttested: true, Headcount: 40, HeadcountKnown: true, Revenue: usd(300_000_00), RevenueKnown: true},
		"coop-not-distributing": {At: at, Commercial: true, Kind: KindCooperative, WorkerOwned: false, WorkerOwnedKnown: true},
		"nonprofit":             {At: at, Commercial: true, Kind: KindNonprofit},
		"corp-contributor": {At: at, Commercial: true, Kind: KindForProfit, Headcount: 5000, HeadcountKnown: true,
			Revenue: usd(900_000_000_00), RevenueKnown: true, Points: 140_000, PointsKnown: true},
		"corp-below-threshold": {At: at, Commercial: true, Kind: KindForProfit, Headcount: 5000, HeadcountKnown: true,
			Revenue: usd(900_000_000_00), RevenueKnown: true, Points: 40_000, PointsKnown: true, FirstUse: at.AddDate(-1, 0, 0)},
		"startup-day-10": {At: at, Commercial: true, Kind: KindForProfit, Headcount: 12, HeadcountKnown: true, Revenue: usd(250_000_00), RevenueKnown: true,
			FirstUse: at.AddDate(0, 0, -10), Named: []NamedFact{{Name: "investment-below-usd-1m-5y", Attested: true}}},
		"startup-day-31": {At: at, Commercial: true, Kind: KindForProfit, Headcount: 12, HeadcountKnown: true, Revenue: usd(250_000_00), RevenueKnown: true,
			FirstUse: at.AddDate(0, 0, -31)},
		"small-self-declared": {At: at, Commercial: true, Kind: KindForProfit, Headcount: 12, HeadcountKnown: true, Revenue: usd(250_000_00), RevenueKnown: true,
			FirstUse: at.AddDate(0, 0, -31), Named: []NamedFact{{Name: "investment-below-usd-1m-5y", Attested: false}}},
		"big-revenue-small-team": {At: at, Commercial: true, Kind: KindForProfit, Headcount: 20, HeadcountKnown: true, Revenue: usd(5_000_000_00), RevenueKnown: true,
			FirstUse: at.AddDate(0, -2, 0), Named: []NamedFact{{Name: "investment-below-usd-1m-5y", Attested: true}}},
		"publishes-source": {At: at, Commercial: true, Kind: KindForProfit, FirstUse: at.AddDate(-1, 0, 0),
			Named: []NamedFact{{Name: "contributes-back", Attested: true}}},
		"claims-source-unattested": {At: at, Commercial: true, Kind: KindForProfit, FirstUse: at.AddDate(-1, 0, 0),
			Named: []NamedFact{{Name: "contributes-back", Attested: false}}},
		"prototype-day-5":         {At: at, Commercial: true, Kind: KindForProfit, Purpose: "prototype", FirstUse: at.AddDate(0, 0, -5)},
		"prototype-day-40":        {At: at, Commercial: true, Kind: KindForProfit, Purpose: "prototype", FirstUse: at.AddDate(0, 0, -40)},
		"contributes-back-change": {At: at, Commercial: true, Kind: KindForProfit, Purpose: "contribution-back", FirstUse: at.AddDate(-1, 0, 0)},
		"production-2026":         {At: at, Commercial: true, Kind: KindForProfit, Purpose: "production"},
		"production-2030":         {At: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC), Commercial: true, Kind: KindForProfit, Purpose: "production"},
		"production-within-grant": {At: at, Commercial: true, Kind: KindForProfit, Purpose: "production",
			Named: []NamedFact{{Name: "within-additional-use-grant"}}},
		"staging":                {At: at, Commercial: true, Kind: KindForProfit, Purpose: "testing"},
		"production-old-version": {At: at, Commercial: true, Kind: KindForProfit, Purpose: "production", Released: at.AddDate(-4, 0, 0)},
		"production-new-version": {At: at, Commercial: true, Kind: KindForProfit, Purpose: "production", Released: at.AddDate(-3, -11, 0)},
		"police":                 {At: at, Commercial: false, Kind: KindPublicBody, Named: []NamedFact{{Name: "law-enforcement-or-military", Attested: true}}},
		"arms-coop": {At: at, Commercial: true, Kind: KindWorkerCooperative, WorkerOwned: true, WorkerOwnedKnown: true, WorkerOwnedAttested: true,
			Named: []NamedFact{{Name: "prohibited-use", Attested: true}}},
		"proxy-coop": {At: at, Commercial: true, Kind: KindWorkerCooperative, WorkerOwned: true, WorkerOwnedKnown: true, WorkerOwnedAttested: true,
			Named: []NamedFact{{Name: "acts-as-proxy", Attested: true}}},
		"freelancer":         {At: at, Commercial: true, Kind: KindIndividual},
		"competitor":         {At: at, Commercial: true, Kind: KindForProfit, Named: []NamedFact{{Name: "competes-with-software", Attested: true}}},
		"competitor-claimed": {At: at, Commercial: true, Kind: KindForProfit, Named: []NamedFact{{Name: "competes-with-software", Attested: false}}},
		"rival-of-licensor":  {At: at, Commercial: true, Kind: KindForProfit, Named: []NamedFact{{Name: "competes-with-licensor", Attested: true}}},
		"rival-claimed":      {At: at, Commercial: true, Kind: KindForProfit, Named: []NamedFact{{Name: "competes-with-licensor", Attested: false}}},
		"competing-saas": {At: at, Commercial: true, Kind: KindForProfit, Purpose: "production", Released: at.AddDate(-1, 0, 0),
			Named: []NamedFact{{Name: "competing-use", Attested: true}}},
		"competing-saas-old-version": {At: at, Commercial: true, Kind: KindForProfit, Purpose: "production", Released: at.AddDate(-2, 0, 0),
			Named: []NamedFact{{Name: "competing-use", Attested: true}}},
		"competing-use-claimed": {At: at, Commercial: true, Kind: KindForProfit, Purpose: "production", Released: at.AddDate(-1, 0, 0),
			Named: []NamedFact{{Name: "competing-use", Attested: false}}},
		"managed-service-host":    {At: at, Commercial: true, Kind: KindForProfit, Purpose: "managed-service"},
		"key-circumventer":        {At: at, Commercial: true, Kind: KindForProfit, Named: []NamedFact{{Name: "circumvents-license-key", Attested: true}}},
		"internal-tooling":        {At: at, Commercial: true, Kind: KindForProfit, Purpose: "internal"},
		"small-firm":              {At: at, Commercial: true, Kind: KindForProfit, Purpose: "production", Revenue: usd(4_000_000_00), RevenueKnown: true},
		"firm-at-5m":              {At: at, Commercial: true, Kind: KindForProfit, Purpose: "production", Revenue: usd(5_000_000_00), RevenueKnown: true},
		"small-firm-paid-product": {At: at, Commercial: true, Kind: KindForProfit, Purpose: "paid-product", Revenue: usd(4_000_000_00), RevenueKnown: true},
	}
}

// TestBuiltinDecisionTables: for each built-in, who is free, who pays, who
// is denied, and by which clause.
func TestBuiltinDecisionTables(t *testing.T) {
	type row struct {
		who    string
		effect Effect
		clause string
	}
	tables := map[string][]row{
		"ppl": {
			{"hobbyist", Free, "noncommercial"},
			{"worker-coop", Free, "worker-owned"},
			{"coop-not-distributing", Pay, "private-license"},
			{"corp-contributor", Pay, "private-license"}, // plain PPL counts no contributions
		},
		"ppl-reciprocity": {
			{"hobbyist", Free, "noncommercial"},
			{"worker-coop", Free, "worker-owned"},
			{"corp-contributor", Free, "reciprocity"},
			{"corp-below-threshold", Pay, "private-license"},
			{"nonprofit", Pay, "private-license"},
		},
		"parity-7.0.0": {
			{"publishes-source", Free, "contribute-back"},
			{"claims-source-unattested", Pay, "separate-license"},
			{"prototype-day-5", Free, "prototype"},
			{"prototype-day-40", Pay, "separate-license"},
			{"corp-below-threshold", Pay, "separate-license"},
		},
		"prosperity-3.0.0": {
			{"hobbyist", Free, "noncommercial"},
			{"nonprofit", Free, "noncommercial-organizations"},
			{"contributes-back-change", Free, "contributions-back"},
			{"startup-day-10", Free, "commercial-trial"},
			{"startup-day-31", Pay, "private-license"},
			{"corp-contributor", Free, "commercial-trial"}, // no first use recorded: first use is now
			{"corp-below-threshold", Pay, "private-license"},
		},
		"polyform-noncommercial-1.0.0": {
			{"hobbyist", Free, "noncommercial-purposes"},
			{"nonprofit", Free, "noncommercial-organizations"},
			{"worker-coop", Pay, "separate-license"},
			{"corp-contributor", Pay, "separate-license"},
		},
		"polyform-small-business-1.0.0": {
			{"hobbyist", Free, "personal-uses"},
			{"nonprofit", Free, "noncommercial-organizations"},
			{"startup-day-10", Free, "small-business"},
			{"small-self-declared", Pay, "separate-license"},
			{"big-revenue-small-team", Pay, "separate-license"},
			{"corp-contributor", Pay, "separate-license"},
		},
		"busl-1.1": {
			{"staging", Free, "non-production"},
			{"production-2026", Pay, "commercial-license"},
			{"production-within-grant", Free, "additional-use-grant"},
			{"production-2030", Free, "change-date"},
			{"production-old-version", Free, "four-years-after-release"},
			{"production-new-version", Pay, "commercial-license"},
		},
		"cnpl-4": {
			{"hobbyist", Free, "noncommercial"},
			{"freelancer", Free, "individual"},
			{"worker-coop", Free, "worker-owned"},
			{"coop-not-distributing", Pay, "separate-license"},
			{"corp-contributor", Pay, "separate-license"},
			{"arms-coop", Deny, "prohibited-use"},
			{"proxy-coop", Deny, "proxy"},
		},
		"acsl-1.4": {
			{"freelancer", Free, "individual"},
			{"nonprofit", Free, "nonprofit-or-education"},
			{"worker-coop", Free, "worker-owned"},
			{"corp-contributor", Pay, "separate-license"},
			{"police", Deny, "police-or-military"},
		},
		"cooperative-license-1.0": {
			{"worker-coop", Free, "cooperatives-and-nonprofits"},
			{"nonprofit", Free, "cooperatives-and-nonprofits"},
			{"corp-contributor", Free, "others-publish-source"},
			{"coop-not-distributing", Free, "others-publish-source"},
		},
		"polyform-perimeter-1.0.1": {
			{"corp-contributor", Free, "permitted"},
			{"competitor", Pay, "noncompete"},
			{"competitor-claimed", Free, "permitted"},
		},
		"polyform-free-trial-1.0.0": {
			{"startup-day-10", Free, "trial"},
			{"startup-day-31", Free, "trial"},
			{"prototype-day-40", Pay, "separate-license"},
		},
		"fsl-1.1-mit": {
			{"corp-contributor", Free, "permitted-purpose"},
			{"competing-saas", Pay, "competing-use"},
			{"competing-saas-old-version", Free, "future-license"},
			{"competing-use-claimed", Free, "permitted-purpose"},
		},
		"fsl-1.1-alv2": {
			{"internal-tooling", Free, "permitted-purpose"},
			{"competing-saas", Pay, "competing-use"},
			{"competing-saas-old-version", Free, "future-license"},
		},
		"elastic-2.0": {
			{"corp-contributor", Free, "license"},
			{"managed-service-host", Deny, "managed-service"},
			{"key-circumventer", Deny, "license-key"},
			{"internal-tooling", Free, "license"},
		},
		"polyform-shield-1.0.0": {
			{"corp-contributor", Free, "permitted"},
			{"rival-of-licensor", Pay, "noncompete"},
			{"rival-claimed", Free, "permitted"},
			{"competitor", Free, "permitted"}, // competing with the software alone is Perimeter's test, not Shield's
		},
		"polyform-internal-use-1.0.0": {
			{"internal-tooling", Free, "internal-business-use"},
			{"hobbyist", Pay, "separate-license"},
			{"production-2026", Pay, "separate-license"},
		},
		"post-open-draft": {
			{"small-firm", Free, "zero-cost"},
			{"firm-at-5m", Free, "zero-cost"}, // "over USD 5 million" pays; exactly 5 million does not
			{"corp-contributor", Pay, "paid-contract"},
			{"small-firm-paid-product", Pay, "paid-contract"},
		},
		"cc-by-nc-sa-4.0": {
			{"hobbyist", Free, "noncommercial"},
			{"worker-coop", Pay, "separate-license"},
			{"corp-contributor", Pay, "separate-license"},
		},
	}
	ppl := people()
	for name, f := range ppl {
		f.Index = cpiU
		ppl[name] = f
	}
	for id, rows := range tables {
		terms, err := Builtin(id)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			f, ok := ppl[r.who]
			if !ok {
				t.Fatalf("no person %q", r.who)
			}
			i, trace := terms.Evaluate(&f, nil)
			if i < 0 {
				t.Fatalf("%s: no clause decided", id)
			}
			c := terms.Clauses[i]
			if c.Effect != r.effect || c.ID != r.clause {
				t.Errorf("%s / %s: %s by %q, want %s by %q", id, r.who, c.Effect, c.ID, r.effect, r.clause)
			}
			if len(trace) != i+1 || !trace[i].Held {
				t.Errorf("%s / %s: trace %+v", id, r.who, trace)
			}
			for _, s := range trace {
				if s.Reason(&f) == "" {
					t.Errorf("%s / %s: empty reason", id, r.who)
				}
			}
		}
	}
	// Graded outcome: under the Cooperative License a for-profit is not
	// charged or refused; it owes network copyleft.
	coop, _ := Builtin("cooperative-license-1.0")
	f := ppl["corp-contributor"]
	i, _ := coop.Evaluate(&f, nil)
	if c := coop.Clauses[i]; c.Effect != Free || len(c.Obligations) != 1 || c.Obligations[0].Kind != NetworkCopyleft {
		t.Fatalf("graded outcome: %+v", c)
	}
	if len(tables) != len(Builtins()) {
		t.Fatalf("tables cover %d of %d built-ins", len(tables), len(Builtins()))
	}
}

func TestReasons(t *testing.T) {
	terms, _ := Builtin("ppl-reciprocity")
	f := people()["corp-below-threshold"]
	_, trace := terms.Evaluate(&f, nil)
	got := []string{}
	for _, s := range trace {
		got = append(got, s.Reason(&f))
	}
	want := []string{"use is commercial", "entity is not worker-owned with surplus to workers (self-declared)", "reciprocity 40.000 < 100", "default clause"}
	if f.WorkerOwnedKnown {
		t.Fatal("fixture changed")
	}
	want[1] = "worker ownership unknown"
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("step %d: %q, want %q", i, got[i], want[i])
		}
	}
}

func TestPrices(t *testing.T) {
	ten := int64(10_000_00)
	hundred := int64(100_000_00)
	s := Schedule{ID: "t", Kind: RevenueTiers, Currency: "USD", Period: Yearly,
		Tiers: []Tier{{RevenueBelow: &ten, Amount: 0}, {RevenueBelow: &hundred, Amount: 500_00}, {Amount: 5000_00}}}
	for _, c := range []struct {
		rev  int64
		want int64
	}{{0, 0}, {ten - 1, 0}, {ten, 500_00}, {hundred, 5000_00}} {
		got, err := s.Compute(1, &Facts{Revenue: Money{Amount: c.rev, Currency: "USD"}, RevenueKnown: true})
		if err != nil || got != c.want {
			t.Errorf("revenue %d: %d %v, want %d", c.rev, got, err, c.want)
		}
	}
	if _, err := s.Compute(1, &Facts{Revenue: Money{Amount: 5, Currency: "EUR"}, RevenueKnown: true}); err == nil {
		t.Error("currency mismatch accepted")
	}
	if _, err := s.Compute(1, &Facts{}); err == nil {
		t.Error("unknown revenue accepted")
	}
	seat := Schedule{ID: "s", Kind: PerSeat, Currency: "EUR", Period: Monthly, Amount: 1200}
	if got, _ := seat.Compute(25, nil); got != 30000 {
		t.Errorf("per seat: %d", got)
	}
	if got, _ := seat.Compute(0, nil); got != 1200 {
		t.Errorf("zero seats charge one: %d", got)
	}
	if _, err := seat.Compute(1<<62, nil); err == nil {
		t.Error("overflow not caught")
	}
}

// TestMovingThreshold: PolyForm Small Business's USD 1,000,000 of 2019,
// adjusted by CPI-U to 2025 (the last tax year before 2026-11-25; the
// series here ends in 2024, so 2024 is used): 1,000,000 × 313.689 /
// 255.657 = 1,226,991.63 USD.
func TestMovingThreshold(t *testing.T) {
	terms, _ := Builtin("polyform-small-business-1.0.0")
	f := people()["startup-day-10"]
	f.Revenue = Money{Amount: 1_100_000_00, Currency: "USD"}
	f.Index = cpiU
	i, trace := terms.Evaluate(&f, nil)
	if terms.Clauses[i].ID != "small-business" {
		t.Fatalf("decided by %s", terms.Clauses[i].ID)
	}
	thr := terms.Clauses[2].When.All[1].RevenueBelow
	got, year, ok := thr.Adjusted(cpiU, at)
	if !ok || year != 2024 || got != 1_226_991_63 {
		t.Fatalf("adjusted %d in %d (%v)", got, year, ok)
	}
	f.Revenue.Amount = 1_230_000_00
	_, trace = terms.Evaluate(&f, trace[:0])
	if r := trace[len(trace)-2].Reason(&f); !strings.Contains(r, "1226991.63 USD") || !strings.Contains(r, "adjusted to 2024") {
		t.Fatalf("reason %q", r)
	}
	// Without the series the threshold cannot be judged, so it does not hold.
	f.Index = nil
	f.Revenue.Amount = 5
	if i, _ := terms.Evaluate(&f, nil); terms.Clauses[i].ID == "small-business" {
		t.Fatal("unadjustable threshold held")
	}
}

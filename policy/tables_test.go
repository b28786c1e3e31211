package policy

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/peerproduction/ppl/contribution"
	"github.com/peerproduction/ppl/license"
)

// tableRow is one entity a built-in license's text tells apart.
type tableRow struct {
	name     string
	entity   contribution.Entity // ID only is sent; facts come from evidence
	claimed  bool                // send the facts in the request, unattested, instead
	use      Use
	evidence [][]byte
	outcome  Outcome
	clause   string
}

// request is the row's request: the facts attested by the registrar in
// evidence, or only claimed.
func (r tableRow) request(t testing.TB) *Request {
	req := &Request{Entity: contribution.Entity{ID: r.entity.ID}, Use: r.use, At: at, Evidence: r.evidence}
	if r.claimed {
		req.Entity = r.entity // facts without provenance: self-declared
	} else {
		req.Evidence = append(slices.Clip(r.evidence), registered(t, r.entity))
	}
	return req
}

// decisionTables are the rows of every built-in license, by its id.
func decisionTables(t testing.TB) map[string][]tableRow {
	entity := func(id string, kind contribution.EntityKind, workerOwned bool) contribution.Entity {
		e := contribution.Entity{ID: id, Kind: kindFact(kind)}
		if workerOwned {
			e.WorkerOwned, e.SurplusToWorkers = boolFact(true), boolFact(true)
		}
		return e
	}
	fact := func(entityID, name, signer string) []byte {
		st, err := NewFactStatement(Fact{Entity: entityID, Fact: name})
		if err != nil {
			t.Fatal(err)
		}
		return envelope(t, st, signer)
	}
	coop := entity("coop", contribution.KindWorkerCooperative, true)
	firm := entity("firm", contribution.KindForProfit, false)
	person := entity("person", contribution.KindIndividual, false)
	charity := entity("charity", contribution.KindNonprofit, false)
	withRevenue := func(id string, cents int64) contribution.Entity {
		e := entity(id, contribution.KindForProfit, false)
		e.AnnualRevenue = contribution.MoneyFact{Known: true, Value: contribution.Money{Amount: cents, Currency: "USD"}}
		return e
	}
	smallFirm, largeFirm := withRevenue("smallco", 4_000_000_00), withRevenue("bigco", 20_000_000_00)
	commercial, personal := Use{Commercial: true}, Use{Commercial: false}
	return map[string][]tableRow{
		"acsl-1.4": {
			{"worker cooperative", coop, false, commercial, nil, Free, "worker-owned"},
			{"individual", person, false, commercial, nil, Free, "individual"},
			{"nonprofit", charity, false, commercial, nil, Free, "nonprofit-or-education"},
			{"for-profit", firm, false, commercial, nil, Pay, "separate-license"},
			{"worker ownership only claimed", coop, true, commercial, nil, Pay, "separate-license"},
			{"military, attested", firm, false, commercial, [][]byte{fact("firm", "law-enforcement-or-military", "registrar")}, Deny, "police-or-military"},
			{"military cooperative, attested", coop, false, commercial, [][]byte{fact("coop", "law-enforcement-or-military", "registrar")}, Deny, "police-or-military"},
			{"military fact forged", coop, false, commercial, [][]byte{fact("coop", "law-enforcement-or-military", "stranger")}, Free, "worker-owned"},
		},
		"cnpl-4": {
			{"non-commercial", firm, false, personal, nil, Free, "noncommercial"},
			{"worker cooperative", coop, false, commercial, nil, Free, "worker-owned"},
			{"individual", person, false, commercial, nil, Free, "individual"},
			{"for-profit", firm, false, commercial, nil, Pay, "separate-license"},
			{"worker ownership only claimed", coop, true, commercial, nil, Pay, "separate-license"},
			{"prohibited use, attested", coop, false, personal, [][]byte{fact("coop", "prohibited-use", "registrar")}, Deny, "prohibited-use"},
			{"proxy for a for-profit, attested", coop, false, commercial, [][]byte{fact("coop", "acts-as-proxy", "registrar")}, Deny, "proxy"},
		},
		"polyform-perimeter-1.0.1": {
			{"for-profit", firm, false, commercial, nil, Free, "permitted"},
			{"competitor, attested", firm, false, commercial, [][]byte{fact("firm", "competes-with-software", "registrar")}, Pay, "noncompete"},
			{"competitor, fact forged", firm, false, commercial, [][]byte{fact("firm", "competes-with-software", "stranger")}, Free, "permitted"},
		},
		"polyform-free-trial-1.0.0": {
			{"inside the trial", firm, false, Use{Commercial: true, FirstUse: at.AddDate(0, 0, -31)}, nil, Free, "trial"},
			{"after the trial", firm, false, Use{Commercial: true, FirstUse: at.AddDate(0, 0, -32)}, nil, Pay, "separate-license"},
			{"first use now", firm, false, commercial, nil, Free, "trial"},
		},
		"cooperative-license-1.0": {
			{"worker cooperative", coop, false, commercial, nil, Free, "cooperatives-and-nonprofits"},
			{"nonprofit", charity, false, commercial, nil, Free, "cooperatives-and-nonprofits"},
			{"for-profit: free under network copyleft", firm, false, commercial, nil, Free, "others-publish-source"},
			{"worker ownership only claimed", coop, true, commercial, nil, Free, "others-publish-source"},
		},
		"ppl": {
			{"non-commercial", firm, false, personal, nil, Free, "noncommercial"},
			{"worker cooperative", coop, false, commercial, nil, Free, "worker-owned"},
			{"for-profit", firm, false, commercial, nil, Pay, "private-license"},
			{"worker ownership only claimed", coop, true, commercial, nil, Pay, "private-license"},
		},
		"ppl-reciprocity": {
			{"worker cooperative", coop, false, commercial, nil, Free, "worker-owned"},
			{"for-profit, no contributions", firm, false, commercial, nil, Pay, "private-license"},
		},
		"prosperity-3.0.0": {
			{"non-commercial", firm, false, personal, nil, Free, "noncommercial"},
			{"inside the trial", firm, false, Use{Commercial: true, FirstUse: at.AddDate(0, 0, -29)}, nil, Free, "commercial-trial"},
			{"after the trial", firm, false, Use{Commercial: true, FirstUse: at.AddDate(0, 0, -30)}, nil, Pay, "private-license"},
		},
		"parity-7.0.0": {
			{"prototype", firm, false, Use{Commercial: true, Purpose: "prototype"}, nil, Free, "prototype"},
		},
		"busl-1.1": {
			{"production before the change date", firm, false, Use{Commercial: true, Purpose: "production"}, nil, Pay, "commercial-license"},
			{"non-production", firm, false, Use{Commercial: true, Purpose: "testing"}, nil, Free, "non-production"},
		},
		"cc-by-nc-sa-4.0": {
			{"non-commercial", firm, false, personal, nil, Free, "noncommercial"},
			{"commercial", coop, false, commercial, nil, Pay, "separate-license"},
		},
		"polyform-noncommercial-1.0.0": {
			{"non-commercial", firm, false, personal, nil, Free, "noncommercial-purposes"},
		},
		"polyform-small-business-1.0.0": {
			{"size unknown", firm, false, commercial, nil, Pay, "separate-license"},
		},
		"fsl-1.1-mit": {
			{"internal use", firm, false, Use{Commercial: true, Purpose: "internal", Released: at.AddDate(-1, 0, 0)}, nil, Free, "permitted-purpose"},
			{"competing use, attested", firm, false, Use{Commercial: true, Released: at.AddDate(-1, 0, 0)}, [][]byte{fact("firm", "competing-use", "registrar")}, Pay, "competing-use"},
			{"competing use, forged", firm, false, Use{Commercial: true, Released: at.AddDate(-1, 0, 0)}, [][]byte{fact("firm", "competing-use", "stranger")}, Free, "permitted-purpose"},
			{"competing use of a version two years old", firm, false, Use{Commercial: true, Released: at.AddDate(-2, 0, 0)}, [][]byte{fact("firm", "competing-use", "registrar")}, Free, "future-license"},
		},
		"fsl-1.1-alv2": {
			{"competing use, attested", firm, false, Use{Commercial: true, Released: at.AddDate(0, -6, 0)}, [][]byte{fact("firm", "competing-use", "registrar")}, Pay, "competing-use"},
			{"release date unknown", firm, false, commercial, [][]byte{fact("firm", "competing-use", "registrar")}, Pay, "competing-use"},
		},
		"elastic-2.0": {
			{"production", firm, false, Use{Commercial: true, Purpose: "production"}, nil, Free, "license"},
			{"managed service", firm, false, Use{Commercial: true, Purpose: "managed-service"}, nil, Deny, "managed-service"},
			{"license key circumvented, attested", firm, false, commercial, [][]byte{fact("firm", "circumvents-license-key", "registrar")}, Deny, "license-key"},
			{"license key circumvented, forged", firm, false, commercial, [][]byte{fact("firm", "circumvents-license-key", "stranger")}, Free, "license"},
		},
		"polyform-shield-1.0.0": {
			{"for-profit", firm, false, commercial, nil, Free, "permitted"},
			{"rival of the licensor, attested", firm, false, commercial, [][]byte{fact("firm", "competes-with-licensor", "registrar")}, Pay, "noncompete"},
			{"rival of the licensor, forged", firm, false, commercial, [][]byte{fact("firm", "competes-with-licensor", "stranger")}, Free, "permitted"},
		},
		"polyform-internal-use-1.0.0": {
			{"internal business use", firm, false, Use{Commercial: true, Purpose: "internal"}, nil, Free, "internal-business-use"},
			{"production for customers", firm, false, Use{Commercial: true, Purpose: "production"}, nil, Pay, "separate-license"},
		},
		"post-open-draft": {
			{"small firm", smallFirm, false, Use{Commercial: true, Purpose: "production"}, nil, Free, "zero-cost"},
			{"small firm in a paid-for product", smallFirm, false, Use{Commercial: true, Purpose: "paid-product"}, nil, Pay, "paid-contract"},
			{"large firm", largeFirm, false, Use{Commercial: true, Purpose: "production"}, nil, Pay, "paid-contract"},
		},
	}
}

// TestBuiltinDecisionTables decides, for every built-in license, the
// entities its text tells apart — each with its facts attested by the
// registrar in evidence, or only claimed — and checks the outcome and the
// clause. A built-in license without a row here fails the test.
func TestBuiltinDecisionTables(t *testing.T) {
	w := newWorld(t)
	tables := decisionTables(t)
	for _, id := range license.Builtins() {
		rows, ok := tables[id]
		if !ok {
			t.Errorf("built-in %s has no decision table", id)
			continue
		}
		e := w.evaluator(t, id)
		for _, r := range rows {
			d, err := e.Evaluate(r.request(t))
			if err != nil {
				t.Fatalf("%s, %s: %v", id, r.name, err)
			}
			if d.Outcome() != r.outcome || d.Clause() != r.clause {
				t.Errorf("%s, %s: %s by %q, want %s by %q\n%s", id, r.name, d.Outcome(), d.Clause(), r.outcome, r.clause, d.Explain())
			}
			// What did not count is listed, with why.
			if (r.claimed || strings.Contains(r.name, "forged")) && len(d.Ignored()) == 0 {
				t.Errorf("%s, %s: nothing listed as ignored\n%s", id, r.name, d.Explain())
			}
		}
	}
}

// A share of revenue is priced from the attested revenue; without it the
// price cannot be computed, and the error says which fact is missing.
func TestRevenueSharePrice(t *testing.T) {
	w := newWorld(t)
	e := w.evaluator(t, "post-open-draft")
	big := contribution.Entity{ID: "bigco", Kind: kindFact(contribution.KindForProfit),
		AnnualRevenue: contribution.MoneyFact{Known: true, Value: contribution.Money{Amount: 20_000_000_00, Currency: "USD"}}}
	use := Use{Commercial: true, Purpose: "production"}
	d, err := e.Evaluate(&Request{Entity: contribution.Entity{ID: "bigco"}, Use: use, At: at, Evidence: [][]byte{registered(t, big)}})
	if err != nil {
		t.Fatal(err)
	}
	if p := d.Price(); d.Outcome() != Pay || p.Amount != 200_000_00 || p.Currency != "USD" || p.Period != "year" || !p.Placeholder {
		t.Fatalf("1%% of USD 20M: %+v\n%s", p, d.Explain())
	}
	_, err = e.Evaluate(&Request{Entity: contribution.Entity{ID: "unknown-revenue"}, Use: use, At: at})
	if !errors.Is(err, ErrPrice) || !errors.Is(err, license.ErrNoRevenue) {
		t.Fatalf("revenue unknown: %v", err)
	}
}

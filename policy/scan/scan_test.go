package scan

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/peerproduction/ppl/contribution"
	"github.com/peerproduction/ppl/license"
	"github.com/peerproduction/ppl/policy"
)

func readTestSBOM(t testing.TB, name string) *SBOM {
	t.Helper()
	data, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	sb, err := ReadSBOM(data)
	if err != nil {
		t.Fatal(err)
	}
	return sb
}

var permissive = []string{"MIT", "Apache-2.0", "BSD-2-Clause", "BSD-3-Clause", "0BSD", "ISC"}

func forProfit(id string) contribution.Entity {
	return contribution.Entity{ID: id, Kind: contribution.KindFact{Known: true, Value: contribution.KindForProfit}}
}

func scanFor(t testing.TB, sb *SBOM, cfg Config, q Query) *Report {
	t.Helper()
	s, err := NewScanner(cfg)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := s.Scan(context.Background(), sb, q, nil)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// The SBOMs real tools wrote, and the hand-written ones, read as their
// formats say.
func TestReadSBOM(t *testing.T) {
	for _, c := range []struct {
		file, format, version string
		components            int
		detected              bool
	}{
		{"ppl.cdx.json", "CycloneDX", "1.6", 5, true},
		{"cyclonedx-gomod.cdx.json", "CycloneDX", "1.6", 50, true},
		{"fair-source.cdx.json", "CycloneDX", "1.5", 13, false},
		{"fair-source.spdx.json", "SPDX", "SPDX-2.3", 5, false},
	} {
		sb := readTestSBOM(t, c.file)
		if sb.Format != c.format || sb.SpecVersion != c.version || len(sb.Components) != c.components {
			t.Errorf("%s: %s %s with %d components, want %s %s with %d", c.file, sb.Format, sb.SpecVersion, len(sb.Components), c.format, c.version, c.components)
		}
		for _, comp := range sb.Components {
			if comp.Detected != c.detected && comp.License != "" {
				t.Errorf("%s: %s detected=%v", c.file, comp.Name, comp.Detected)
			}
			if comp.Pointer == "" || comp.Name == "" {
				t.Errorf("%s: %+v lacks a name or a pointer", c.file, comp)
			}
		}
	}
	cdx := readTestSBOM(t, "fair-source.cdx.json")
	byName := map[string]Component{}
	for _, c := range cdx.Components {
		byName[c.Name] = c
	}
	for name, want := range map[string]string{
		"ui-kit-icons":   "CC-BY-NC-SA-4.0", // nested
		"mystery":        "",
		"in-house-terms": "LicenseRef-Acme-Internal-License",
	} {
		if got := byName[name].License; got != want {
			t.Errorf("%s: license %q, want %q", name, got, want)
		}
	}
	if p := byName["ui-kit-icons"].Pointer; p != "/components/11/components/0" {
		t.Errorf("nested pointer %q", p)
	}
	spdx := readTestSBOM(t, "fair-source.spdx.json")
	for _, c := range spdx.Components {
		switch c.Name {
		case "acme-shop":
			t.Error("the package the document describes is the product, not a component")
		case "coopcycle-web":
			if c.License != "PPL" { // concluded NOASSERTION: the declared license
				t.Errorf("coopcycle-web: %q", c.License)
			}
		case "mystery":
			if c.License != "" {
				t.Errorf("NONE read as %q", c.License)
			}
		case "left-pad":
			if c.PURL != "pkg:npm/left-pad@1.3.0" {
				t.Errorf("purl %q", c.PURL)
			}
		}
	}
}

func TestReadSBOMRefusals(t *testing.T) {
	for _, c := range []struct{ doc, pointer, detail string }{
		{`{"bomFormat":"CycloneDX","specVersion":"1.3","components":[]}`, "/specVersion", "1.3"},
		{`{"spdxVersion":"SPDX-2.2","packages":[]}`, "/spdxVersion", "SPDX-2.2"},
		{`{"components":[]}`, "", "neither"},
		{"{\n\"bomFormat\":\"CycloneDX\",\n\"specVersion\":\"1.5\",\n\"components\":[{\"name\":\"x\",}]}", "", "line 4"},
		{`{"bomFormat":"CycloneDX","specVersion":"1.5","components":[{"name":"a"},{"version":"1"}]}`, "/components/1/name", "needs a name"},
		{`{"bomFormat":"CycloneDX","specVersion":"1.5","components":[{"name":"a","licenses":[{}]}]}`, "/components/0/licenses/0", "needs an id"},
		{`{"bomFormat":"CycloneDX","specVersion":"1.5","components":[{"name":"a","licenses":[{"license":{"id":"MIT"},"expression":"MIT"}]}]}`, "/components/0/licenses/0", "not both"},
		{`{"spdxVersion":"SPDX-2.3","packages":[{"name":"a"}]}`, "/packages/0", "SPDXID"},
	} {
		_, err := ReadSBOM([]byte(c.doc))
		var se *SBOMError
		if !errors.Is(err, ErrSBOM) || !errors.As(err, &se) || se.Pointer != c.pointer || !strings.Contains(se.Detail, c.detail) {
			t.Errorf("%s: %v, want a refusal at %q mentioning %q", c.doc, err, c.pointer, c.detail)
		}
	}
	if _, err := ReadSBOM(make([]byte, MaxSBOMBytes+1)); !errors.Is(err, ErrSBOM) {
		t.Errorf("oversize: %v", err)
	}
}

// TestScanFairSource: a for-profit's commercial production use of the
// hand-written product, each component's answer checked against its
// license text.
func TestScanFairSource(t *testing.T) {
	q := Query{Entity: forProfit("acme"), Use: policy.Use{Commercial: true, Purpose: "production", Seats: 10}, At: at}
	want := map[string]struct {
		outcome Outcome
		clause  string // of the first license of the branch taken
	}{
		"left-pad":            {Free, ""},                  // MIT, listed as free
		"coopcycle-web":       {Pay, "private-license"},    // PPL 4(d)/4(f): a for-profit pays
		"alpha":               {Pay, "private-license"},    // ppl-reciprocity, no contributions: pays, with a path to free
		"some-database":       {Pay, "commercial-license"}, // BUSL before its change date, production
		"dual-licensed":       {Free, ""},                  // MIT OR PolyForm-NC: MIT taken
		"error-tracker":       {Free, "permitted-purpose"}, // FSL: not a competing use
		"search-engine":       {Free, "license"},           // Elastic: not a managed service
		"with-commons-clause": {Unknown, ""},               // AND with a license ppl has no terms for
		"classpath-lib":       {Unknown, ""},               // GPL with an exception: no terms, not listed free
		"mystery":             {Unknown, ""},               // no license stated
		"in-house-terms":      {Unknown, ""},               // a named license
		"ui-kit":              {Pay, "commercial-license"}, // both pay a placeholder: the first in id order, BUSL-1.1
		"ui-kit-icons":        {Pay, "separate-license"},   // CC BY-NC-SA: commercial use outside the grant
	}
	for _, file := range []string{"fair-source.cdx.json", "fair-source.spdx.json"} {
		rep := scanFor(t, readTestSBOM(t, file), Config{Free: permissive}, q)
		for _, r := range rep.Results {
			w, ok := want[r.Component.Name]
			if !ok {
				t.Fatalf("%s: unexpected component %q", file, r.Component.Name)
			}
			if r.Outcome != w.outcome || (w.clause != "" && r.Licenses[0].Clause != w.clause) {
				t.Errorf("%s: %s (%s): %s by %q, want %s by %q", file, r.Component.Name, r.Component.License, r.Outcome, r.Licenses[0].Clause, w.outcome, w.clause)
			}
			if r.Outcome == Unknown && r.Licenses[len(r.Licenses)-1].Reason == "" {
				t.Errorf("%s: %s is unknown without a reason", file, r.Component.Name)
			}
		}
	}

	rep := scanFor(t, readTestSBOM(t, "fair-source.cdx.json"), Config{Free: permissive}, q)
	if rep.Free != 4 || rep.Paid != 5 || rep.Denied != 0 {
		t.Errorf("free %d, paid %d, denied %d", rep.Free, rep.Paid, rep.Denied)
	}
	// EUR: PPL's placeholder (0) and ppl-reciprocity's 120.00 per seat × 10;
	// USD: BUSL's, PolyForm's and CC's separate-license placeholders.
	wantOwed := []Owed{{Currency: "EUR", Period: license.Yearly, Amount: 1200_00, Placeholders: 2, Components: 2},
		{Currency: "USD", Period: license.Yearly, Amount: 0, Placeholders: 3, Components: 3}}
	if fmt.Sprint(rep.Owed) != fmt.Sprint(wantOwed) {
		t.Errorf("owed %+v, want %+v", rep.Owed, wantOwed)
	}
	// Unknown licenses surface with their counts, never as free.
	unknown := map[string]int{}
	for _, u := range rep.Unknown {
		unknown[u.License] = u.Components
	}
	for _, id := range []string{"LicenseRef-Commons-Clause", "GPL-2.0-only WITH Classpath-exception-2.0", "", "LicenseRef-Acme-Internal-License"} {
		if unknown[id] != 1 {
			t.Errorf("unknown %q counted %d times: %v", id, unknown[id], rep.Unknown)
		}
	}
	// The only payment a contribution removes is alpha's: 100 points.
	if len(rep.PathToFree) != 1 || rep.PathToFree[0].Component != "alpha" || rep.PathToFree[0].Shortfall != 100_000 || rep.PathToFree[0].Saves.Amount != 1200_00 {
		t.Errorf("path to free %+v", rep.PathToFree)
	}

	// Listed as free, the base license of a WITH expression frees it.
	rep = scanFor(t, readTestSBOM(t, "fair-source.cdx.json"), Config{Free: append([]string{"GPL-2.0-only"}, permissive...)}, q)
	for _, r := range rep.Results {
		if r.Component.Name == "classpath-lib" && r.Outcome != Free {
			t.Errorf("GPL-2.0-only listed free, classpath-lib: %s", r.Outcome)
		}
	}
}

// TestExpressions: OR takes the cheapest allowed branch, AND combines,
// unknown licenses surface, unreadable expressions are unknown.
func TestExpressions(t *testing.T) {
	production := policy.Use{Commercial: true, Purpose: "production"}
	hosting := policy.Use{Commercial: true, Purpose: "managed-service"}
	for _, c := range []struct {
		expr     string
		use      policy.Use
		outcome  Outcome
		licenses string // of the branch taken
		branches int
	}{
		{"MIT", production, Free, "MIT", 1},
		{"PPL OR MIT", production, Free, "MIT", 2},
		{"MIT OR PPL", production, Free, "MIT", 2},
		{"PPL AND MIT", production, Pay, "MIT PPL", 1},
		{"PPL AND CC-BY-NC-SA-4.0", production, Pay, "CC-BY-NC-SA-4.0 PPL", 1},
		{"Elastic-2.0 OR PPL", hosting, Pay, "PPL", 2},                                   // deny avoided by paying
		{"Elastic-2.0 OR LicenseRef-Unknown", hosting, Unknown, "LicenseRef-Unknown", 2}, // unknown is better than deny, and said
		{"Elastic-2.0 AND MIT", hosting, Deny, "Elastic-2.0 MIT", 1},
		{"(MIT AND PPL) OR BUSL-1.1", production, Pay, "BUSL-1.1", 2},    // one payment either way: the branch with fewer licenses
		{"LicenseRef-ppl-reciprocity OR PPL", production, Pay, "PPL", 2}, // ppl pays 0 (placeholder), reciprocity's 120.00: the smaller total
		{"MIT OR", production, Unknown, "MIT OR", 0},
		{"mit or ppl", production, Unknown, "mit or ppl", 0}, // operators are upper case in SPDX
	} {
		sb := &SBOM{Components: []Component{{Name: "x", License: c.expr, Pointer: "/components/0"}}}
		rep := scanFor(t, sb, Config{Free: permissive}, Query{Entity: forProfit("acme"), Use: c.use, At: at})
		r := rep.Results[0]
		var names []string
		for _, l := range r.Licenses {
			names = append(names, l.License)
		}
		if r.Outcome != c.outcome || strings.Join(names, " ") != c.licenses || r.Branches != c.branches {
			t.Errorf("%q: %s via %v (%d branches), want %s via %s (%d)", c.expr, r.Outcome, names, r.Branches, c.outcome, c.licenses, c.branches)
		}
		// AND owes every license's obligations: PPL's attribution and
		// share-alike, CC BY-NC-SA's noncommercial-only too.
		if c.expr == "PPL AND CC-BY-NC-SA-4.0" && (!slices.Contains(r.Obligations, license.Attribution) || !slices.Contains(r.Obligations, license.NonCommercialOnly)) {
			t.Errorf("%q: obligations %v", c.expr, r.Obligations)
		}
		if r.Branches > 1 && !strings.Contains(r.Note, "cheapest") {
			t.Errorf("%q: the choice is not said: %q", c.expr, r.Note)
		}
	}
}

// A commons the marketplace knows is decided by its own terms and
// evidence, whatever license its SBOM entry names.
func TestScanKnownCommons(t *testing.T) {
	terms, _ := license.Builtin("ppl-reciprocity")
	e, err := policy.Compile(policy.Config{Terms: terms, Commons: contribution.Commons{ID: "alpha"}})
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{Free: permissive, Commons: func(c Component) (*policy.Evaluator, bool) { return e, c.Name == "alpha" }}
	sb := &SBOM{Components: []Component{{Name: "alpha", License: "MIT", Pointer: "/components/0"}}}
	rep := scanFor(t, sb, cfg, Query{Entity: forProfit("acme"), Use: policy.Use{Commercial: true}, At: at})
	if r := rep.Results[0]; r.Outcome != Pay || r.Licenses[0].Terms != "ppl-reciprocity" || !strings.Contains(r.Licenses[0].Reason, "commons' own terms") {
		t.Errorf("known commons: %+v", r)
	}
}

func TestScanNeedsATime(t *testing.T) {
	s, _ := NewScanner(Config{})
	if _, err := s.Scan(context.Background(), &SBOM{}, Query{}, nil); err == nil {
		t.Error("scanned without a time")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Scan(ctx, &SBOM{Components: []Component{{Name: "x"}}}, Query{At: at}, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled scan: %v", err)
	}
}

// Same SBOM, same query: same bytes, whatever order maps iterate in.
func TestScanDeterministic(t *testing.T) {
	sb := readTestSBOM(t, "fair-source.cdx.json")
	q := Query{Entity: forProfit("acme"), Use: policy.Use{Commercial: true, Purpose: "production"}, At: at}
	var first []byte
	for i := range 20 {
		b, err := json.Marshal(scanFor(t, sb, Config{Free: permissive}, q))
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = b
		} else if !bytes.Equal(b, first) {
			t.Fatalf("run %d differs:\n%s\n%s", i, b, first)
		}
	}
}

package scan_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/peerproduction/ppl/contribution"
	"github.com/peerproduction/ppl/policy"
	"github.com/peerproduction/ppl/policy/scan"
)

// A for-profit asks what its product's dependencies cost it.
func ExampleScanner_Scan() {
	sbom, err := scan.ReadSBOM([]byte(`{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [
	  {"name": "left-pad", "version": "1.3.0", "licenses": [{"license": {"id": "MIT"}}]},
	  {"name": "coopcycle-web", "version": "1.0.0", "licenses": [{"license": {"id": "PPL"}}]},
	  {"name": "dual", "version": "0.9", "licenses": [{"expression": "MIT OR PolyForm-Noncommercial-1.0.0"}]},
	  {"name": "mystery", "version": "0.1"}]}`))
	if err != nil {
		log.Fatal(err)
	}
	s, err := scan.NewScanner(scan.Config{Free: []string{"MIT", "Apache-2.0"}})
	if err != nil {
		log.Fatal(err)
	}
	acme := contribution.Entity{ID: "acme", Kind: contribution.KindFact{Known: true, Value: contribution.KindForProfit}}
	rep, err := s.Scan(context.Background(), sbom, scan.Query{Entity: acme, Use: policy.Use{Commercial: true},
		At: time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)}, nil)
	if err != nil {
		log.Fatal(err)
	}
	for _, r := range rep.Results {
		fmt.Printf("%-14s %-8s %s\n", r.Component.Name, r.Outcome, r.Licenses[0].Reason)
	}
	fmt.Println("free", rep.Free, "paid", rep.Paid, "unknown", len(rep.Unknown))
	// Output:
	// left-pad       free     listed as free in the scan's configuration
	// coopcycle-web  pay      clause "private-license": default clause
	// dual           free     listed as free in the scan's configuration
	// mystery        unknown  the SBOM states no license
	// free 2 paid 1 unknown 1
}

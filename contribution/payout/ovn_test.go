package payout

import (
	"bytes"
	"context"
	"errors"
	"os"
	"strings"
	"testing"
)

func TestImportOVNExamples(t *testing.T) {
	data, err := os.ReadFile("testdata/ovn/sensorica-project.pie-chart.json")
	if err != nil {
		t.Fatal(err)
	}
	pc, split, err := ImportPieChart(data)
	if err != nil {
		t.Fatal(err)
	}
	if pc.Project.Name != "sensor-network-firmware" || len(split) != 4 {
		t.Fatalf("%+v %+v", pc.Project, split)
	}
	// The chart as a plan's fixed split: 10% to the association, the rest
	// by the chart's 35/25/25/15.
	p := plan()
	p.Fixed = split
	a, err := Allocate(context.Background(), p, nil, pay(100_00), "", nil)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int64{"tibi@sensorica.co": 31_50, "lynn@sensorica.co": 22_50, "bob@sensorica.co": 22_50, "carla@example.com": 13_50}
	for _, s := range a.Shares {
		if s.Paid != want[s.Recipient] {
			t.Errorf("%s: %d, want %d", s.Recipient, s.Paid, want[s.Recipient])
		}
	}
	if err := a.CheckSums(); err != nil {
		t.Fatal(err)
	}
	min, _ := os.ReadFile("testdata/ovn/minimal.pie-chart.json")
	if _, split, err := ImportPieChart(min); err != nil || len(split) != 1 || split[0].PPM != million {
		t.Fatalf("minimal: %v %+v", err, split)
	}
}

// TestOVNRoundTrip: an allocation exported as a pie-chart and imported
// again gives the same chart, and its shares sum to exactly 100.
func TestOVNRoundTrip(t *testing.T) {
	l := ledger(t, contrib("alpha", "a", 1, 1), contrib("alpha", "b", 1, 1), contrib("alpha", "c", 1, 1))
	a, err := Allocate(context.Background(), plan(), l, pay(100_00), "", nil)
	if err != nil {
		t.Fatal(err)
	}
	proj := PieChartProject{Name: "alpha", Repository: "https://example.org/alpha", LicenseVersion: "1.0"}
	meta := PieChartMetadata{Created: "2026-11-25", LastUpdated: "2026-11-25", Governance: "stewards", DisputeResolution: "mediation"}
	out, err := ExportPieChart(a, proj, meta, map[string]string{kid("a"): "Ada"})
	if err != nil {
		t.Fatal(err)
	}
	// Thirds: 33.3334 + 33.3333 + 33.3333 = 100 exactly.
	if !strings.Contains(string(out), `"share": 33.3334`) || strings.Count(string(out), `"share": 33.3333`) != 2 || !strings.Contains(string(out), `"name": "Ada"`) {
		t.Fatalf("export:\n%s", out)
	}
	pc, split, err := ImportPieChart(out)
	if err != nil {
		t.Fatal(err)
	}
	p := plan()
	p.Fixed = split
	b, _ := Allocate(context.Background(), p, nil, pay(100_00), "", nil)
	again, err := ExportPieChart(b, pc.Project, pc.Metadata, map[string]string{kid("a"): "Ada"})
	if err != nil || !bytes.Equal(out, again) {
		t.Fatalf("round trip differs:\n%s\n%s", out, again)
	}
}

func TestImportRefuses(t *testing.T) {
	base, _ := os.ReadFile("testdata/ovn/sensorica-project.pie-chart.json")
	for name, mutate := range map[string]func(string) string{
		"sum not 100":   func(s string) string { return strings.Replace(s, `"share": 15`, `"share": 14`, 1) },
		"zero share":    func(s string) string { return strings.Replace(s, `"share": 15`, `"share": 0`, 1) },
		"five decimals": func(s string) string { return strings.Replace(s, `"share": 15`, `"share": 14.99999`, 1) },
		"duplicate id":  func(s string) string { return strings.Replace(s, `"carla@example.com"`, `"bob@sensorica.co"`, 1) },
		"unknown field": func(s string) string {
			return strings.Replace(s, `"schema_version"`, `"bogus": 1, "schema_version"`, 1)
		},
		"other version": func(s string) string {
			return strings.Replace(s, `"schema_version": "0.1"`, `"schema_version": "0.2"`, 1)
		},
		"trailing data": func(s string) string { return s + "{}" },
		"no governance": func(s string) string { return strings.Replace(s, `"governance"`, `"governance_"`, 1) },
	} {
		if _, _, err := ImportPieChart([]byte(mutate(string(base)))); !errors.Is(err, ErrPieChart) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func FuzzImportPieChart(f *testing.F) {
	for _, p := range []string{"testdata/ovn/sensorica-project.pie-chart.json", "testdata/ovn/minimal.pie-chart.json"} {
		b, _ := os.ReadFile(p)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		_, split, err := ImportPieChart(data)
		if err != nil {
			return
		}
		var sum int64
		for _, s := range split {
			if s.PPM <= 0 {
				t.Fatal("non-positive share accepted")
			}
			sum += s.PPM
		}
		if sum != million {
			t.Fatalf("shares sum to %d", sum)
		}
	})
}

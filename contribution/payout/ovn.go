package payout

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/peerproduction/ppl/contribution"
)

// The OVN License for Digital Resources distributes benefits by a
// Contribution Pie-Chart (pie-chart.json, specification draft v0.1 in
// Sensorica/ovn-license): contributors with percentage shares summing to
// 100. ExportPieChart writes an allocation's split in that format and
// ImportPieChart reads one as a fixed split for a Plan, so a commons can
// move between counted contributions and a negotiated chart.

// ErrPieChart is wrapped by every refusal of a pie-chart.
var ErrPieChart = errors.New("invalid OVN contribution pie-chart")

// PieChart is an OVN Contribution Pie-Chart (schema_version "0.1").
type PieChart struct {
	SchemaVersion string           `json:"schema_version"`
	Project       PieChartProject  `json:"project"`
	Contributors  []PieContributor `json:"contributors"`
	Metadata      PieChartMetadata `json:"metadata"`
	Organization  json.RawMessage  `json:"organization,omitempty"`
	History       json.RawMessage  `json:"history,omitempty"`
	Extensions    json.RawMessage  `json:"extensions,omitempty"`
}

// PieChartProject names the project a chart is for.
type PieChartProject struct {
	Name           string `json:"name"`
	Repository     string `json:"repository"`
	LicenseVersion string `json:"license_version"`
}

// PieContributor is one slice of the chart; Share is a percentage.
type PieContributor struct {
	Name       string      `json:"name"`
	Identifier string      `json:"identifier"`
	Share      json.Number `json:"share"`
	Roles      []string    `json:"roles,omitempty"`
}

// PieChartMetadata is the chart's required metadata.
type PieChartMetadata struct {
	Created           string `json:"created"`
	LastUpdated       string `json:"last_updated"`
	Governance        string `json:"governance"`
	DisputeResolution string `json:"dispute_resolution"`
}

// FixedShare is one recipient's share of a fixed split, in millionths of
// the pool (1,000,000 = 100%).
type FixedShare struct {
	Recipient string
	PPM       int64
}

const million = 1_000_000

// shareDigits is the precision of exported shares: percentages with four
// decimals are exact in millionths of the pool.
const shareDigits = 4

// ExportPieChart writes the allocation's split among contributors as a
// pie-chart: each recipient's share of the points, as a percentage with
// four decimals, rounded by largest remainder so the shares sum to exactly
// 100. Recipients are identified by key id; names come from names (the
// key id when absent).
func ExportPieChart(a *Allocation, project PieChartProject, meta PieChartMetadata, names map[string]string) ([]byte, error) {
	var pts []contribution.Share
	for _, s := range a.Shares {
		if s.Points > 0 {
			pts = append(pts, contribution.Share{Key: s.Recipient, Points: s.Points})
		}
	}
	if len(pts) == 0 || a.TotalPoints <= 0 {
		return nil, fmt.Errorf("%w: the allocation has no contributor with points", ErrPieChart)
	}
	// Split a million parts by points, exactly, with the allocation rule.
	split := allocate(&Plan{}, pts, a.TotalPoints, Payment{Amount: million}, "", nil)
	pc := PieChart{SchemaVersion: "0.1", Project: project, Metadata: meta}
	for _, s := range split.Shares {
		name := names[s.Recipient]
		if name == "" {
			name = s.Recipient
		}
		pc.Contributors = append(pc.Contributors, PieContributor{Name: name, Identifier: s.Recipient, Share: json.Number(formatPPM(s.Computed))})
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(pc); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// formatPPM writes millionths of the pool as a percentage: 333334 -> "33.3334".
func formatPPM(ppm int64) string {
	s := strconv.FormatInt(ppm/10_000, 10)
	if frac := ppm % 10_000; frac != 0 {
		s += strings.TrimRight(fmt.Sprintf(".%04d", frac), "0")
	}
	return s
}

// parseShare reads a percentage with at most four decimals as millionths.
func parseShare(n json.Number) (int64, error) {
	s := string(n)
	whole, frac, _ := strings.Cut(s, ".")
	if strings.ContainsAny(s, "eE+-") || whole == "" || len(frac) > shareDigits {
		return 0, fmt.Errorf("share %s: want a percentage with at most %d decimals", s, shareDigits)
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || w > 100 {
		return 0, fmt.Errorf("share %s: out of range", s)
	}
	f := int64(0)
	if frac != "" {
		if f, err = strconv.ParseInt((frac + "0000")[:4], 10, 64); err != nil {
			return 0, fmt.Errorf("share %s: not a decimal", s)
		}
	}
	return w*10_000 + f, nil
}

// ImportPieChart reads a pie-chart strictly (unknown fields, trailing data,
// duplicate identifiers, shares that are not positive or do not sum to
// exactly 100 are refused, naming the contributor) and returns its split,
// sorted by identifier, for Plan.Fixed.
func ImportPieChart(data []byte) (*PieChart, []FixedShare, error) {
	var pc PieChart
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	dec.UseNumber()
	if err := dec.Decode(&pc); err != nil {
		return nil, nil, fmt.Errorf("%w: %v", ErrPieChart, err)
	}
	if dec.More() {
		return nil, nil, fmt.Errorf("%w: trailing data", ErrPieChart)
	}
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrPieChart, fmt.Sprintf(format, args...))
	}
	switch {
	case pc.SchemaVersion != "0.1":
		return nil, nil, bad("/schema_version %q: only 0.1 is supported", pc.SchemaVersion)
	case pc.Project.Name == "" || pc.Project.Repository == "" || pc.Project.LicenseVersion == "":
		return nil, nil, bad("/project needs name, repository and license_version")
	case pc.Metadata.Created == "" || pc.Metadata.LastUpdated == "" || pc.Metadata.Governance == "" || pc.Metadata.DisputeResolution == "":
		return nil, nil, bad("/metadata needs created, last_updated, governance and dispute_resolution")
	case len(pc.Contributors) == 0:
		return nil, nil, bad("/contributors is empty")
	}
	seen := map[string]bool{}
	var split []FixedShare
	var sum int64
	for i, c := range pc.Contributors {
		if c.Name == "" || c.Identifier == "" {
			return nil, nil, bad("/contributors/%d needs a name and an identifier", i)
		}
		if seen[c.Identifier] {
			return nil, nil, bad("/contributors/%d: identifier %q appears twice", i, c.Identifier)
		}
		seen[c.Identifier] = true
		ppm, err := parseShare(c.Share)
		if err != nil || ppm <= 0 {
			return nil, nil, bad("/contributors/%d/share (%s): must be a positive percentage with at most four decimals", i, c.Identifier)
		}
		sum += ppm
		split = append(split, FixedShare{Recipient: c.Identifier, PPM: ppm})
	}
	if sum != million {
		return nil, nil, bad("shares sum to %s, not 100", formatPPM(sum))
	}
	slices.SortFunc(split, func(a, b FixedShare) int { return strings.Compare(a.Recipient, b.Recipient) })
	return &pc, split, nil
}

package scan

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/peerproduction/ppl/policy"
)

// benchSBOM is a CycloneDX SBOM of n components licensed as a large
// product's dependencies are: mostly permissive, some copyleft and
// fair-source, a few dual-licensed, some unstated.
func benchSBOM(b *testing.B, n int) []byte {
	licenses := []string{"MIT", "MIT", "MIT", "Apache-2.0", "Apache-2.0", "BSD-3-Clause", "ISC", "BSD-2-Clause",
		"GPL-2.0-only WITH Classpath-exception-2.0", "MIT OR Apache-2.0", "PPL", "BUSL-1.1", "FSL-1.1-MIT",
		"Elastic-2.0", "PolyForm-Noncommercial-1.0.0 OR MIT", "LicenseRef-Commons-Clause AND Apache-2.0", ""}
	type lic struct {
		Expression string `json:"expression,omitempty"`
	}
	type comp struct {
		Type     string `json:"type"`
		Ref      string `json:"bom-ref"`
		Name     string `json:"name"`
		Version  string `json:"version"`
		PURL     string `json:"purl"`
		Licenses []lic  `json:"licenses,omitempty"`
	}
	doc := struct {
		Format     string `json:"bomFormat"`
		Spec       string `json:"specVersion"`
		Components []comp `json:"components"`
	}{"CycloneDX", "1.6", nil}
	for i := range n {
		name := fmt.Sprintf("github.com/example/module%05d", i)
		c := comp{Type: "library", Ref: "pkg:golang/" + name + "@v1.2.3", Name: name, Version: "v1.2.3", PURL: "pkg:golang/" + name + "@v1.2.3"}
		if l := licenses[i%len(licenses)]; l != "" {
			c.Licenses = []lic{{l}}
		}
		doc.Components = append(doc.Components, c)
	}
	data, err := json.Marshal(doc)
	if err != nil {
		b.Fatal(err)
	}
	return data
}

// BenchmarkScan5000 reads and decides an SBOM of 5,000 components for one
// entity and use: the target is 50 ms.
func BenchmarkScan5000(b *testing.B) {
	data := benchSBOM(b, 5000)
	s, err := NewScanner(Config{Free: permissive})
	if err != nil {
		b.Fatal(err)
	}
	q := Query{Entity: forProfit("acme"), Use: policy.Use{Commercial: true, Purpose: "production", Seats: 50}, At: at}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		sb, err := ReadSBOM(data)
		if err != nil {
			b.Fatal(err)
		}
		rep, err := s.Scan(context.Background(), sb, q, nil)
		if err != nil {
			b.Fatal(err)
		}
		if len(rep.Results) != 5000 {
			b.Fatal(len(rep.Results))
		}
	}
}

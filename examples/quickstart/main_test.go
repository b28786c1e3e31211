package main

import (
	"bytes"
	"flag"
	"os"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/output.golden")

// TestOutputGolden pins the quickstart's output byte for byte: keys,
// signatures, decay and decisions are all deterministic.
func TestOutputGolden(t *testing.T) {
	var out bytes.Buffer
	if err := run(&out); err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile("testdata/output.golden", out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile("testdata/output.golden")
	if err != nil {
		t.Fatalf("%v (go test ./examples/quickstart -update)", err)
	}
	if !bytes.Equal(out.Bytes(), want) {
		t.Fatalf("output changed:\n%s", out.String())
	}
	// The three cases the README promises.
	for _, s := range []string{"makers-coop: FREE", "acme: FREE", "globex: PAY", "path to free"} {
		if !strings.Contains(out.String(), s) {
			t.Errorf("output lacks %q", s)
		}
	}
}

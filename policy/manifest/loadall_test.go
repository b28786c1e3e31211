package manifest

import (
	"strings"
	"testing"
)

// LoadAll takes every commons' versions in any order, as a directory holds
// them, and gives one verified chain per commons, sorted by id; what is
// not a manifest is refused naming it.
func TestLoadAll(t *testing.T) {
	a1 := draft(t, "alpha", 1, 2, []string{"r1", "r2", "r3"}, "s1")
	a2 := draft(t, "alpha", 2, 2, []string{"r1", "r2", "r4"}, "s1")
	b1 := draft(t, "beta", 1, 1, []string{"b1"}, "s2")
	envs := map[string][]byte{
		"0-alpha-2.json": signed(t, a2, "r2", "r3", "r4"), // named to sort before its version 1
		"m-beta.json":    signed(t, b1, "b1"),
		"a-alpha-1.json": signed(t, a1, "r1", "r2"),
	}
	chains, err := LoadAll(envs, day(40))
	if err != nil {
		t.Fatal(err)
	}
	if len(chains) != 2 || chains[0].ID() != "alpha" || chains[1].ID() != "beta" || chains[0].Latest().Manifest.Version != 2 {
		t.Fatalf("chains %v", chains)
	}
	envs["notes.json"] = []byte(`{"payloadType":"x","payload":"e30=","signatures":[{"sig":"` + strings.Repeat("A", 86) + `=="}]}`)
	if _, err := LoadAll(envs, day(40)); err == nil || !strings.Contains(err.Error(), "notes.json") {
		t.Fatalf("a stray file: %v", err)
	}
}

package attest

import "testing"

// BenchmarkRuleCovers is the scope check Verify makes for every counted
// key: a rule of three patterns against a statement's two subjects.
func BenchmarkRuleCovers(b *testing.B) {
	r := Rule{PredicateTypes: []string{testPredicate}, Subjects: []string{"entity:acme", "statement:*", "commons:*"}}
	subjects := []Subject{SubjectFor("commons:docs-commons"), SubjectFor("entity:acme")}
	for b.Loop() {
		if !r.covers(testPredicate, subjects) {
			b.Fatal("not covered")
		}
	}
}

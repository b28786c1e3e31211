package gitlog

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/peerproduction/ppl/attest"
	"github.com/peerproduction/ppl/contribution"
)

func TestCountSplitAddsUp(t *testing.T) {
	var keys []string
	text := ""
	for i, n := range []string{"a", "b", "c"} {
		k := newSSHKey(t, t.TempDir(), n)
		keys = append(keys, attest.KeyID(k.pub))
		text += n + "@x " + k.line + "\n"
		_ = i
	}
	as, err := attest.ParseAllowedSigners([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	rules, err := ParseRules([]byte(`{"version":1,"kind":"code","refs":{"branches":["main"]},"worth":{"per":"commit","quantity":"1"},"coAuthors":"split","unsigned":"steward"}`))
	if err != nil {
		t.Fatal(err)
	}
	c := &Counter{Rules: rules, AllowedSigners: as, Commons: "alpha"}
	when := time.Unix(1700000000, 0).UTC()
	o := &Object{ID: "c0ffee", Kind: KindCommit, Parents: []string{"p"},
		Author: Ident{Name: "A", Email: "a@x", Time: when}, Committer: Ident{Name: "A", Email: "a@x", Time: when},
		Message: []byte("subject\n\nbody\n\nCo-authored-by: B <b@x>\nco-authored-by: C <c@x>\nCo-authored-by: A again <A@X>\n")}
	cs, skips := c.Count(&Commit{Object: o})
	var got []contribution.Quantity
	var who []string
	for _, x := range cs {
		got = append(got, x.Quantity)
		who = append(who, x.Contributor)
	}
	// 1000 thousandths among three: 334 to the author, 333 to each other.
	if !cmp.Equal(got, []contribution.Quantity{334, 333, 333}) || !cmp.Equal(who, keys) {
		t.Errorf("split %v to %v, want [334 333 333] to %v (skips %v)", got, who, keys, skips)
	}
}

func TestWorthSaturates(t *testing.T) {
	rules, err := ParseRules([]byte(`{"version":1,"kind":"code","refs":{"branches":["main"]},"worth":{"per":"line","quantity":"1000000000"},"coAuthors":"split","unsigned":"steward"}`))
	if err != nil {
		t.Fatal(err)
	}
	c := &Counter{Rules: rules}
	cm := &Commit{Object: &Object{Parents: []string{"p"}}, Files: []FileStat{{Path: "a", Added: 1 << 40}, {Path: "b", Added: 1 << 40}}}
	if got := c.worth(cm); got != contribution.MaxQuantity {
		t.Errorf("worth of a huge commit = %v, want MaxQuantity %v", got, contribution.MaxQuantity)
	}
}

package attest

import (
	"crypto/ed25519"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestFindPrincipalsSSHKeygen puts each allowed_signers list to the real
// `ssh-keygen -Y find-principals` and FindPrincipals, which must print the
// same principals (or none) at the same verify time.
func TestFindPrincipalsSSHKeygen(t *testing.T) {
	k := newKeygen(t)
	sig := k.theirs("git")
	sigFile := filepath.Join(k.dir, "msg.sig")
	if err := os.WriteFile(sigFile, sig, 0o600); err != nil {
		t.Fatal(err)
	}
	other := MarshalAuthorizedKey(ed25519.NewKeyFromSeed(make([]byte, 32)).Public().(ed25519.PublicKey), "")
	otherKey := strings.TrimSpace(string(other))
	at := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		name, list string
		at         time.Time
	}{
		{"one", "alice@example.com " + k.pub, at},
		{"split at commas", "alice@example.com,bob@example.com " + k.pub, at},
		{"quoted patterns", `"alice@example.com,*@example.org" ` + k.pub, at},
		{"namespaces ignored", `alice@example.com namespaces="other" ` + k.pub, at},
		{"first line only", "alice@example.com " + k.pub + "\nbob@example.com " + k.pub, at},
		{"other key", "alice@example.com " + otherKey, at},
		{"expired line skipped", `alice@example.com valid-before="20260101Z" ` + k.pub + "\nbob@example.com " + k.pub, at},
		{"expired", `alice@example.com valid-before="20260101Z" ` + k.pub, at},
		{"valid-before at the second", `alice@example.com valid-before="20260601120000Z" ` + k.pub, at},
		{"one second late", `alice@example.com valid-before="20260601115959Z" ` + k.pub, at},
		{"not yet valid", `alice@example.com valid-after="20270101Z" ` + k.pub, at},
		{"valid-after at the second", `alice@example.com valid-after="20260601120000Z" ` + k.pub, at},
		{"negated pattern printed", "*,!mallory@example.com " + k.pub, at},
	}
	pub, err := ParsePublicKey([]byte(k.pub))
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range cases {
		file := filepath.Join(k.dir, fmt.Sprintf("as%d", i))
		if err := os.WriteFile(file, []byte(c.list+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		out, _, ok := k.cmd(nil, "-Y", "find-principals", "-f", file, "-s", sigFile, "-Overify-time="+c.at.UTC().Format("20060102150405"))
		var theirs []string
		if ok {
			theirs = strings.Split(strings.TrimSuffix(out, "\n"), "\n")
		}
		as, err := ParseAllowedSigners([]byte(c.list))
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		ours := as.FindPrincipals(pub, c.at)
		if diff := cmp.Diff(theirs, ours); diff != "" {
			t.Errorf("%s: ssh-keygen and FindPrincipals differ (-theirs +ours):\n%s", c.name, diff)
		}
	}
}

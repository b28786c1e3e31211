package gitlog

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/peerproduction/ppl/attest"
	"github.com/peerproduction/ppl/contribution"
)

var update = flag.Bool("update", false, "rewrite the golden files")

const fixtureRules = `{
  "version": 1,
  "kind": "code",
  "refs": {"branches": ["main"], "tags": ["v*"], "tagSigners": ["alice@example.com"]},
  "worth": {"per": "line", "quantity": "1", "cap": "100"},
  "weights": [{"path": "docs/**", "weight": "0.5"}, {"path": "vendor/**", "weight": "0"}],
  "excludeAuthors": ["*[bot] <*"],
  "coAuthors": "split",
  "unsigned": "%s"
}`

// fixture is a repository made with the real git, deterministic to the
// byte (fixed keys, names and dates; Ed25519 signatures are deterministic),
// so its contributions can be compared with a golden file.
type fixture struct {
	*repo
	keys map[string]sshKey
	as   attest.AllowedSigners
	asF  string
	when time.Time
	n    int
}

func newFixture(t *testing.T) *fixture {
	r := newRepo(t)
	f := &fixture{repo: r, keys: map[string]sshKey{}, when: time.Date(2025, 1, 1, 9, 0, 0, 0, time.UTC)}
	for _, n := range []string{"alice", "bob", "mallory"} {
		f.keys[n] = newSSHKey(t, r.dir, n)
	}
	text := "alice@example.com " + f.keys["alice"].line + "\nbob@example.com " + f.keys["bob"].line + "\n*@example.org " + f.keys["mallory"].line + "\n"
	f.asF = filepath.Join(r.dir, "allowed_signers")
	if err := os.WriteFile(f.asF, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	var err error
	if f.as, err = attest.ParseAllowedSigners([]byte(text)); err != nil {
		t.Fatal(err)
	}
	return f
}

// commit writes files and commits as author (Name <email>), signed by
// signer unless signer is "".
func (f *fixture) commit(author, signer, msg string, files map[string]string) {
	f.t.Helper()
	for p, c := range files {
		f.write(p, c)
		f.git(nil, "add", p)
	}
	f.n++
	env := at(f.when.Add(time.Duration(f.n) * time.Hour))
	name, email, _ := strings.Cut(strings.TrimSuffix(author, ">"), " <")
	env = append(env, "GIT_AUTHOR_NAME="+name, "GIT_AUTHOR_EMAIL="+email)
	args := []string{"commit", "-q", "--allow-empty", "-m", msg}
	if signer != "" {
		args = append(signWith(f.keys[signer], f.asF), append([]string{"commit", "-S"}, args[1:]...)...)
	}
	f.git(env, args...)
}

func lines(n int) string { return strings.Repeat("x\n", n) }

func buildFixture(t *testing.T) *fixture {
	f := newFixture(t)
	f.commit("Alice <alice@example.com>", "alice", "code and docs", map[string]string{"src/a.go": lines(10), "docs/x.md": lines(4), "vendor/v.go": lines(50)})
	f.commit("Bob <bob@example.com>", "", "unsigned work", map[string]string{"src/b.go": lines(7)})
	f.commit("Alice <alice@example.com>", "alice", "pair work\n\nCo-authored-by: Bob <bob@example.com>\nCo-authored-by: Carol <carol@nokey.example>", map[string]string{"src/c.go": lines(30)})
	f.commit("dependabot[bot] <49699333+dependabot[bot]@users.noreply.github.com>", "", "bump", map[string]string{"go.sum": lines(3)})
	f.commit("Dave <dave@example.com>", "alice", "applied Dave's patch", map[string]string{"src/d.go": lines(5)})
	f.commit("Mallory <mallory@example.org>", "mallory", "wildcard signer", map[string]string{"src/m.go": lines(2)})
	f.commit("Alice <alice@example.com>", "alice", "huge", map[string]string{"src/big.go": lines(500)})
	// A release branch reachable only from a signed tag, one reachable only
	// from an unsigned tag, and a side branch merged back.
	f.git(nil, "checkout", "-q", "-b", "release", "HEAD~1")
	f.commit("Bob <bob@example.com>", "bob", "release fix", map[string]string{"src/rel.go": lines(8)})
	f.git(at(f.when.Add(100*time.Hour)), append(signWith(f.keys["alice"], f.asF), "tag", "-s", "-m", "release", "v1.0")...)
	f.git(nil, "checkout", "-q", "-b", "unreleased", "main")
	f.commit("Bob <bob@example.com>", "bob", "behind an unsigned tag", map[string]string{"src/u.go": lines(8)})
	f.git(at(f.when.Add(100*time.Hour)), "tag", "-m", "unsigned", "v0.9")
	f.git(nil, "checkout", "-q", "-b", "bobs", "main")
	f.commit("Bob <bob@example.com>", "bob", "behind bob's own tag", map[string]string{"src/bob.go": lines(8)})
	f.git(at(f.when.Add(100*time.Hour)), append(signWith(f.keys["bob"], f.asF), "tag", "-s", "-m", "mine", "v0.8")...)
	f.git(nil, "checkout", "-q", "-b", "side", "main")
	f.commit("Bob <bob@example.com>", "bob", "side work", map[string]string{"src/side.go": lines(3)})
	f.git(nil, "checkout", "-q", "main")
	f.commit("Bob <bob@example.com>", "bob", "more", map[string]string{"src/e.go": lines(1)})
	f.git(at(f.when.Add(101*time.Hour)), "merge", "-q", "--no-ff", "-m", "merge side", "side")
	return f
}

func (f *fixture) importWith(t *testing.T, unsigned string) *Result {
	t.Helper()
	rules, err := ParseRules([]byte(strings.Replace(fixtureRules, "%s", unsigned, 1)))
	if err != nil {
		t.Fatal(err)
	}
	res, err := Import(context.Background(), f.dir, &Counter{Rules: rules, AllowedSigners: f.as, Commons: "alpha"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// golden is a contribution as the golden file shows it.
type golden struct {
	Commit      string `json:"commit"`
	Subject     string `json:"subject"`
	Contributor string `json:"contributor"`
	Quantity    string `json:"quantity"`
	Digest      string `json:"digest"`
}

func TestImportGolden(t *testing.T) {
	f := buildFixture(t)
	for _, unsigned := range []string{"exclude", "steward"} {
		res := f.importWith(t, unsigned)
		sts, err := Statements(res.Contributions)
		if err != nil {
			t.Fatal(err)
		}
		names := map[string]string{}
		for n, k := range f.keys {
			names[attest.KeyID(k.pub)] = n
		}
		var got []golden
		for i, c := range res.Contributions {
			p, err := sts[i].Payload()
			if err != nil {
				t.Fatal(err)
			}
			id := strings.TrimPrefix(c.Evidence[0], "gitCommit:")
			subj := strings.SplitN(f.git(nil, "log", "-1", "--format=%s", id), "\n", 2)[0]
			got = append(got, golden{Commit: id, Subject: subj, Contributor: names[c.Contributor], Quantity: c.Quantity.String(), Digest: attest.Digest(p)})
		}
		var skips []string
		for _, s := range res.Skips {
			skips = append(skips, strings.TrimPrefix(s.Who+": "+s.Reason, ": "))
		}
		doc := map[string]any{"commits": res.Commits, "contributions": got, "skips": skips}
		data, _ := json.MarshalIndent(doc, "", "  ")
		file := filepath.Join("testdata", "golden-"+unsigned+".json")
		if *update {
			if err := os.WriteFile(file, append(data, '\n'), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(string(want), string(data)+"\n"); diff != "" {
			t.Errorf("%s: contributions differ from %s (-want +got):\n%s", unsigned, file, diff)
		}
	}
}

func digests(t *testing.T, res *Result) map[string]string {
	t.Helper()
	sts, err := Statements(res.Contributions)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for i, st := range sts {
		p, err := st.Payload()
		if err != nil {
			t.Fatal(err)
		}
		out[attest.Digest(p)] = res.Contributions[i].Evidence[0]
	}
	return out
}

// TestImportIncremental: a re-run gives the same statements, and a run
// after new commits adds only theirs.
func TestImportIncremental(t *testing.T) {
	f := buildFixture(t)
	first := digests(t, f.importWith(t, "steward"))
	again := digests(t, f.importWith(t, "steward"))
	if diff := cmp.Diff(first, again); diff != "" {
		t.Fatalf("a re-run changed the statements:\n%s", diff)
	}
	f.commit("Alice <alice@example.com>", "alice", "new work\n\nCo-authored-by: Bob <bob@example.com>", map[string]string{"src/new.go": lines(4)})
	head := strings.TrimSpace(f.git(nil, "rev-parse", "HEAD"))
	after := digests(t, f.importWith(t, "steward"))
	var added []string
	for d, ev := range after {
		if _, ok := first[d]; !ok {
			added = append(added, ev)
		}
	}
	for d := range first {
		if _, ok := after[d]; !ok {
			t.Errorf("statement %s vanished after a new commit", d)
		}
	}
	if want := []string{"gitCommit:" + head, "gitCommit:" + head}; !cmp.Equal(added, want) {
		t.Errorf("new commit added %v, want its two shares %v", added, want)
	}
}

// TestRecheckCatchesOverclaims: honest statements pass; an inflated one,
// the same work claimed twice, a commit the rules do not credit, a later
// date and another rules digest are each caught, naming the statement.
func TestRecheckCatchesOverclaims(t *testing.T) {
	f := buildFixture(t)
	res := f.importWith(t, "exclude")
	rules, _ := ParseRules([]byte(strings.Replace(fixtureRules, "%s", "exclude", 1)))
	claim := func(c contribution.Contribution) Claim {
		st, err := contribution.NewContributionStatement(c)
		if err != nil {
			t.Fatal(err)
		}
		p, _ := st.Payload()
		cl, err := ClaimOf(st, attest.Digest(p))
		if err != nil {
			t.Fatal(err)
		}
		return cl
	}
	var honest []Claim
	for _, c := range res.Contributions {
		honest = append(honest, claim(c))
	}
	if over := Recheck(res, rules, honest); len(over) != 0 {
		t.Fatalf("honest statements flagged: %+v", over)
	}
	base := res.Contributions[0]
	inflated := base
	inflated.Quantity++
	half := base
	half.Quantity = base.Quantity/2 + 1
	half.Evidence = append(append([]string(nil), base.Evidence...), "note:first half")
	half2 := half
	half2.Evidence = append(append([]string(nil), base.Evidence...), "note:second half")
	later := base
	later.At = base.At.Add(24 * time.Hour)
	otherRules := base
	otherRules.Evidence = []string{base.Evidence[0], "gitRules:sha256:" + strings.Repeat("0", 64)}
	uncredited := base
	uncredited.Evidence = []string{"gitCommit:" + strings.Repeat("a", 40), base.Evidence[1]}
	cases := map[string][]Claim{
		"inflated":     {claim(inflated)},
		"cut in two":   {claim(half), claim(half2)},
		"later date":   {claim(later)},
		"other rules":  {claim(otherRules)},
		"not credited": {claim(uncredited)},
	}
	// Beside the honest statement for the same commit, only the inflated
	// one is named.
	if over := Recheck(res, rules, append(honest, claim(inflated))); len(over) != 1 || over[0].Claimed != inflated.Quantity {
		t.Errorf("inflated beside honest: %+v, want the inflated statement alone", over)
	}
	for name, cl := range cases {
		over := Recheck(res, rules, cl)
		if len(over) != len(cl) {
			t.Errorf("%s: %d overclaims %+v, want %d", name, len(over), over, len(cl))
			continue
		}
		for i := range over {
			if over[i].Statement == "" || over[i].Reason == "" {
				t.Errorf("%s: overclaim without statement or reason: %+v", name, over[i])
			}
		}
	}
}

// TestImportCanceled: a canceled import returns an error, and no goroutine
// or git process waits on another.
func TestImportCanceled(t *testing.T) {
	f := buildFixture(t)
	rules, _ := ParseRules([]byte(strings.Replace(fixtureRules, "%s", "steward", 1)))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	done := make(chan error, 1)
	go func() {
		_, err := Import(ctx, f.dir, &Counter{Rules: rules, AllowedSigners: f.as, Commons: "alpha"}, nil)
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("a canceled import succeeded")
		}
	case <-time.After(20 * time.Second):
		t.Fatal("a canceled import hangs")
	}
}

// TestImportMailmapCannotTakeCredit: a .mailmap that maps Bob's address to
// Mallory's does not hand Mallory the key credit of Bob's commits; a bot
// stays excluded when the mailmap renames it.
func TestImportMailmapCannotTakeCredit(t *testing.T) {
	f := newFixture(t)
	text := "bob@example.com " + f.keys["bob"].line + "\nmallory@example.net " + f.keys["mallory"].line + "\nbot@renovate.example " + f.keys["alice"].line + "\n"
	as, err := attest.ParseAllowedSigners([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	f.as = as
	f.commit("Bob <bob@example.com>", "", "bob's work", map[string]string{"src/b.go": lines(3)})
	f.commit("renovate[bot] <bot@renovate.example>", "", "bump", map[string]string{"go.sum": lines(3)})
	f.commit("Mallory <mallory@example.net>", "", "mailmap", map[string]string{
		".mailmap": "Mallory <mallory@example.net> Bob <bob@example.com>\nHuman <human@example.net> <bot@renovate.example>\n"})
	res := f.importWith(t, "steward")
	got := map[string]int{}
	for _, c := range res.Contributions {
		switch c.Contributor {
		case attest.KeyID(f.keys["bob"].pub):
			got["bob"]++
		case attest.KeyID(f.keys["mallory"].pub):
			got["mallory"]++
		default:
			got["other"]++
		}
	}
	if got["bob"] != 1 || got["mallory"] != 1 || got["other"] != 0 {
		t.Errorf("credits %v, want bob 1 (his commit) and mallory 1 (her own)", got)
	}
}

// TestImportRefusesShallow: a shallow clone would make its oldest commit
// worth the whole tree.
func TestImportRefusesShallow(t *testing.T) {
	f := buildFixture(t)
	shallow := filepath.Join(t.TempDir(), "shallow")
	f.git(nil, "clone", "-q", "--depth=2", "--no-local", "--branch", "main", f.dir, shallow)
	rules, _ := ParseRules([]byte(strings.Replace(fixtureRules, "%s", "steward", 1)))
	_, err := Import(context.Background(), shallow, &Counter{Rules: rules, AllowedSigners: f.as, Commons: "alpha"}, nil)
	if !errors.Is(err, ErrShallow) {
		t.Fatalf("shallow clone: %v, want ErrShallow", err)
	}
}

// TestParseLogOddNames: an author name holding git log's separator costs
// that commit its mailmap, not the import.
func TestParseLogOddNames(t *testing.T) {
	id := strings.Repeat("a", 40)
	in := "\x01" + id + "\x02Odd\x02Name\x02odd@example.com\x00\n3\t1\tsrc/x.go\x00\x01" + strings.Repeat("b", 40) + "\x02B\x02b@x\x00"
	var got []logEntry
	if err := parseLog(bufio.NewReader(strings.NewReader(in)), "line", func(e logEntry) { got = append(got, e) }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].id != id || got[0].mailmapped || len(got[0].files) != 1 || got[0].files[0].Added != 3 || !got[1].mailmapped || got[1].email != "b@x" {
		t.Fatalf("parsed %+v", got)
	}
}

package manifest

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/peerproduction/ppl/attest"
	"github.com/peerproduction/ppl/license"
)

func TestRoundTrip(t *testing.T) {
	m := draft(t, "alpha", 1, 2, []string{"r1", "r2", "r3"}, "s1")
	m.Homepage, m.Repository = "https://alpha.example", "https://git.example/alpha"
	m.Roles.Registrars = keysOf("reg")
	m.Roles.GrantSigners = []Key{{Public: pub("market"), Comment: "market", From: day(0), Until: day(400)}}
	m.Roles.Revokers = keysOf("rev")
	m.Payout = &Payout{Currency: "EUR", Association: "alpha-association", AssociationBP: 1000, WindowDays: 365,
		HalfLifeDays: 180, KindWeights: map[string]licenseMilli{"code": 1000, "docs": 500}, IncludeRecognised: true,
		MinimumPayout: 500, Signers: keysOf("treasurer")}
	m.AcceptSelfDeclared = true
	recognise(m, "beta", 1, 500)
	doc, err := m.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	back, err := Parse(doc)
	if err != nil {
		t.Fatal(err)
	}
	// Terms keep the document they were parsed from, which terms built in
	// Go do not have: compare what they say.
	if diff := cmp.Diff(m, back, ignoreDoc); diff != "" {
		t.Errorf("Parse(MarshalJSON(m)) differs (-want +got):\n%s", diff)
	}
	env := signed(t, m, "r1", "r3")
	c, err := Open(env, "")
	if err != nil {
		t.Fatal(err)
	}
	v, err := c.Current(day(20))
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{attest.KeyID(pub("r1")), attest.KeyID(pub("r3"))}; !cmp.Equal(sortedCopy(want), v.Signers) {
		t.Errorf("signers %v, want %v", v.Signers, want)
	}
	if diff := cmp.Diff(m, v.Manifest, ignoreDoc); diff != "" {
		t.Errorf("verified manifest differs (-want +got):\n%s", diff)
	}
}

// TestRotation replaces two of three root keys over two versions, each
// version signed by two of the previous version's roots and two of its own.
func TestRotation(t *testing.T) {
	v1 := draft(t, "alpha", 1, 2, []string{"r1", "r2", "r3"}, "s1")
	v2 := draft(t, "alpha", 2, 2, []string{"r1", "r2", "r4"}, "s1")
	v3 := draft(t, "alpha", 3, 2, []string{"r1", "r4", "r5"}, "s1")
	envs := [][]byte{signed(t, v1, "r1", "r2"), signed(t, v2, "r2", "r3", "r4"), signed(t, v3, "r2", "r4", "r5")}
	c, err := Load(envs, "", day(40))
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Latest().Manifest.Version; got != 3 {
		t.Fatalf("latest version %d, want 3", got)
	}
	// v3 signed by v2's r2 and r4 and its own r4 and r5: three distinct keys.
	if got := len(c.Latest().Signers); got != 3 {
		t.Errorf("v3 counted %d signers, want 3", got)
	}
	// r3 was rotated out in v2: with r5 alone of v3's own roots, v3 fails.
	c2, err := Load(envs[:2], "", day(25))
	if err != nil {
		t.Fatal(err)
	}
	err = c2.Update(signed(t, v3, "r2", "r3", "r5"))
	wantErr(t, err, ErrThreshold, "/roles/root")
	if !errors.Is(err, attest.ErrThreshold) {
		t.Errorf("%v does not wrap attest.ErrThreshold", err)
	}
}

func wantErr(t *testing.T, err, sentinel error, pointer string) *Error {
	t.Helper()
	if !errors.Is(err, sentinel) {
		t.Fatalf("error %v, want %v", err, sentinel)
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %T is not *Error", err)
	}
	if e.Pointer != pointer {
		t.Errorf("pointer %q, want %q (%v)", e.Pointer, pointer, err)
	}
	return e
}

// TestPitfalls refuses each of TUF's root-metadata pitfalls with its own
// error, leaving the chain as it was.
func TestPitfalls(t *testing.T) {
	roots := []string{"r1", "r2", "r3"}
	v1 := signed(t, draft(t, "alpha", 1, 2, roots, "s1"), "r1", "r2")
	v2 := signed(t, draft(t, "alpha", 2, 2, roots, "s1"), "r1", "r2")
	v3 := signed(t, draft(t, "alpha", 3, 2, roots, "s1"), "r1", "r2")
	open := func(envs ...[]byte) *Chain {
		t.Helper()
		c, err := Open(envs[0], "")
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range envs[1:] {
			if err := c.Update(e); err != nil {
				t.Fatal(err)
			}
		}
		return c
	}

	t.Run("rollback", func(t *testing.T) {
		c := open(v1, v2)
		e := wantErr(t, c.Update(v1), ErrRollback, "/version")
		if e.Version != 1 || e.Commons != "alpha" {
			t.Errorf("error names version %d of %q", e.Version, e.Commons)
		}
		if c.Latest().Manifest.Version != 2 {
			t.Error("a refused update changed the chain")
		}
	})
	t.Run("issued-before-previous", func(t *testing.T) {
		m := draft(t, "alpha", 2, 2, roots, "s1")
		m.IssuedAt = day(5) // v1 was issued on day 10
		wantErr(t, open(v1).Update(signed(t, m, "r1", "r2")), ErrRollback, "/issuedAt")
	})
	t.Run("skipped-version", func(t *testing.T) {
		wantErr(t, open(v1).Update(v3), ErrSkippedVersion, "/version")
	})
	t.Run("fork", func(t *testing.T) {
		other := draft(t, "alpha", 2, 2, roots, "s2")
		wantErr(t, open(v1, v2).Update(signed(t, other, "r1", "r2")), ErrFork, "/version")
	})
	t.Run("same-version-again", func(t *testing.T) {
		c := open(v1, v2)
		if err := c.Update(v2); err != nil {
			t.Fatalf("the version held, given again: %v", err)
		}
		if len(c.Versions()) != 2 {
			t.Errorf("chain holds %d versions, want 2", len(c.Versions()))
		}
	})
	t.Run("expired", func(t *testing.T) {
		// A freeze: the latest version a client can get has expired.
		_, err := Load([][]byte{v1, v2}, "", day(20+365))
		wantErr(t, err, ErrExpired, "/expires")
		// Intermediate versions may have expired: only the last is judged.
		if _, err := Load([][]byte{v1, v2, v3}, "", day(10+366)); err != nil {
			t.Errorf("expired intermediate version refused: %v", err)
		}
	})
	t.Run("not-yet-issued", func(t *testing.T) {
		_, err := Load([][]byte{v1}, "", day(9))
		wantErr(t, err, ErrNotYetIssued, "/issuedAt")
	})
	t.Run("old-roots-did-not-sign", func(t *testing.T) {
		m := draft(t, "alpha", 2, 2, []string{"n1", "n2", "n3"}, "s1")
		err := open(v1).Update(signed(t, m, "n1", "n2", "r1"))
		e := wantErr(t, err, ErrThreshold, "/roles/root")
		if e.Version != 2 {
			t.Errorf("error names version %d", e.Version)
		}
	})
	t.Run("own-roots-did-not-sign", func(t *testing.T) {
		m := draft(t, "alpha", 2, 2, []string{"n1", "n2", "n3"}, "s1")
		wantErr(t, open(v1).Update(signed(t, m, "r1", "r2", "n1")), ErrThreshold, "/roles/root")
	})
	t.Run("roots-of-an-older-version", func(t *testing.T) {
		// v2 rotates r1 and r2 out; v3 signed by them (v1's roots) and by
		// v3's own must still be refused: only v2's roots vouch for v3.
		m2 := draft(t, "alpha", 2, 2, []string{"r3", "r4", "r5"}, "s1")
		m3 := draft(t, "alpha", 3, 2, []string{"r1", "r2", "r3"}, "s1")
		c := open(v1, signed(t, m2, "r1", "r2", "r4", "r5"))
		wantErr(t, c.Update(signed(t, m3, "r1", "r2", "r3")), ErrThreshold, "/roles/root")
	})
	t.Run("one-key-signing-twice", func(t *testing.T) {
		m := draft(t, "alpha", 1, 2, roots, "s1")
		env, err := Sign(m, priv("r1"), priv("r1"))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := env.MarshalJSON()
		_, err = Open(b, "")
		wantErr(t, err, ErrThreshold, "/roles/root")
	})
	t.Run("one-key-listed-twice", func(t *testing.T) {
		m := draft(t, "alpha", 1, 2, roots, "s1")
		m.Roles.Root = append(m.Roles.Root[:1], Key{Public: pub("r1"), Comment: "the same key again"})
		_, err := Sign(m, priv("r1"))
		e := wantErr(t, err, ErrDuplicateKey, "/roles/root/keys/1/key")
		if e.KeyID != attest.KeyID(pub("r1")) {
			t.Errorf("key id %q", e.KeyID)
		}
	})
	t.Run("another-commons", func(t *testing.T) {
		beta := signed(t, draft(t, "beta", 2, 2, roots, "s1"), "r1", "r2")
		wantErr(t, open(v1).Update(beta), ErrWrongCommons, "/id")
	})
	t.Run("first-use-needs-version-1", func(t *testing.T) {
		_, err := Open(v2, "")
		wantErr(t, err, ErrFirstVersion, "/version")
	})
	t.Run("pinned", func(t *testing.T) {
		c := open(v1, v2)
		d := c.Latest().Digest
		p, err := Open(v2, d)
		if err != nil {
			t.Fatalf("pinned version 2: %v", err)
		}
		if err := p.Update(v3); err != nil {
			t.Fatal(err)
		}
		_, err = Open(v3, d)
		wantErr(t, err, ErrPin, "")
	})
	t.Run("not-a-manifest", func(t *testing.T) {
		st, err := attest.NewStatement("https://example.com/other/v1", map[string]string{"id": "alpha"}, attest.SubjectFor("commons:alpha"))
		if err != nil {
			t.Fatal(err)
		}
		env, _ := attest.SignStatement(st, priv("r1"), priv("r2"))
		b, _ := env.MarshalJSON()
		_, err = Open(b, "")
		wantErr(t, err, ErrMalformed, "")
	})
}

var ignoreDoc = cmpopts.IgnoreUnexported(license.Terms{})

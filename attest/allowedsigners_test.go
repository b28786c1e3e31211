package attest

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// patternCases are OpenSSH pattern-list cases (match.c): the answers are
// those of match_pattern_list(s, list, 0) == 1, and TestSSHKeygenPatterns
// puts every one of them to the real ssh-keygen as principal and as
// namespace.
var patternCases = []struct {
	list, s string
	want    bool
}{
	{"alice@example.com", "alice@example.com", true},
	{"alice@example.com", "Alice@example.com", false}, // case-sensitive
	{"*@example.com", "alice@example.com", true},
	{"*@example.com", "alice@example.org", false},
	{"*", "anyone", true},
	{"*,!mallory@example.com", "mallory@example.com", false},
	{"*,!mallory@example.com", "alice@example.com", true},
	{"!mallory@example.com,*", "mallory@example.com", false}, // order does not matter
	{"!mallory@example.com", "alice@example.com", false},     // no positive pattern
	{"*@example.com,!*bad*", "notbad@example.com", false},
	{"a?c", "abc", true},
	{"a?c", "ac", false},
	{"a?c", "abbc", false},
	{"a*c", "ac", true},
	{"a*c", "abbbc", true},
	{"a*c", "abcd", false},
	{"*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false},
	{"*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaab", true},
	{"user[1]@example.com", "user1@example.com", false}, // no classes
	{"user[1]@example.com", "user[1]@example.com", true},
	{"user[12]*", "user1x", false},
	{"user[12]*", "user[12]x", true},
	{"git,email", "email", true},
	{"git,email", "file", false},
	{"*,!git", "git", false},
	{"*,!git", "file", true},
	{"!git,*@ppl", "x@ppl", true},
	{"!!git", "!git", false}, // "!!git" is the negated pattern "!git"
	{"!!git,*", "!git", false},
	{"!!git,*", "git", true},
	{"a,", "a", true},   // a trailing comma adds no empty pattern
	{"a,,b", "b", true}, // an empty pattern in the middle matches only ""
	{"*?", "x", true},
	{"?*", "", false},
	{"\\*", "\\x", true}, // no escapes: a backslash is a byte like any other
	{"\\*", "*", false},
	{"é", "é", true},
	{"?", "é", false}, // ? is one byte, é two
	{"??", "é", true},
	{SSHNamespace, SSHNamespace, true},
	{"ppl@*", SSHNamespace, true},
	{"*@peerproduction,!ppl@*", SSHNamespace, false},
	{strings.Repeat("a", 1022), strings.Repeat("a", 1022), true},
	{strings.Repeat("a", 1023), strings.Repeat("a", 1023), false}, // too long for OpenSSH's buffer
	{"*," + strings.Repeat("b", 1023), "x", false},                // and it fails the whole list
}

func TestPatternList(t *testing.T) {
	for _, c := range patternCases {
		if got := matchPatternList(c.s, c.list); got != c.want {
			t.Errorf("matchPatternList(%q, %.40q) = %v, want %v", c.s, c.list, got, c.want)
		}
	}
	// Edge cases ssh-keygen cannot be given on a command line or a line.
	for _, c := range []struct {
		list, s string
		want    bool
	}{
		{"", "", false}, // an empty list has no pattern
		{",", "", true}, // one empty pattern
		{"a,,b", "", true},
		{"!", "", false},
		{"!,*", "x", true},
	} {
		if got := matchPatternList(c.s, c.list); got != c.want {
			t.Errorf("matchPatternList(%q, %q) = %v, want %v", c.s, c.list, got, c.want)
		}
	}
}

// refMatch is match_pattern as its manual page states it, by recursion
// with a memo (without one, runs of * are exponential): slow, obviously
// right, and no code of the fast matcher's.
func refMatch(s, p string) bool {
	memo := map[[2]int]bool{}
	var m func(i, j int) bool
	m = func(i, j int) bool {
		k := [2]int{i, j}
		if v, ok := memo[k]; ok {
			return v
		}
		var v bool
		switch {
		case j == len(p):
			v = i == len(s)
		case p[j] == '*':
			v = m(i, j+1) || (i < len(s) && m(i+1, j))
		default:
			v = i < len(s) && (p[j] == '?' || p[j] == s[i]) && m(i+1, j+1)
		}
		memo[k] = v
		return v
	}
	return m(0, 0)
}

func FuzzMatchPattern(f *testing.F) {
	for _, c := range patternCases {
		if len(c.list) < 64 {
			f.Add(c.s, c.list)
		}
	}
	f.Fuzz(func(t *testing.T, s, p string) {
		if len(s) > 256 || len(p) > 256 {
			return // the reference is quadratic in memory
		}
		if got, want := MatchPattern(s, p), refMatch(s, p); got != want {
			t.Fatalf("MatchPattern(%q, %q) = %v, reference %v", s, p, got, want)
		}
	})
}

func TestAllowedSignersOpenSSHSyntax(t *testing.T) {
	pub := strings.TrimSpace(string(MarshalAuthorizedKey(pubOf(testKey("a")), "")))
	utc := func(s string) time.Time {
		tm, err := time.Parse("2006-01-02T15:04:05", s)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	for _, c := range []struct {
		name, line string
		check      func(AllowedSigner) bool
	}{
		{"quoted principals", `"alice@example.com,bob" ` + pub, func(s AllowedSigner) bool {
			return len(s.Principals) == 2 && s.Principals[1] == "bob"
		}},
		{"negation kept", `*,!mallory ` + pub, func(s AllowedSigner) bool {
			return len(s.Principals) == 2 && s.Principals[1] == "!mallory" && s.Namespaces == nil
		}},
		{"option names in any case", `a NAMESPACES="git",Valid-After="20250101Z" ` + pub, func(s AllowedSigner) bool {
			return len(s.Namespaces) == 1 && s.ValidAfter.Equal(utc("2025-01-01T00:00:00"))
		}},
		{"escaped quote", `a namespaces="x\"y,git" ` + pub, func(s AllowedSigner) bool {
			return len(s.Namespaces) == 2 && s.Namespaces[0] == `x"y`
		}},
		{"space in quoted value", `a namespaces="x y" ` + pub, func(s AllowedSigner) bool {
			return len(s.Namespaces) == 1 && s.Namespaces[0] == "x y"
		}},
		{"empty namespaces allows none", `a namespaces="" ` + pub, func(s AllowedSigner) bool {
			return s.Namespaces != nil && len(s.Namespaces) == 0
		}},
		{"UTC suffix", `a valid-before="202701021504utc" ` + pub, func(s AllowedSigner) bool {
			return s.ValidBefore.Equal(utc("2027-01-02T15:04:00"))
		}},
		{"seconds, lower-case z", `a valid-before="20270102150405z" ` + pub, func(s AllowedSigner) bool {
			return s.ValidBefore.Equal(utc("2027-01-02T15:04:05"))
		}},
		{"empty option passed over", `a namespaces="git",,valid-after="20250101" ` + pub, func(s AllowedSigner) bool {
			return len(s.Namespaces) == 1 && !s.ValidAfter.IsZero()
		}},
		{"no-break space is part of the principal", "\u00a0a " + pub, func(s AllowedSigner) bool {
			return len(s.Principals) == 1 && s.Principals[0] == "\u00a0a"
		}},
		{"tab separated", "a\tnamespaces=\"git\"\t" + pub, func(s AllowedSigner) bool { return len(s.Namespaces) == 1 }},
	} {
		s, err := ParseAllowedSigners([]byte(c.line + "\n"))
		if err != nil || len(s) != 1 || !c.check(s[0]) {
			t.Errorf("%s: %+v %v", c.name, s, err)
		}
	}

	for _, c := range []struct {
		name, line string
		want       error
	}{
		{"namespaces twice", `a namespaces="git",namespaces="*" ` + pub, ErrMalformed},
		{"valid-after twice", `a valid-after="20250101",valid-after="20240101" ` + pub, ErrMalformed},
		{"valid-before twice", `a valid-before="20270101",valid-before="20280101" ` + pub, ErrMalformed},
		{"before not after after", `a valid-after="20260101",valid-before="20260101" ` + pub, ErrMalformed},
		{"before earlier than after", `a valid-after="20260102",valid-before="20260101" ` + pub, ErrMalformed},
		{"epoch", `a valid-after="19700101Z" ` + pub, ErrMalformed},
		{"before 1970", `a valid-after="19600101Z" ` + pub, ErrMalformed},
		{"not digits", `a valid-after="2026O101" ` + pub, ErrMalformed},
		{"no such day", `a valid-after="20260231" ` + pub, ErrMalformed},
		{"trailing comma", `a namespaces="git", ` + pub, ErrMalformed},
		{"junk after value", `a namespaces="git"x ` + pub, ErrMalformed},
		{"unterminated value", `a namespaces="git ` + pub, ErrMalformed},
		{"quote inside principals", `a"b c" ` + pub, ErrMalformed},
		{"unterminated principals", `"a b ` + pub, ErrMalformed},
		{"quote glued to key", `"a b"` + pub, ErrMalformed},
		{"NUL byte", "a\x00b " + pub, ErrMalformed},
		{"carriage return inside", "a\rb " + pub, ErrMalformed},
		{"cert-authority any case", `a CERT-AUTHORITY ` + pub, ErrUnsupportedKey},
		{"identity key", `a ` + strings.TrimSpace(string(MarshalAuthorizedKey(identityKey, ""))), ErrWeakKey},
	} {
		_, err := ParseAllowedSigners([]byte("# first\n" + c.line + "\n"))
		var ae *AllowedSignersError
		if !errors.Is(err, c.want) || !errors.As(err, &ae) || ae.Line != 2 {
			t.Errorf("%s: %v, want %v on line 2", c.name, err, c.want)
		}
	}
}

func TestVerifySSHPatterns(t *testing.T) {
	priv := testKey("allowed")
	pub := strings.TrimSpace(string(MarshalAuthorizedKey(pubOf(priv), "")))
	msg := []byte("tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\n")
	sign := func(ns string) []byte {
		b, err := SignSSH(priv, ns, msg, "")
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	at := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name, line, principal, ns string
		at                        time.Time
		want                      error // nil: verifies
	}{
		{"everyone but mallory: alice", `*,!mallory@example.com ` + pub, "alice@example.com", "git", at, nil},
		{"everyone but mallory: mallory", `*,!mallory@example.com ` + pub, "mallory@example.com", "git", at, ErrUntrustedKey},
		{"no class: user1", `user[1]@example.com ` + pub, "user1@example.com", "git", at, ErrUntrustedKey},
		{"no class: literal", `user[1]@example.com ` + pub, "user[1]@example.com", "git", at, nil},
		{"namespaces all but git: git", `a namespaces="*,!git" ` + pub, "a", "git", at, ErrOutOfScope},
		{"namespaces all but git: file", `a namespaces="*,!git" ` + pub, "a", "file", at, nil},
		{"namespaces none", `a namespaces="" ` + pub, "a", "git", at, ErrOutOfScope},
		{"valid-before is inclusive", `a valid-before="20260601120000Z" ` + pub, "a", "git", at, nil},
		{"valid-before to the second", `a valid-before="20260601120000Z" ` + pub, "a", "git", at.Add(999 * time.Millisecond), nil},
		{"valid-before passed", `a valid-before="20260601120000Z" ` + pub, "a", "git", at.Add(time.Second), ErrExpired},
		{"valid-after is inclusive", `a valid-after="20260601120000Z" ` + pub, "a", "git", at, nil},
		{"valid-after not yet", `a valid-after="20260601120000Z" ` + pub, "a", "git", at.Add(-time.Nanosecond), ErrNotYetValid},
		{"a later line allows", "a namespaces=\"file\" " + pub + "\na namespaces=\"git\" " + pub, "a", "git", at, nil},
		{"NUL in principal", `* ` + pub, "a\x00b", "git", at, ErrMalformed},
	} {
		list, err := ParseAllowedSigners([]byte(c.line + "\n"))
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		_, err = list.VerifySSH(sign(c.ns), msg, c.principal, c.ns, c.at)
		if (c.want == nil) != (err == nil) || (c.want != nil && !errors.Is(err, c.want)) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
}

// BenchmarkMatchPatternList measures a usual list and the worst a hostile
// principal can do against a hostile pattern of OpenSSH's maximum length:
// the matcher is O(len(s)·len(pattern)), never exponential. (VerifySSH
// matches patterns only on lines naming the key that signed.)
func BenchmarkMatchPatternList(b *testing.B) {
	for _, c := range []struct {
		name, list, s string
		want          bool
	}{
		{"usual", "*@example.org,!mallory@example.org", "alice@example.org", true},
		{"stars-1KiB", strings.Repeat("*a", maxSSHPattern/2-1) + "b", strings.Repeat("a", 1024), false},
		{"star-run-1KiB", "*" + strings.Repeat("a", maxSSHPattern-3) + "b", strings.Repeat("a", 1024), false},
		{"star-run-64KiB", "*" + strings.Repeat("a", maxSSHPattern-3) + "b", strings.Repeat("a", 64<<10), false},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if matchPatternList(c.s, c.list) != c.want {
					b.Fatal("wrong answer")
				}
			}
		})
	}
}

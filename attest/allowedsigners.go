package attest

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"fmt"
	"strings"
	"time"
)

// AllowedSigner is one line of an OpenSSH allowed_signers file (see
// ssh-keygen(1), "ALLOWED SIGNERS"):
//
//	principals [options] keytype base64-key [comment]
//
// It is read as OpenSSH 9 reads it (sshsig.c, match.c):
//
//   - principals is a pattern-list (ssh_config(5), PATTERNS): comma-separated
//     patterns where * matches any run of bytes and ? any one byte; every
//     other byte, [ and ] included, stands for itself; a pattern prefixed
//     with ! is negated. A principal is allowed when some positive pattern
//     matches it and no negated one does, so "*,!mallory@example.com" lets
//     everyone but mallory in. Matching is case-sensitive and byte-wise. The
//     field may be enclosed in double quotes.
//   - options, comma-separated, names case-insensitive, each at most once:
//     namespaces="list" (a pattern-list too, matched against the
//     signature's namespace), valid-after="time" and valid-before="time",
//     time YYYYMMDD[HHMM[SS]] with an optional Z or UTC suffix. OpenSSH
//     reads a time without the suffix in the machine's zone; this package
//     never consults the machine's zone and reads it as UTC, so write the Z.
//     The key is valid at and after valid-after and at and before
//     valid-before, to the second. cert-authority lines are refused: only
//     plain Ed25519 keys are supported.
//
// Where OpenSSH skips a line it cannot read (logging an error), this
// package refuses the whole file, naming the line: a list that means less
// than its author thinks is a hole, not a convenience. Keys of small order
// or with a non-canonical encoding are refused too (CheckPublicKey), which
// OpenSSH does not do.
type AllowedSigner struct {
	// Principals are the patterns of the principals field, "!" kept.
	Principals []string
	// Namespaces are the patterns of namespaces=. Nil means the line has no
	// namespaces= option and allows any namespace; a non-nil empty list
	// (namespaces="") allows none.
	Namespaces  []string
	ValidAfter  time.Time // zero: no valid-after
	ValidBefore time.Time // zero: no valid-before
	Key         ed25519.PublicKey
	Line        int
}

// AllowedSigners is a parsed allowed_signers file.
type AllowedSigners []AllowedSigner

// AllowedSignersError names the line that could not be read.
type AllowedSignersError struct {
	Line int
	Err  error
}

func (e *AllowedSignersError) Error() string {
	return fmt.Sprintf("attest: allowed_signers line %d: %v", e.Line, e.Err)
}

func (e *AllowedSignersError) Unwrap() error { return e.Err }

// OpenSSH copies each pattern of a list into a 1024-byte buffer and fails
// the whole list when one does not fit; matchPatternList does the same so
// that no list matches here and not there.
const maxSSHPattern = 1023

// matchPatternList reports whether s matches the OpenSSH pattern-list list
// as OpenSSH's match_pattern_list does (case-sensitively): some positive
// pattern matches s and no negated ("!pattern") one does. Patterns are
// split at every comma, and a trailing comma adds no empty pattern.
func matchPatternList(s, list string) bool {
	return matchPatterns(s, splitPatternList(list))
}

// splitPatternList splits list at commas as OpenSSH's scanner does: an
// empty pattern between two commas or before the first counts, the one
// after a final comma does not.
func splitPatternList(list string) []string {
	if list == "" {
		return []string{}
	}
	return strings.Split(strings.TrimSuffix(list, ","), ",")
}

func matchPatterns(s string, patterns []string) bool {
	positive := false
	for _, p := range patterns {
		negated := strings.HasPrefix(p, "!")
		if negated {
			p = p[1:]
		}
		if len(p) >= maxSSHPattern {
			return false
		}
		if MatchPattern(s, p) {
			if negated {
				return false
			}
			positive = true
		}
	}
	return positive
}

// MatchPattern reports whether s matches one OpenSSH pattern (match.c's
// match_pattern), where * matches any run of bytes (the empty one too), ?
// any one byte, and every other byte only itself; there are no classes.
// Pattern-lists (commas, negation) are matched on top of it. It remembers the last * and retries from one byte further on
// failure, which is enough for patterns without classes and takes
// O(len(s)·len(pattern)) at worst: never exponential, as a backtracking
// matcher is on runs of stars.
func MatchPattern(s, pattern string) bool {
	si, pi := 0, 0
	star, resume := -1, 0
	for si < len(s) {
		switch {
		case pi < len(pattern) && pattern[pi] == '*':
			star, resume = pi, si
			pi++
		case pi < len(pattern) && (pattern[pi] == '?' || pattern[pi] == s[si]):
			si++
			pi++
		case star >= 0:
			resume++
			si, pi = resume, star+1
		default:
			return false
		}
	}
	for pi < len(pattern) && pattern[pi] == '*' {
		pi++
	}
	return pi == len(pattern)
}

// ParseAllowedSigners reads an allowed_signers file. Blank lines and
// comments (#) are skipped; any malformed line is an error naming it, a
// weak key one wrapping ErrWeakKey.
func ParseAllowedSigners(data []byte) (AllowedSigners, error) {
	var out AllowedSigners
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 4096), 64<<10)
	for n := 1; sc.Scan(); n++ {
		// OpenSSH skips spaces and tabs, not Unicode white space: a line
		// must not start with a principal it would read differently.
		line := strings.TrimRight(strings.TrimLeft(sc.Text(), " \t"), " \t\r")
		if line == "" || line[0] == '#' {
			continue
		}
		s, err := parseAllowedSigner(line)
		if err != nil {
			return nil, &AllowedSignersError{Line: n, Err: err}
		}
		s.Line = n
		out = append(out, s)
	}
	if err := sc.Err(); err != nil {
		return nil, &AllowedSignersError{Line: 0, Err: fmt.Errorf("%w: %v", ErrMalformed, err)}
	}
	return out, nil
}

func parseAllowedSigner(line string) (AllowedSigner, error) {
	var s AllowedSigner
	if strings.IndexByte(line, 0) >= 0 {
		// OpenSSH's strings end at a NUL: it would read less of the line.
		return s, fmt.Errorf("%w: NUL byte in line", ErrMalformed)
	}
	if strings.IndexByte(line, '\r') >= 0 {
		// OpenSSH ends the principals at a carriage return, this package
		// at a space or tab only; neither reading is worth guessing at.
		return s, fmt.Errorf("%w: carriage return inside the line", ErrMalformed)
	}
	principals, rest, err := principalsField(line)
	if err != nil {
		return s, err
	}
	s.Principals = splitPatternList(principals)
	if len(s.Principals) == 0 {
		return s, fmt.Errorf("%w: no principals", ErrMalformed)
	}
	// Options are present when the next field is not a key type.
	if f, after := optionsField(rest); f != "" && !strings.HasPrefix(f, "ssh-") && !strings.HasPrefix(f, "sk-") && !strings.HasPrefix(f, "ecdsa-") {
		if err := s.parseOptions(f); err != nil {
			return s, err
		}
		rest = after
	}
	keyType, rest := nextField(rest)
	keyData, _ := nextField(rest)
	if keyType == "" || keyData == "" {
		return s, fmt.Errorf("%w: missing key", ErrMalformed)
	}
	pub, err := ParsePublicKey([]byte(keyType + " " + keyData))
	if err != nil {
		return s, err
	}
	if err := CheckPublicKey(pub); err != nil {
		return s, err
	}
	s.Key = pub
	return s, nil
}

// principalsField splits off the principals, which may be enclosed in
// double quotes. OpenSSH also accepts a quote inside the field, joining the
// quoted part to what precedes it and starting the next field right after
// the closing quote; such a line is refused here rather than guessed at.
func principalsField(line string) (field, rest string, err error) {
	if strings.HasPrefix(line, `"`) {
		end := strings.IndexByte(line[1:], '"')
		if end < 0 {
			return "", "", fmt.Errorf("%w: principals: missing end quote", ErrMalformed)
		}
		field, rest = line[1:1+end], line[2+end:]
		if rest != "" && rest[0] != ' ' && rest[0] != '\t' {
			return "", "", fmt.Errorf("%w: principals: closing quote must be followed by a space", ErrMalformed)
		}
		return field, strings.TrimLeft(rest, " \t"), nil
	}
	field, rest = nextField(line)
	if strings.IndexByte(field, '"') >= 0 {
		return "", "", fmt.Errorf("%w: principals: a quote may only enclose the whole field", ErrMalformed)
	}
	return field, rest, nil
}

// nextField splits off one field ending at a space or tab.
func nextField(s string) (field, rest string) {
	s = strings.TrimLeft(s, " \t")
	if i := strings.IndexAny(s, " \t"); i >= 0 {
		return s[:i], s[i+1:]
	}
	return s, ""
}

// optionsField splits off the options field as OpenSSH does
// (sshkey_advance_past_options): it ends at a space or tab outside double
// quotes, and \" inside does not end a quote.
func optionsField(s string) (field, rest string) {
	s = strings.TrimLeft(s, " \t")
	quoted := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\' && i+1 < len(s) && s[i+1] == '"':
			i++
		case c == '"':
			quoted = !quoted
		case (c == ' ' || c == '\t') && !quoted:
			return s[:i], s[i+1:]
		}
	}
	return s, ""
}

// parseOptions reads the options field the way OpenSSH's sshsigopt_parse
// does: option after option, each followed by a comma or the end.
func (s *AllowedSigner) parseOptions(opts string) error {
	var seenAfter, seenBefore bool
	for opts != "" {
		name, value, err := nextOption(&opts)
		if err != nil {
			return err
		}
		switch name {
		case "":
			// OpenSSH passes over an empty option (two commas).
		case "cert-authority":
			return fmt.Errorf("%w: cert-authority lines are not supported (only plain Ed25519 keys)", ErrUnsupportedKey)
		case "namespaces":
			if s.Namespaces != nil {
				return fmt.Errorf("%w: option namespaces given twice", ErrMalformed)
			}
			s.Namespaces = splitPatternList(value)
		case "valid-after", "valid-before":
			seen, t := &seenAfter, &s.ValidAfter
			if name == "valid-before" {
				seen, t = &seenBefore, &s.ValidBefore
			}
			if *seen {
				return fmt.Errorf("%w: option %s given twice", ErrMalformed, name)
			}
			*seen = true
			if *t, err = parseSSHTime(value); err != nil {
				return fmt.Errorf("%w: option %s: %v", ErrMalformed, name, err)
			}
		}
		if opts == "" {
			break
		}
		if opts[0] != ',' {
			return fmt.Errorf("%w: unknown option at %q", ErrMalformed, opts)
		}
		if opts = opts[1:]; opts == "" {
			return fmt.Errorf("%w: options end with a comma", ErrMalformed)
		}
	}
	if seenAfter && seenBefore && !s.ValidBefore.After(s.ValidAfter) {
		return fmt.Errorf("%w: valid-before %s is not after valid-after %s", ErrMalformed,
			s.ValidBefore.Format(time.RFC3339), s.ValidAfter.Format(time.RFC3339))
	}
	return nil
}

// nextOption reads one option from the front of *opts: cert-authority, or
// one of the valued options with its dequoted value. An unknown option
// gives name "" and leaves *opts at it, for the caller to refuse.
func nextOption(opts *string) (name, value string, err error) {
	o := *opts
	if hasPrefixFold(o, "cert-authority") {
		*opts = o[len("cert-authority"):]
		return "cert-authority", "", nil
	}
	for _, n := range []string{"namespaces", "valid-after", "valid-before"} {
		if !hasPrefixFold(o, n+"=") {
			continue
		}
		value, rest, err := dequote(o[len(n)+1:])
		if err != nil {
			return "", "", fmt.Errorf("%w: option %s: %v", ErrMalformed, n, err)
		}
		*opts = rest
		return n, value, nil
	}
	return "", "", nil
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// dequote reads a double-quoted value in which \" stands for a quote.
func dequote(s string) (value, rest string, err error) {
	if !strings.HasPrefix(s, `"`) {
		return "", "", fmt.Errorf("value must be double-quoted")
	}
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		switch {
		case s[i] == '\\' && i+1 < len(s) && s[i+1] == '"':
			b.WriteByte('"')
			i++
		case s[i] == '"':
			return b.String(), s[i+1:], nil
		default:
			b.WriteByte(s[i])
		}
	}
	return "", "", fmt.Errorf("missing end quote")
}

// parseSSHTime reads YYYYMMDD[HHMM[SS]] with an optional Z or UTC suffix
// (either case), as OpenSSH's parse_absolute_time does, always in UTC.
// Like OpenSSH it refuses times at or before the Unix epoch.
func parseSSHTime(v string) (time.Time, error) {
	digits := v
	switch {
	case len(v) > 1 && (v[len(v)-1] == 'Z' || v[len(v)-1] == 'z'):
		digits = v[:len(v)-1]
	case len(v) > 3 && strings.EqualFold(v[len(v)-3:], "UTC"):
		digits = v[:len(v)-3]
	}
	for _, layout := range []string{"20060102150405", "200601021504", "20060102"} {
		if len(digits) != len(layout) {
			continue
		}
		if strings.Trim(digits, "0123456789") != "" {
			break
		}
		t, err := time.Parse(layout, digits)
		if err != nil {
			return time.Time{}, fmt.Errorf("time %q: %v", v, err)
		}
		if t.Unix() <= 0 {
			return time.Time{}, fmt.Errorf("time %q is not after 1970-01-01T00:00:00Z", v)
		}
		return t, nil
	}
	return time.Time{}, fmt.Errorf("time %q is not YYYYMMDD[HHMM[SS]][Z]", v)
}

// VerifySSH verifies an armored SSHSIG over message for principal in
// namespace at time at, as `ssh-keygen -Y verify -f allowed_signers -I
// principal -n namespace -Overify-time=at` does: the signature must verify
// under a key that is not weak, and some line of the list must match the
// principal (matchPatternList), hold the key, allow the namespace
// (matchPatternList again) and be valid at the second at falls in.
func (as AllowedSigners) VerifySSH(armored, message []byte, principal, namespace string, at time.Time) (*SSHSignature, error) {
	if strings.IndexByte(principal, 0) >= 0 {
		return nil, &VerifyError{Err: ErrMalformed, Detail: fmt.Sprintf("principal %q contains a NUL byte", principal)}
	}
	sig, err := ParseSSHSignature(armored)
	if err != nil {
		return nil, err
	}
	if err := sig.Verify(message, namespace); err != nil {
		return nil, err
	}
	id := sig.KeyID()
	// OpenSSH compares whole seconds (verify-time has no finer unit).
	sec := at.Unix()
	var refusal error = &VerifyError{Err: ErrUntrustedKey, KeyID: id, Detail: fmt.Sprintf("no allowed_signers line for principal %q with this key", principal)}
	for _, s := range as {
		// The key first: patterns then run only on lines naming a key that
		// made a valid signature, so no one outside the list can make its
		// patterns (O(len(principal)·len(pattern)) each) do work.
		if !s.Key.Equal(sig.PublicKey) || !matchPatterns(principal, s.Principals) {
			continue
		}
		if s.Namespaces != nil && !matchPatterns(namespace, s.Namespaces) {
			refusal = &VerifyError{Err: ErrOutOfScope, KeyID: id, Detail: fmt.Sprintf("allowed_signers line %d does not allow namespace %q", s.Line, namespace)}
			continue
		}
		if !s.ValidAfter.IsZero() && sec < s.ValidAfter.Unix() {
			refusal = &VerifyError{Err: ErrNotYetValid, KeyID: id, Detail: fmt.Sprintf("allowed_signers line %d valid from %s", s.Line, s.ValidAfter.Format(time.RFC3339))}
			continue
		}
		if !s.ValidBefore.IsZero() && sec > s.ValidBefore.Unix() {
			refusal = &VerifyError{Err: ErrExpired, KeyID: id, Detail: fmt.Sprintf("allowed_signers line %d valid until %s", s.Line, s.ValidBefore.Format(time.RFC3339))}
			continue
		}
		return sig, nil
	}
	return nil, refusal
}

package attest

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"fmt"
	"path"
	"slices"
	"strings"
	"time"
)

// AllowedSigner is one line of an OpenSSH allowed_signers file (see
// ssh-keygen(1), "ALLOWED SIGNERS"):
//
//	principals [options] keytype base64-key [comment]
//
// Principals are comma-separated patterns (* and ? wildcards). Options:
// namespaces="ns1,ns2", valid-after="YYYYMMDD[HHMM[SS]][Z]", valid-before=…
// (local time unless suffixed Z; this package reads them as UTC, since it
// never consults the machine's zone). cert-authority lines are refused:
// only plain Ed25519 keys are supported.
type AllowedSigner struct {
	Principals  []string
	Namespaces  []string // empty: any namespace
	ValidAfter  time.Time
	ValidBefore time.Time
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

// ParseAllowedSigners reads an allowed_signers file. Blank lines and
// comments (#) are skipped; any malformed line is an error naming it.
func ParseAllowedSigners(data []byte) (AllowedSigners, error) {
	var out AllowedSigners
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 4096), 64<<10)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
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
	principals, rest := nextField(line)
	if principals == "" {
		return s, fmt.Errorf("%w: no principals", ErrMalformed)
	}
	s.Principals = strings.Split(principals, ",")
	// Options are present when the next field is not a key type.
	if f, after := nextField(rest); f != "" && !strings.HasPrefix(f, "ssh-") && !strings.HasPrefix(f, "sk-") && !strings.HasPrefix(f, "ecdsa-") {
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
	s.Key = pub
	return s, nil
}

// nextField splits off one whitespace-separated field, honouring double
// quotes so an option value may contain spaces.
func nextField(s string) (field, rest string) {
	s = strings.TrimLeft(s, " \t")
	inQuote := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"':
			inQuote = !inQuote
		case (c == ' ' || c == '\t') && !inQuote:
			return s[:i], s[i+1:]
		}
	}
	return s, ""
}

func (s *AllowedSigner) parseOptions(opts string) error {
	for opt := range splitOptions(opts) {
		name, value, hasValue := strings.Cut(opt, "=")
		name = strings.ToLower(name)
		if hasValue {
			if len(value) < 2 || value[0] != '"' || value[len(value)-1] != '"' {
				return fmt.Errorf("%w: option %s: value must be double-quoted", ErrMalformed, name)
			}
			value = value[1 : len(value)-1]
		}
		var err error
		switch name {
		case "cert-authority":
			return fmt.Errorf("%w: cert-authority lines are not supported (only plain Ed25519 keys)", ErrUnsupportedKey)
		case "namespaces":
			s.Namespaces = strings.Split(value, ",")
		case "valid-after":
			s.ValidAfter, err = parseSSHTime(value)
		case "valid-before":
			s.ValidBefore, err = parseSSHTime(value)
		default:
			return fmt.Errorf("%w: unknown option %q", ErrMalformed, name)
		}
		if err != nil {
			return fmt.Errorf("%w: option %s: %v", ErrMalformed, name, err)
		}
	}
	return nil
}

// splitOptions yields comma-separated options, commas inside quotes kept.
func splitOptions(s string) func(func(string) bool) {
	return func(yield func(string) bool) {
		start, inQuote := 0, false
		for i := 0; i <= len(s); i++ {
			if i == len(s) || (s[i] == ',' && !inQuote) {
				if !yield(s[start:i]) {
					return
				}
				start = i + 1
				continue
			}
			if s[i] == '"' {
				inQuote = !inQuote
			}
		}
	}
}

func parseSSHTime(v string) (time.Time, error) {
	v = strings.TrimSuffix(v, "Z")
	for _, layout := range []string{"20060102150405", "200601021504", "20060102"} {
		if len(v) == len(layout) {
			return time.Parse(layout, v)
		}
	}
	return time.Time{}, fmt.Errorf("time %q is not YYYYMMDD[HHMM[SS]][Z]", v)
}

// VerifySSH verifies an armored SSHSIG over message for principal in
// namespace at time at, as `ssh-keygen -Y verify -f allowed_signers -I
// principal -n namespace` does: the signature must verify and some line of
// the list must match the principal, the key, the namespace and the time.
func (as AllowedSigners) VerifySSH(armored, message []byte, principal, namespace string, at time.Time) (*SSHSignature, error) {
	sig, err := ParseSSHSignature(armored)
	if err != nil {
		return nil, err
	}
	if err := sig.Verify(message, namespace); err != nil {
		return nil, err
	}
	id := sig.KeyID()
	var refusal error = &VerifyError{Err: ErrUntrustedKey, KeyID: id, Detail: fmt.Sprintf("no allowed_signers line for principal %q with this key", principal)}
	for _, s := range as {
		if !s.Key.Equal(sig.PublicKey) || !slices.ContainsFunc(s.Principals, func(p string) bool { ok, _ := path.Match(p, principal); return ok }) {
			continue
		}
		if len(s.Namespaces) > 0 && !slices.ContainsFunc(s.Namespaces, func(p string) bool { ok, _ := path.Match(p, namespace); return ok }) {
			refusal = &VerifyError{Err: ErrOutOfScope, KeyID: id, Detail: fmt.Sprintf("allowed_signers line %d does not allow namespace %q", s.Line, namespace)}
			continue
		}
		if !s.ValidAfter.IsZero() && at.Before(s.ValidAfter) {
			refusal = &VerifyError{Err: ErrNotYetValid, KeyID: id, Detail: fmt.Sprintf("allowed_signers line %d valid after %s", s.Line, s.ValidAfter.Format(time.RFC3339))}
			continue
		}
		if !s.ValidBefore.IsZero() && !at.Before(s.ValidBefore) {
			refusal = &VerifyError{Err: ErrExpired, KeyID: id, Detail: fmt.Sprintf("allowed_signers line %d valid before %s", s.Line, s.ValidBefore.Format(time.RFC3339))}
			continue
		}
		return sig, nil
	}
	return nil, refusal
}

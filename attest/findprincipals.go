package attest

import (
	"crypto/ed25519"
	"time"
)

// FindPrincipals returns the principals allowed to sign with key at time
// at, as `ssh-keygen -Y find-principals -f allowed_signers -s SIG
// -Overify-time=at` prints them (OpenSSH 9.2): the principals field of the
// first line that holds key and is valid at the second at falls in, one
// pattern per element, in the order written. Namespaces are not
// consulted, as ssh-keygen does not consult them here; VerifySSH does,
// for each principal in turn, which is how `git verify-commit` uses the
// answer. It returns nil when no line matches.
//
// The elements are patterns as written ("*@example.com" among them): they
// name who may sign, not who signed, so a caller that maps a key to one
// person must not read a pattern as an address.
func (as AllowedSigners) FindPrincipals(key ed25519.PublicKey, at time.Time) []string {
	sec := at.Unix()
	for _, s := range as {
		if !s.Key.Equal(key) {
			continue
		}
		if !s.ValidAfter.IsZero() && sec < s.ValidAfter.Unix() {
			continue
		}
		if !s.ValidBefore.IsZero() && sec > s.ValidBefore.Unix() {
			continue
		}
		return append([]string(nil), s.Principals...)
	}
	return nil
}

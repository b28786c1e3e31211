// Package gitlog counts a commons' contributions from its git history:
// it verifies SSH-signed commits and tags as git does, reads the history
// by running git, applies contribution rules published as data, and
// produces contribution statements that anyone with a clone can recheck.
//
// # Signed commits and tags
//
// A commit signed with gpg.format=ssh carries its SSHSIG (namespace "git")
// in a "gpgsig" header whose continuation lines start with a space; the
// signed message is the object without that header (and without any other
// gpgsig-* header). A signed tag carries the signature after its message,
// from the last line that begins a signature. ParseObject splits an object
// that way and Verify checks it against an allowed_signers file as `git
// verify-commit` does with OpenSSH 9.2: the principals of the signing key
// valid at the committer's (tagger's) date, then `ssh-keygen -Y verify`
// for each (attest.FindPrincipals, attest.AllowedSigners.VerifySSH).
// StatusOf gives the verdict in git's %G? letters; the tests put every
// case (good, tampered, grafted signature, unknown key, expired and
// not-yet-valid keys to the second, refused namespace, unsigned, tags) to
// the real git and require the same letter.
//
// The signing time git uses is the committer date, which the signer wrote.
// A key whose allowed_signers line has expired can still make commits
// dated before the expiry that verify; git means valid-before as key
// rotation, not revocation. Who vouches for when a commit was first seen
// is the steward whose signed statement counts it (see the ledger's
// first-seen rule).
package gitlog

// Package gitlog counts a commons' contributions from its git history:
// it verifies SSH-signed commits and tags as git does, reads the history
// by running git, applies contribution rules the commons publishes as
// data, and produces contribution statements that anyone with a clone can
// recheck.
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
// valid at the committer's (tagger's) date, then `ssh-keygen -Y verify -n
// git` for each (attest.FindPrincipals, attest.AllowedSigners.VerifySSH).
// StatusOf gives the verdict in git's %G? letters; the tests put every
// case (good, tampered, grafted signature, unknown key, expired and
// not-yet-valid keys to the second, refused namespace, unsigned, tags) to
// the real git and require the same letter. Where git would concatenate
// two gpgsig headers this package refuses the commit; a commit without a
// committer date is refused rather than verified at a clock it does not
// read. Only SHA-1 repositories are read.
//
// The signing time git uses is the committer date, which the signer wrote.
// A key whose allowed_signers line has expired can still make commits
// dated before the expiry that verify; git means valid-before as key
// rotation, not revocation. Who vouches for when a commit was first seen
// is the steward whose signed statement counts it (the ledger's first-seen
// rule then applies to that statement).
//
// # Rules
//
// ParseRules reads the rules document (see Rules for every member): which
// refs count, what a commit is worth and how it is capped, path weights,
// merges, excluded authors, how co-authors share, whether unsigned commits
// count, and the kind. It is read strictly (internal/canonjson) and every
// refusal is an *Error with the JSON pointer of the value at fault. The
// rules' Digest, of their canonical JSON, is cited by every contribution
// made under them.
//
// # Counting
//
// Import runs `git log -z --numstat` (or --name-only, or no diff, as the
// rules need) and one `git cat-file --batch` side by side, parses each
// commit object, and hands it to Counter.Count. A commit's author is the
// mailmapped one (.mailmap applies, as in git log). The author's key is,
// in order:
//
//  1. the commit's own signing key, when the signature is Good and the
//     key's allowed_signers line names the author's address literally
//     (the signer is whoever ran git commit -S; a maintainer signing a
//     patch he applied does not get its credit);
//  2. the key of the first allowed_signers line, valid at the author date
//     and allowing namespace git, whose principals name the author's
//     address literally: the address in the object first, the mailmapped
//     one only when that finds none (.mailmap is a file any commit may
//     change; it must not move credit away from the address a key
//     names). A pattern such as *@example.com vouches for signatures, not
//     for whose key is whose.
//
// excludeAuthors applies to both the original and the mailmapped author.
// Co-authors are found by address the second way. A person without a key
// is listed among the skips with the share that was not counted; the
// share is not handed to the others. Each contribution is dated at the
// author date and names "gitCommit:<sha1>" and "gitRules:<digest>" in its
// evidence. Statements gives one contribution statement each, canonical
// JSON, so the same commit under the same rules always gives the same
// statement digest and a re-run adds nothing.
//
// Import refuses a shallow clone (its oldest commit would be worth its
// whole tree) and reads no replace objects or grafts: what counts is what
// the objects say, as anyone's full clone shows it.
//
// # Rechecking
//
// Recheck compares what statements claim (ClaimOf) with what Import shows
// and lists each statement claiming more: a commit or contributor the
// history does not credit, another commons, kind, unit, date or rules, or
// a quantity above the commit's; claims on one commit by one contributor
// are summed over statements, so splitting one commit's worth into
// several statements is caught too.
package gitlog

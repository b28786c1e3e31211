// Package manifest reads, verifies and signs commons manifests, and derives
// from them the configuration every program of a commons needs.
//
// A commons manifest is the document a commons' for-benefit association
// publishes and signs: who the commons is, its license terms, which keys
// hold which role, which other commons it recognises and at what weight, how
// it pays contributors back and whether self-declared facts count. Each
// version is signed by the association's root keys. A marketplace holding
// the manifests of many commons calls Derive once and gets, per commons, the
// attest.Trust, the contribution.Commons with its recognised peers and the
// policy.Config: nothing is listed twice, so a Ledger and an Evaluator
// built from manifests cannot disagree about stewards or recognition.
//
// # Format
//
// A manifest is an in-toto Statement v1 in a DSSE envelope (see package
// attest), with one subject, "commons:<id>", and predicate type
//
//	https://github.com/peerproduction/ppl/predicates/commons-manifest/v1
//
// The predicate is a JSON object; Schema returns its JSON Schema (draft
// 2020-12). An example, with key lines shortened:
//
//	{
//	  "id": "alpha",                      // [a-z0-9]+([._-][a-z0-9]+)*, ≤ 128 bytes
//	  "name": "Alpha",
//	  "homepage": "https://alpha.example",
//	  "repository": "https://git.example/alpha",
//	  "version": 2,                       // 1, 2, 3 …
//	  "issuedAt": "2026-03-01T00:00:00Z", // RFC 3339
//	  "expires": "2027-03-01T00:00:00Z",
//	  "terms": {"builtin": "ppl-reciprocity", "spdx": "LicenseRef-ppl-reciprocity",
//	            "digest": "sha256:…"},
//	  "roles": {
//	    "root": {"threshold": 2, "keys": [
//	      {"key": "ssh-ed25519 AAAAC3… ada@alpha"},
//	      {"key": "ssh-ed25519 AAAAC3… bo@alpha", "id": "SHA256:…"},
//	      {"key": "ssh-ed25519 AAAAC3… cy@alpha"}]},
//	    "stewards": [{"key": "ssh-ed25519 AAAAC3… steward", "from": "2026-03-01T00:00:00Z"}],
//	    "registrars": [{"key": "ssh-ed25519 AAAAC3… registrar"}],
//	    "grantSigners": [{"key": "ssh-ed25519 AAAAC3… market", "until": "2028-01-01T00:00:00Z"}],
//	    "revokers": [{"key": "ssh-ed25519 AAAAC3… revoker"}]
//	  },
//	  "recognises": [{"commons": "beta", "version": 3, "weight": 0.5},
//	                 {"commons": "gamma", "manifest": "sha256:…", "weight": 1}],
//	  "payout": {"currency": "EUR", "association": "alpha-association", "associationBP": 1000,
//	             "windowDays": 365, "halfLifeDays": 180, "kindWeights": {"code": 1, "docs": 0.5},
//	             "includeRecognised": true, "minimumPayout": 500,
//	             "signers": [{"key": "ssh-ed25519 AAAAC3… treasurer"}]},
//	  "policy": {"acceptSelfDeclared": false}
//	}
//
// The members:
//
//   - terms: either "builtin", an id of license.Builtins, with "spdx" its
//     SPDX License List identifier (PPL, Parity-7.0.0,
//     PolyForm-Noncommercial-1.0.0, PolyForm-Small-Business-1.0.0, BUSL-1.1,
//     CC-BY-NC-SA-4.0) or, for terms the list does not hold, a LicenseRef-
//     id (LicenseRef-ppl-reciprocity; SPDX gives each); or "inline",
//     a terms document as license.Parse reads it, with an optional "spdx".
//     "digest" is always present and must equal license.Terms.Digest of the
//     terms: a reader whose built-in terms differ refuses the manifest rather
//     than decide under other terms.
//   - roles: each key is an OpenSSH public key line ("ssh-ed25519 <base64>
//     [comment]"; only Ed25519), with an optional "id" (its attest.KeyID,
//     what `ssh-keygen -l` prints) that must match, and an optional window
//     "from" (inclusive) and "until" (exclusive). A key appears once per
//     role. root's threshold is at most the number of root keys. Stewards
//     attest contributions to this commons; registrars attest entity facts,
//     named facts, control and memberships (entity:*); grant signers are the
//     marketplaces that may sign grants for this commons; revokers may
//     revoke keys and statements.
//   - recognises: each recognised commons by id, with "version", the least
//     version of its manifest accepted, and/or "manifest", the digest of a
//     version of it its chain must pass through; "weight" is a decimal with
//     at most three places in (0, 1000], read as license.Milli: 0.5 is 500
//     thousandths, the unit of contribution.Recognition.Weight. A commons
//     cannot recognise itself or another twice.
//   - payout: payout.Plan's fields. associationBP is in basis points;
//     kindWeights are decimals like weights; minimumPayout is in minor units
//     of currency (ISO 4217); signers may sign payout statements.
//   - version counts from 1; expires is after issuedAt.
//
// Parsing is strict: no duplicate member names at any depth, no unknown
// members, no trailing data, valid UTF-8 (internal/canonjson), then the
// schema, then the checks a schema cannot make. Every refusal is an *Error
// wrapping a sentinel (ErrMalformed, ErrTerms, ErrKey, ErrDuplicateKey,
// ErrThreshold, ErrDuplicate …) with the JSON pointer into the predicate,
// the commons, version, manifest digest and key id where known. A
// manifest's digest is attest.Digest of the statement payload: what pins
// and recognitions name.
//
// # Verifying a chain
//
// The rules are TUF's for root metadata. A Chain starts with Open:
//
//  1. Version 1 is trusted on first use, or any version is trusted because
//     its digest is pinned (a marketplace pins what it audited).
//  2. It must be signed by RootThreshold distinct keys of its own root role.
//
// Chain.Update then accepts version N+1 only if:
//
//  3. it is for the same commons (ErrWrongCommons);
//  4. its version is exactly N+1: lower is a rollback (ErrRollback), the
//     same version with another digest a fork (ErrFork), higher a skip
//     (ErrSkippedVersion) — every version is fetched and verified in turn;
//  5. it is issued after version N (ErrRollback);
//  6. it is signed by a threshold of version N's root keys and by a
//     threshold of its own (ErrThreshold): keys rotate, each version
//     vouching for the next, and only version N's keys, never an older
//     version's, vouch for N+1. A threshold counts distinct public keys
//     (attest.Trust does the counting), so a key signing twice counts once;
//     a root key's window is judged at the issue time of the version it
//     signs. That time is written by the signers, bounded below by the
//     previous version's: a root key's "until" retires it only as far as
//     the threshold of the other root keys holds; rotate a key out to be
//     rid of it.
//
// Expiry is judged only of the version a chain ends on, at the time the
// caller passes (Chain.Current, Load, Derive; nothing reads a clock): an
// expired latest version is refused (ErrExpired), so whoever withholds newer
// versions (a freeze attack) can stop a client but not keep it on stale keys.
// Intermediate versions may have expired.
//
// # Deriving configuration
//
// Derive takes the chains of every commons a program serves and gives each
// its Config. Roles come from the latest version, with one allowance for
// time: a key that held a role in an earlier version holds it, in the Trust,
// for the time that version was current (from its issue, or open for the
// first version the chain holds, until the next version's issue; narrowed
// by the key's own window). Since attest judges rule windows at the time a statement was
// first seen, revoking a steward is publishing a version without it: what
// a recorder saw it sign before keeps counting, nothing first seen after
// does, however it is dated. Revocation statements by a revoker withdraw
// earlier statements too.
//
// For commons alpha the Trust holds: alpha's stewards for contributions
// about commons:alpha; registrars for entity, membership, fact and control
// statements about entity:*; grant signers for grants about commons:alpha
// and entity:*; revokers for revocations of key:* and statement:*; payout
// signers for payout statements about commons:alpha. For each commons alpha
// recognises, that commons' own stewards for contributions about it alone,
// and its revokers for revocations of those stewards' keys only.
//
// Recognition is resolved among the chains given: the recognised commons'
// chain must be held at the version named or through the digest named,
// and be in force. Recognition is directed and not transitive: alpha
// recognising beta at 0.5 and beta recognising gamma counts beta's
// contributions at 0.5 for alpha and gamma's not at all; weights never
// multiply along a path; a ring alpha → beta → gamma → alpha is resolved one
// step from each commons and never followed. Peers are the recognised
// commons' own records, the same value each gets as a Config of its own, so
// registering several Configs in one contribution.Ledger (Config.Register)
// gives each commons once.
package manifest

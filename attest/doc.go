// Package attest issues and verifies the signed statements everything else
// in ppl counts: Ed25519 keys, in-toto statements in DSSE envelopes, SSH
// signatures, and a trust model that says who may attest what.
//
// # Keys
//
// Only Ed25519. Keys load from raw bytes (a 32-byte seed or public key, or
// a 64-byte private key), PKCS#8/PKIX PEM (what `openssl genpkey -algorithm
// ed25519` and `openssl pkey -pubout` write) and OpenSSH (`ssh-keygen -t
// ed25519` private keys, encrypted ones with a passphrase; .pub files and
// authorized_keys lines); they are written in those formats too. A key id
// is the OpenSSH SHA256 fingerprint, "SHA256:" and the unpadded base64 of
// the SHA-256 of the SSH wire public key, exactly what `ssh-keygen -l`
// prints, so people can compare ids by eye. Other key types are refused by
// name. Signing goes through crypto.Signer, so keys may live in an agent or
// HSM; AgentSigner signs with a key an ssh-agent holds, and checks each
// signature the agent returns. Keys of small order or non-canonical encoding (CheckPublicKey) are
// refused on every path that takes a key: when they enter a Trust, on an
// allowed_signers line, by SSHSignature.Verify and by Envelope.SignedBy,
// with ErrWeakKey. crypto/ed25519 accepts signatures under some of them
// that anyone can make: under the identity point, R = identity and S = 0
// verifies for every message (and `ssh-keygen -Y verify` 9.2 accepts it).
//
// # Statements and envelopes
//
// A statement is an in-toto Statement v1:
//
//	{"_type":"https://in-toto.io/Statement/v1",
//	 "subject":[{"name":"commons:alpha","digest":{"sha256":"…"}}],
//	 "predicateType":"https://github.com/peerproduction/ppl/predicates/…/v1",
//	 "predicate":{…}}
//
// Subjects name what the statement is about, "commons:<id>" or
// "entity:<id>" (the digest is the SHA-256 of the name; see
// Identifiers), and trust rules are scoped by them. Predicates are opaque
// here; the packages that own a predicate type decode it
// (Statement.DecodePredicate). A predicate may carry "validFrom" and
// "validUntil" (RFC 3339); Verify honours them.
// Statements made here are canonical JSON (RFC 8785).
//
// Member names are read after unescaping ("valid\u0055ntil" is
// validUntil). Unknown members of envelopes and statements are ignored, as
// DSSE and in-toto require, but a name differing from a known one only in
// case ("PredicateType", "VALIDUNTIL", "\u017fig" with a long s) is refused
// as malformed: readers built on encoding/json would read it as that
// member, so ignoring it would read a signed payload differently.
//
// A statement travels in a DSSE envelope
//
//	{"payloadType":"application/vnd.in-toto+json","payload":"<base64>",
//	 "signatures":[{"keyid":"SHA256:…","sig":"<base64>"}]}
//
// whose signatures are over PAE(payloadType, payload) =
// "DSSEv1" SP len(type) SP type SP len(payload) SP payload. An envelope may
// carry several signatures (at most MaxSignatures, 16: a threshold of
// stewards and a co-signer or two fit many times over); the keyid is a
// hint and is never trusted: a
// signature counts only if it verifies under a trusted key. A keyid in the
// fingerprint form that names no trusted key marks a signer this Trust does
// not hold (a co-signer), and its signature is not tried against other
// keys; any other keyid, or none, is tried against every trusted key,
// within the bound below. A
// statement is identified by its Digest, "sha256:<hex>" of the payload
// bytes, which is not malleable the way the envelope is.
//
// # Identifiers
//
// Commons and entity ids have one grammar, checked wherever an id enters
// (CheckID: NewStatement, the predicates' decoders in contribution, policy
// requests, the ppl tool's flags):
//
//	id    = alnum+ ( ("." | "-" | "_") alnum+ )*     1 to MaxIDLen (128) bytes
//	alnum = "a"…"z" | "0"…"9"
//
// so "alpha", "makers-coop", "org.example.cad" and "3d-printing" are ids,
// and "Acme", "café", "-x", "a..b", "a:b" are not. Ids are ASCII on purpose:
// an id is a key that people compare by eye and that stores, logs and
// other implementations compare by bytes. With Unicode, "аcme" (Cyrillic
// а) passes for "acme", "é" has two encodings (NFC and NFD) that look the
// same and differ in bytes, bidi controls reorder what a terminal shows
// and zero-width characters hide; handling that needs normalization and
// confusable tables no verifier can be sure another shares. Lower case
// only, so that no two ids differ just by case in a store that folds it.
// Names meant for people (Commons.Name, Entity.Name) carry any text; ids
// do not. Nothing is repaired: invalid UTF-8 is refused, never turned into
// U+FFFD, and an *IDError (wrapping ErrInvalidID) names the id, where it
// was, the byte offset and what is there ("bidi control U+202E at byte 4",
// "upper-case 'A' at byte 0").
//
// A subject name is one of
//
//	commons:<id>   entity:<id>   key:<key id>   statement:sha256:<64 lower-case hex>
//
// (CheckSubject), the key id being what KeyID returns (CheckKeyID) and the
// digest what Digest returns. A Rule's subject pattern is a subject name,
// a kind and "*" ("commons:*": every commons id), or "*" (every subject);
// a "*" for part of an id ("commons:be*") is refused by NewTrust and
// Trust.Add (CheckSubjectPattern), since trusting a key for a prefix would
// extend its trust to every id someone registers later. A pattern never
// covers a subject outside the grammar: "entity:*" does not cover
// "entity:", "entity:\x00" or "entity:Acme", so a statement about one is
// out of every key's scope.
//
// # Verifying
//
// Trust.Verify returns only verified data: the envelope is read strictly,
// signatures are checked against trusted keys, and only then is the
// payload parsed, from exactly the bytes that were signed. The caller pins
// the payload and predicate types and the time (there is no hidden clock
// and no built-in skew allowance). A threshold counts distinct public keys,
// never key ids or signature strings. A key counts only if one of its rules
// covers the predicate type and every subject, and it is not revoked, at
// the time the statement was first seen (see Revocation); the statement
// must not be revoked and its own window must cover the time. Every
// refusal is a *VerifyError wrapping a sentinel (ErrBadSignature,
// ErrUntrustedKey, ErrOutOfScope, ErrRevoked, ErrExpired, ErrNotYetValid,
// ErrMalformed, ErrWrongType, ErrThreshold, ErrTooLarge; ErrConfig for the
// caller's own mistakes, such as options without a time) with the key id
// and statement digest. A zero Trust is an empty keyring. Signature checks are cached by
// envelope bytes and trust generation; scope, time and revocation are
// judged on every call, and each answer says how long it holds (Holds).
// Trust.VerifyAll verifies many envelopes under one read of the Trust,
// with the same answers.
//
// The signature check is crypto/ed25519.Verify's, the cofactorless
// equation [S]B = R + [k]A of RFC 8032 §5.1.7 with S < L required, run
// step for step on filippo.io/edwards25519 with each trusted key's point
// decoded once (verifykey.go); the package has no curve arithmetic of its
// own. It is not a cofactored or batch equation: those accept signatures
// that crypto/ed25519 and other DSSE verifiers refuse. The published
// vectors and a differential fuzz test against crypto/ed25519 hold it to
// the same answers, and TestSpeccheck records how it answers each
// ed25519-speccheck case. CheckPublicKey decodes a key with
// filippo.io/edwards25519, requires re-encoding to give the same bytes,
// and refuses a point whose cofactor multiple is the identity.
//
// # Bounds
//
// What an anonymous client can send costs a bounded amount. An envelope
// is at most VerifyOptions.MaxBytes (DefaultMaxEnvelopeBytes, 1 MiB) and
// carries at most MaxSignatures signatures; more is ErrTooLarge. Before
// any signature is checked, the checks an envelope asks for are counted:
// one for a signature whose keyid names a trusted key, none for a
// fingerprint of a key the Trust does not hold, and one per trusted key
// for any other. Each check costs hashing the PAE bytes plus the curve
// arithmetic (counted as 32 KiB), and an envelope may ask for 2 MiB in
// all: about sixty checks of a 1 KiB statement, so one keyid-less
// signature is tried against a Trust of up to sixty keys, and two
// signatures of the largest statement a 1 MiB envelope holds (about 768
// KiB); one check is always allowed, for callers that raise MaxBytes.
// Beyond that the envelope is refused
// with ErrTooLarge, whichever signatures are valid, and the error says to
// give each signature its signer's keyid. The verification cache holds at
// most 16,384 entries and 64 MiB; a refusal keeps only its error and the
// SHA-256 of the envelope, never the envelope (one whose error would
// quote more than 1 KiB of it is not cached). Against 50 trusted keys no
// envelope of 1 MiB costs more than a few milliseconds of CPU to refuse
// (BenchmarkRefuseHostile), and 10,000 distinct refused envelopes of 1 MiB
// grow the heap by a few MiB (BenchmarkRefusedHeap).
//
// # Revocation
//
// A revocation is itself a statement (RevocationPredicateType) withdrawing
// a key from a time on (subject "key:<key id>") or one statement (subject
// "statement:<digest>"). Being trusted for that predicate type and subject
// is the permission to revoke; Trust.Revoke verifies and applies it. A
// malformed subject (an upper-case digest, a key id not in key-id form) is
// refused, since it would revoke nothing.
//
// A key's standing is judged at the time its statement was first seen,
// not at a date the signer wrote: VerifyOptions.FirstSeen is when a
// recorder the caller trusts (a ledger, an evidence log) first recorded
// the statement, and a key revoked from T keeps the statements recorded
// before T and gains none recorded after, however they are dated (a thief
// backdates). A rule's From and Until are judged at the same instant.
// Without a recorder (FirstSeen zero) the statement is seen now, at
// VerifyOptions.Time. Verified.FirstSeen reports the instant used, for the
// recorder to keep; contribution.Ledger keeps it and applies key
// revocations by it.
//
// # SSH signatures
//
// SignSSH and ParseSSHSignature implement OpenSSH's PROTOCOL.sshsig for
// Ed25519 with sha512 or sha256: `ssh-keygen -Y sign -n <namespace>` output
// verifies here and ours verifies with `ssh-keygen -Y verify`. ppl signs
// under SSHNamespace ("ppl@peerproduction").
// AllowedSigners reads allowed_signers files (principals, namespaces,
// valid-after, valid-before) and VerifySSH checks a signature against one
// as `ssh-keygen -Y verify -I <principal>` does. Principals and namespaces
// are OpenSSH pattern-lists: * and ? match bytes, there are no [classes],
// and a matching negated pattern ("*,!mallory@example.com") fails the
// list. See AllowedSigner for the line syntax and where this package is
// stricter than OpenSSH; the tests put every pattern case to the real
// ssh-keygen, in both directions.
//
// # What it does not do
//
// Verification says who signed what and whether the signer was trusted for
// it then; it does not say the statement is true (a steward's judgement is
// the steward's). It reads no clock and allows no skew: the caller says
// the time, and the first-seen time, and answers for them. It fetches
// nothing: revocations count once applied to the Trust. It takes Ed25519
// only, no SSH certificates (cert-authority lines are refused) and no
// other key types, and never trusts a keyid, a signature count or a key
// that merely decodes. It does not make batch or cofactored checks, and it
// keeps no signature bytes of a refused envelope.
package attest

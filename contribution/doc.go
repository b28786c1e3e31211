// Package contribution models commons, contributors, entities, memberships
// and contributions; reads them from verified attestations; and keeps a
// ledger that says, fast and exactly, how much an entity has contributed.
//
// # Model
//
// A Commons has stewards (key ids) who attest contributions to it, and
// recognises other commons at a weight: a contribution to a recognised
// commons counts at that weight, attested by that commons' own stewards.
// A Contributor is identified by the key id (attest.KeyID, the OpenSSH
// SHA256 fingerprint) of their Ed25519 key. An Entity is the party a license
// decision is about; each of its facts (kind, worker-owned, surplus to
// workers, headcount, annual revenue in integer minor units and an ISO 4217
// code) carries its Provenance: the statement digest and signer, and whether
// the entity declared it about itself. A Membership ties a contributor to an
// entity for [From, Until). A Contribution is made to one commons by one
// contributor, optionally for a named entity, of a kind, with a Quantity in
// thousandths of its unit, dated At (for work over a period, From..At, dated
// at its end), with evidence references and the digest of its statement.
//
// Points and weights are int64 thousandths (Points(1000) is one point;
// weight 1000 is ×1). No float is used anywhere, so every platform gets the
// same bits.
//
// # Predicates
//
// Three in-toto predicate types, each with a JSON Schema embedded in the
// package (Schema returns it) and read strictly (internal/canonjson: no
// duplicate keys, no unknown fields), then validated by the schema:
//
//	https://github.com/peerproduction/ppl/predicates/contribution/v1
//	  {"commons","contributor":"SHA256:…","entity"?,"kind":"code","quantity":"1.5",
//	   "unit","from"?,"at","evidence"?:[…]}          subject commons:<commons>
//	https://github.com/peerproduction/ppl/predicates/membership/v1
//	  {"entity","memberKey":"<32-byte key, std base64>","role"?,"from","until"?}
//	                                                  subject entity:<entity>
//	https://github.com/peerproduction/ppl/predicates/entity/v1
//	  {"entity","name"?,"key"?:"SHA256:…","kind"?,"workerOwned"?,"surplusToWorkers"?,
//	   "headcount"?,"annualRevenue"?:{"amount","currency"},"asOf"}
//	                                                  subject entity:<entity>
//
// Commons and entity ids follow attest's one grammar (attest.CheckID:
// lower-case ASCII letters and digits, with '.', '-' and '_' between them,
// at most 128 bytes; why ASCII is in attest's doc), and contributor and
// entity keys are key ids (attest.CheckKeyID); the decoders and builders
// refuse any other with ErrSchema at the member's pointer, the
// *attest.IDError behind it saying which byte is wrong and why. Times are
// RFC 3339; quantities are decimal strings with at most three decimals, at
// most MaxQuantity. All three accept attest's optional
// validFrom/validUntil. Who must sign, checked by the decoders on top of
// attest's Trust:
//
//   - a contribution (DecodeContribution): the subject names the predicate's
//     commons, the commons is known to the Registry, and a steward of it is
//     among the verified signers;
//   - a membership (DecodeMembership): a key trusted for entity:<id> and the
//     member's own key (memberKey; the member's id is its key id), both in one
//     envelope, so no entity can claim someone else's work. A member key of
//     small order or non-canonical encoding (attest.CheckPublicKey), under
//     which anyone can forge the co-signature, is refused with
//     attest.ErrWeakKey;
//   - entity facts (DecodeEntity): a key trusted for entity:<id> and this
//     predicate. Facts are marked SelfDeclared when the signer is the entity's
//     own key (the predicate's "key", or keys the caller names); a registrar's
//     signature, when present, is preferred.
//
// Failures are *Error values carrying the statement digest, a JSON pointer
// into the predicate and the key id, wrapping one of the Err sentinels.
// Nothing is ingested unless every check passes. The New*Statement builders
// make statements that pass the same checks, ready for attest.SignStatement.
//
// # Counting
//
// Ledger.Reciprocity(Query) sums, for entity E as seen at time At, the
// contributions of each member of E made while a member (memberships of one
// person in one entity are merged first, so overlaps count once), to the
// query's commons and those it recognises, dated in (At-Window, At]:
//
//	points = quantity × kindWeight/1000 × recognitionWeight/1000 × 2^(-(At-date)/HalfLife)
//
// That is the direct sum, which a Ledger over any Store but a MemStore
// computes: each step rounded down, in 128-bit integers where needed. Decay
// is an integer algorithm: the exponent's whole part is a shift, its
// fraction is taken to 1/65536 and looked up in two tables (2^(-a/1024),
// 2^(-b/65536), Q62) built with math/big at start-up. Conservation: a
// contribution naming an entity counts for that entity alone (and only while
// its contributor is a member); one naming none is split among the distinct
// entities its contributor was a member of at its date: each gets ⌊v/k⌋ and
// the first v mod k in entity-id order get one thousandth more, so the parts
// add up to v. Contributions dated after At never count, nor (being worth
// nothing) those 63 or more half-lives old. The result's breakdowns (by
// commons, member, kind, statement; sorted by key) each add up to Total.
//
// # Prefix sums
//
// Over a MemStore the same quantity is computed in time that does not grow
// with the members' contributions, O(members × commons × log n). Decay
// factors out of a sum, Σ qᵢ·2^(−(t−tᵢ)/h) = 2^(−(t−A)/h)·Σ qᵢ·2^((tᵢ−A)/h),
// so each (contributor, commons) series keeps, per half-life asked for and
// per (kind, named entity) present in it, prefix sums of its quantities
// rebased to anchors A on a grid of 30 half-lives (a block; one block back
// is 30 bits), in 128-bit fixed point with 24 fractional bits. Weights are
// applied to the sums, per (member, commons, kind). A query's range of dates
// is a difference of two prefix sums per block, decayed by one factor whose
// exponent's fraction is taken to 40 bits (five tables, built like the
// direct sum's). A split divides the sum of a range by k exactly (no
// remainder rule). Every step rounds down; 2^-12 thousandths are added
// before the one final rounding, so an exact whole-thousandth answer comes
// out whole, and no answer exceeds its exact value by more than that (a
// contribution split among entities is not counted more than once in all).
// The breakdowns are rounded down and the thousandths lost go, one each, to
// the parts with the largest remainders, so each still adds up to Total;
// ByStatement too, whose parts are the counted statements.
//
// The two answers differ within a stated bound: with n the contributions
// counted and r the largest recognition weight, the direct sum lies between
// n·(3 + r/1000) + 1 thousandths below the prefix sums' answer (its
// per-contribution roundings) and Total/94,000 + n + 2 above it (its 16-bit
// exponent, at most 2^(1/65536) − 1 of the total, plus roundings). Tests
// hold 1,000 random ledgers to it.
//
// Prefix sums are built by the first query that needs them and dropped by
// any ingest or removal in their series (at most four half-lives are kept
// per series). They are not counted in the bytes per contribution ingest
// costs: once built they take 28 bytes per contribution per half-life
// (more while their slices grow).
//
// Total itself comes from an entity index: the same rebased quantities
// summed over all of an entity's members, per (commons, kind, split k),
// counting a contribution only if it names the entity or none and is dated
// within its contributor's membership (From inclusive, Until exclusive),
// one naming none divided by the number of entities its contributor
// belongs to at its date. Summing before rounding, the index's total is
// never below the sum of the members' parts (which the breakdowns share it
// out from) nor above the exact value; tests hold it within a few units of
// 2^-24 thousandths of the members' sum on 1,000 random ledgers. It is
// built by the first query about the entity and half-life; a member's
// contribution ingested later is appended to it when dated at or after the
// last of its group (the common case), and any other ingest, any removal
// of a member's contribution and any change to a member's memberships drop
// it (the next query rebuilds it, in time linear in the entity's
// contributions). Once built it takes 24 bytes per counted contribution
// per half-life.
//
// A Query's MaxStatements bounds ByStatement: an answer counting more
// statements lists none, and says how many (Statements);
// Ledger.CountedStatements pages through the full list on demand.
//
// Ledger.FallsBelow finds the first time the total of the present
// contributions drops below a threshold. Over a MemStore it is computed, not
// searched: between the instants at which a contribution leaves the count,
// and within one block, the total depends on the instant only through the
// 40-bit key of its decay factor, so the crossing in a piece is a bisection
// on the key and the first nanosecond with that key follows exactly; pieces
// are found by probing the entity index (each probe O(commons × kinds ×
// log n), whatever the number of members), bisecting in time while many
// contributions are left to leave. The answer is the same, to the
// nanosecond, as bisection over Reciprocity's totals. Over another Store it
// bisects the direct sum. Ledger.ContributorPoints gives each contributor's
// points for payouts.
//
// # Storage
//
// Store is the seam for an application's own database. MemStore, the
// default, keeps per contributor, per commons, a date-sorted slice of 40-byte
// entries (one map lookup per member and a binary search per commons per
// query) and finds a statement by a 64-bit hash of its digest. It is
// idempotent by digest, accepts contributions in any order, and Revoke
// removes whatever a digest added. All methods are safe for concurrent use.
// Package contribution/sqlstore implements Store durably on SQLite and
// PostgreSQL; contribution/storetest is the conformance suite every Store,
// MemStore included, passes.
//
// Every Store method and every Ledger method that reads or writes the store
// takes a context.Context, which a database store runs its queries under;
// a cancelled context fails the call with an error errors.Is reports as
// context.Canceled. The reads are the batches a question needs, so that a
// question over a database costs a constant number of round trips whatever
// an entity's size: a reciprocity answer, CountedStatements and FallsBelow
// ask MembershipsOfMembers (every membership of the entity's members, which
// also gives how each member's undirected contributions are split) and then
// one RangeMany over the union of the members' windows, filtering each
// record by its contributor's own membership periods; ContributorPoints
// asks one RangeCommons per commons counted. (Until this release a quote
// made 1 + 2×members calls.)
//
// The ledger keeps, for what it ingested, who signed it and when it was
// first seen (attest.Verified.FirstSeen). RevokeKey withdraws a key from a
// time on as attest does: the statements first seen from then on, and
// signed by no other key in good standing, are removed; those first seen
// before stay, and a later ingest of a statement the revoked key alone
// signed after that time is refused with attest.ErrRevoked.
package contribution

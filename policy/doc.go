// Package policy decides whether an entity must pay to use a commons: the
// library's main job, called by a marketplace for every quote.
//
// An Evaluator is compiled once from terms (package license), the commons
// they govern (with the commons it recognises) and a trust configuration
// (package attest). It is immutable apart from internal caches and safe for
// concurrent use. Evaluate takes a Request — the entity, the use
// (commercial or not, purpose, seats, first use), the time (explicit; there
// is no hidden clock) and the evidence — and returns a Decision:
//
//   - Outcome free, pay or deny, and for pay the Price from the terms'
//     schedule (seats, revenue band), in integer minor units;
//   - the deciding Clause and every clause tried, each with why it held or
//     not ("reciprocity 40.000 < 100");
//   - the Obligations owed (attribution, share-alike, …);
//   - the facts used, each marked attested (by which key) or self-declared;
//     self-declared facts count only if the Config accepts them;
//   - the evidence Counted and the evidence Ignored, each with its reason
//     (bad signature, untrusted key, out of scope, expired, revoked, wrong
//     commons, naming no entity, malformed…);
//   - PathToFree: for a paying entity under terms with a reciprocity rule,
//     the points still missing and which commons count toward them; for an
//     entity free through reciprocity, when its contributions will have
//     decayed below the threshold;
//   - ValidUntil: the earliest time the same request could be decided
//     differently (evidence expiring, decay crossing the threshold, a trial
//     ending, a change date, a grant expiring);
//   - the terms digest and a request digest.
//
// Each is a method of Decision. A Decision is immutable: what SignGrant
// signs is what the evaluator decided. It keeps the outcome and the facts
// it was decided on; the clause trail, the path and the facts' list are
// derived from them when asked (the same facts give the same trail), so a
// quote that is only priced allocates one Decision of under 200 bytes, and
// its explanation costs only when read. A Decision renders as canonical
// JSON (MarshalJSON: the same request gives the same bytes) and as a short
// text (Explain).
//
// Ids are checked where they enter, against attest's grammar
// (attest.CheckID, attest.CheckKeyID): Compile refuses a Config whose
// commons, recognised commons or peers have ids outside it (ErrConfig),
// Evaluate a Request whose Entity.ID, Entity.Key or FirstUses keys are
// (ErrRequest), and fact and control statements are refused on the way in
// and out; the *attest.IDError behind each names the field
// ("Request.Entity.ID") and what is wrong.
//
// # Evidence
//
// Evidence is DSSE envelopes. Each is verified with the Trust at the
// request's time; one that fails is listed in Ignored with its reason and
// changes nothing else. Entity statements (registrar-attested or
// self-declared facts) about the requesting entity supply its facts;
// contributions and memberships go into a ledger for the request, unless
// the request brings its own Ledger (or a Reciprocity already summarised,
// the fast path for a backend that keeps a ledger up to date). A
// contribution to a commons that is neither this one nor one it recognises
// is ignored as the wrong commons. Verification is cached by envelope
// bytes, and decoding by statement digest together with the envelope's
// trusted signers and signatures (whether a membership counts depends on
// its member's co-signature on that envelope, whether a contribution does
// on a steward among its signers), so evidence presented again costs no
// signature check. The evaluator also keeps what a whole request's
// evidence established (the verified statements, the facts, the ledger
// built from them, the refusals) for requests with the same envelopes
// about the same entity: attest says how long each verification's answer
// holds (Verified.Holds), and the set is reused at any instant inside all
// of those spans and under the same Trust generation. Reciprocity is
// computed at each request's instant; the instant points decay below the
// threshold is remembered while no contribution is dated in between.
//
// A decision depends only on its request, the configuration and the
// ledger passed: every cache is keyed by all that its answer depends on,
// so what an evaluator decided before (the same statements under other
// signatures, other entities, other instants) never changes a decision,
// only how fast it comes.
//
// # Counting a contribution once
//
// No contribution adds more than its points over all entities' decisions.
// A contribution that names an entity counts for that entity alone, on
// every path, and only while its contributor is a member. One that names
// no entity is split by a Ledger among the distinct entities its
// contributor was a member of at its date (package contribution): the
// Ledger passed must be the marketplace's one record of memberships, as
// the evaluator counts what it holds. In a request's evidence the
// evaluator sees only the memberships the request presents, and an entity
// could leave out the others and take the whole (and so could each of
// them), so there a contribution naming no entity is not counted: it is
// listed in Ignored with ErrNoEntity ("names no entity"), and counts once
// the steward names the entity or the request is decided with a Ledger.
// Terms that count affiliates judge an entity by its group's standing:
// the group's contributions count, once each, for each of its members'
// decisions.
//
// # Grants
//
// SignGrant signs a decision as a grant statement (GrantPredicateType,
// ".../predicates/grant/v2"): who may use which commons under which terms
// digest, for which use, on what outcome and price, against which payment,
// from when until when, and the digest of the request it answered. Its
// predicate:
//
//	{"commons":"alpha","entity":"acme","termsDigest":"sha256:…",
//	 "requestDigest":"sha256:…",
//	 "use":{"commercial":true,"purpose":"production","seats":5,
//	        "released":"2022-03-01T00:00:00Z"},
//	 "outcome":"pay","clause":"private-license",
//	 "price":{"amount":60000,"currency":"EUR","period":"year"},
//	 "payment":"invoice-42","issuedAt":"…","validFrom":"…","validUntil":"…"}
//
// "use" is the use decided: commercial, purpose ("" when none was named)
// and seats (at least 1; a request's 0 counts as 1) are required,
// "released" is present when the request named the version's release
// date. VerifyGrant checks a grant offline with an attest.Trust that
// scopes the marketplace's key, and decodes it strictly: a member missing
// or malformed is a *GrantError naming it by JSON pointer.
//
// A grant presented as evidence decides a request only if it covers it:
// the same commons, entity and terms digest; the same commercial flag,
// purpose and release date; no more seats than granted; and the request's
// At inside the grant's period, validFrom ≤ At < validUntil (no validUntil:
// no end). Use.FirstUse is not part of the use covered: it is history, and
// a grant decided inside a trial already ends when the trial does. A
// covered request gets the grant's outcome and price (a pay grant for 5
// seats prices 2 seats at what was paid for 5) until the grant expires,
// whatever the terms would say by then. A grant that does not cover the
// request is listed in Ignored with a *GrantError whose Field names what
// the request exceeds (seats, commercial, purpose, released, period,
// entity, commons, terms) and changes nothing else. Of several grants that
// cover a request, the one with the lowest statement digest decides.
//
// Grants of the first version (".../grant/v1") record no use, so they
// cover none: as evidence, or to VerifyGrant, they are refused with Field
// "use", and must be issued again. (A Trust that lists only the v2 type
// refuses them before that, as out of scope.)
package policy

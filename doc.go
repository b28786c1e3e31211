// Package ppl is an embeddable library for peer production licensing.
//
// A commons — software, designs, knowledge — is free to use for those who
// contribute to it, or to the commons it recognises, and for the entities
// its license favours, such as worker-owned cooperatives that distribute
// their surplus to their workers. Everyone else pays. The library makes that
// rule executable: it models the commons, its contributors and the entities
// that use it, verifies signed evidence of who contributed what, and decides
// for a given entity, use and time whether the use is free, must be paid
// for (how much, and why), or is not licensed at all.
//
// # The idea, and the objection it answers
//
// Licenses such as the Peer Production License draw a line between those
// who take part in a commons and those who only take from it. The standing
// objection is that such a line punishes people whose contribution went to
// another community, and needs someone to judge which contributions count.
// ppl answers it with three mechanisms:
//
//   - Federated recognition: a commons lists the commons whose contributions
//     it recognises, each with a weight. A contribution to any of them counts,
//     attested by that commons' own stewards; no central judge is needed.
//   - Signed, portable evidence: contributions, memberships and facts about
//     entities are Ed25519-signed in-toto statements in DSSE envelopes,
//     verifiable offline by anyone; where contributors already sign their
//     work with the SSH keys ppl uses as their ids (git commits and tags),
//     contribution/gitlog verifies those signatures as git does and turns
//     what the history shows into statements a steward signs.
//   - A path, not just a price: a decision to charge also says how much more
//     contribution would make the use free, so paying and contributing are
//     two doors and the second one is always shown.
//
// # Packages and how data flows
//
//	attest        keys, key ids, DSSE envelopes, in-toto statements, SSHSIG,
//	              trust (who may attest what) and revocation
//	contribution  commons, contributors, entities, memberships, contributions,
//	              their predicates, and the ledger that sums contributions
//	contribution/gitlog
//	              contributions from a commons' git history: SSH-signed
//	              commits verified as git does, rules as data, a recheck
//	contribution/payout
//	              what paying entities pay, split exactly among the commons'
//	              association and its contributors; signed payout statements
//	license       license terms as data: ordered clauses, conditions,
//	              prices, obligations; built-in terms for real licenses
//	contribution/sqlstore
//	              the durable store on SQLite (embedded default) and
//	              PostgreSQL: ledger rows, the evidence log with first-seen
//	              times, revocations, payments, allocations, grants
//	contribution/storetest
//	              the conformance suite every contribution.Store passes
//	policy        the evaluator: terms + evidence + request -> decision;
//	              signed grants (receipts)
//	policy/manifest
//	              the commons manifest: one signed, versioned document per
//	              commons, from which trust, commons and configuration derive
//	policy/scan   what a company owes across an SBOM (CycloneDX, SPDX)
//
// Evidence enters as signed envelopes. attest verifies each one against a
// trust configuration at an explicit time and returns only verified
// statements. contribution decodes verified statements into contributions,
// memberships and entity facts and indexes them in a ledger. license parses
// the terms a commons publishes. policy compiles terms once and evaluates
// requests against the ledger and the entity's facts, returning a decision
// with its reasons, which can be signed as a grant and verified later.
// payout closes the loop: a payment is divided among the contributors by
// the same ledger and signed so each can check their share.
//
// Arrows run one way: policy imports license, contribution and attest;
// contribution (and contribution/payout) imports attest; the subpackages
// above policy (manifest, scan) and beside contribution (gitlog,
// sqlstore, storetest) import what they build on, and nothing below
// imports them.
//
// # End to end
//
// A steward attests a contribution; the entity and its member co-sign a
// membership; a marketplace decides and signs a grant:
//
//	st, _ := contribution.NewContributionStatement(contribution.Contribution{
//		Commons: "alpha", Contributor: attest.KeyID(devPub), Entity: "acme",
//		Kind: "code", Quantity: 40_000, Unit: "points", At: at})
//	env, _ := attest.SignStatement(st, stewardKey)   // a DSSE envelope
//
//	terms, _ := license.Builtin("ppl-reciprocity")
//	trust, _ := attest.NewTrust(attest.Rule{Key: stewardPub,
//		PredicateTypes: []string{contribution.ContributionPredicateType},
//		Subjects: []string{"commons:alpha"}} /* , … */)
//	eval, _ := policy.Compile(policy.Config{Terms: terms, Commons: alpha, Trust: trust})
//	d, _ := eval.Evaluate(&policy.Request{Entity: contribution.Entity{ID: "acme"},
//		Use: policy.Use{Commercial: true, Seats: 5}, At: at, Evidence: evidence})
//	fmt.Print(d.Explain())    // outcome, price, clauses with reasons, path to free
//	grant, _ := policy.SignGrant(d, marketKey, "invoice-42", at.AddDate(1, 0, 0))
//
// examples/quickstart runs this on sample data; examples/ppl does it from
// the command line.
//
// # Conventions
//
// Money is an integer number of minor units with an ISO 4217 code; time is
// always passed in by the caller; the same inputs give the same output
// bytes; every parser is strict and every refusal is a typed error usable
// with errors.Is and errors.As.
//
// Commons and entity ids have one grammar: lower-case ASCII letters and
// digits with '.', '-' or '_' between them ("makers-coop"), at most 128
// bytes, checked wherever an id enters (attest.CheckID). They are ASCII so
// that no id can pass for another by look-alike letters, Unicode
// normalization, bidi controls or invisible characters; names meant for
// people carry any text. Trust rules name subjects by whole ids
// ("commons:alpha", "entity:*"), never by a prefix of one. attest's doc
// ("Identifiers") has the grammar and the reasons.
package ppl

// Package license holds license terms as data: what a commons publishes
// about who uses it free, who pays and how much, who is not licensed, and
// what every user owes.
//
// # Terms
//
// Terms are an ordered list of clauses, each {id, effect, when, text}. The
// effect is free, pay or deny; when is a condition tree; text quotes the
// license. The first clause whose condition holds decides, so the order is
// the license's logic; the last clause has no condition and is the default
// (Parse refuses terms without one, and any clause after an unconditional
// one, which could never decide). A pay clause names a price schedule;
// obligations (attribution, share-alike with its scope, notice, source
// publication, network copyleft, noncommercial-only) bind every licensee,
// and a clause may add its own.
//
// Conditions combine with all, any and not; leaves test the use (commercial
// or not, purpose), the entity (kind, worker-owned with surplus to workers,
// headcount, annual revenue, named facts, optionally only if attested) and
// time (within a trial from first use, on or after a change date), and
// reciprocity: the entity's weighted, decayed contribution to the commons
// and the commons it recognises reaching a threshold. Terms hold at most
// one reciprocity rule, whose parameters (window, half-life, kind weights,
// whether recognised commons count) are what the contribution ledger is
// asked. Facts that are legal judgements — whether a use is "primarily
// intended for commercial advantage", whether a company received less than
// a million dollars of investment — are not computed: the request declares
// the use, and other judgements are named facts an authority attests.
//
// Purposes the built-in terms use: "personal", "prototype",
// "contribution-back", "production", "internal" (a company's internal
// operations), "managed-service" (providing the software to others as a
// hosted service), "paid-product" (embedded in a product sold) and
// "private-modifications".
//
// # Prices
//
// Money is int64 minor units with an ISO 4217 code, never floats. A
// schedule is flat, per seat, banded by revenue or by headcount, or a share
// of revenue (basis points of the entity's stated annual revenue, rounded
// down to the minor unit, then held within an optional minimum and
// maximum), due once, monthly or yearly. A price that depends on a fact
// the decision does not know (revenue, headcount) cannot be computed: the
// error says which (ErrNoRevenue, ErrNoHeadcount). Where a license's text sets no price (the Peer Production License
// reserves the right to charge but names no figure), the built-in's
// schedule is marked Placeholder and the commons must set its own.
//
// # JSON
//
// Parse reads terms strictly (duplicate keys, unknown fields and trailing
// data are errors), validates them against the embedded JSON Schema
// (Schema), then checks what a schema cannot: default clause, reachability,
// unique ids, ISO 4217 currencies, non-negative prices, known schedules,
// ascending tiers. Every problem is reported at once, each with its JSON
// pointer, in a *ParseError.
//
// # Digest
//
// A terms digest is "sha256:" and the hex SHA-256 of the RFC 8785 (JCS)
// canonical form of the terms document. For terms Parse read, that is the
// document as published, every member included (an "amount": 0 or a
// "countAffiliates": false as much as any other): anyone holding the
// published JSON and any RFC 8785 implementation recomputes the digest a
// grant names, and whitespace, member order and escapes do not change it.
// MarshalJSON writes that canonical document. Terms built in Go, or
// changed after Parse, are the document their fields encode (members
// equal to their defaults omitted), which MarshalJSON writes and Digest
// hashes; publish that to let others recompute it.
//
// # Built-in terms
//
// Builtin returns terms encoding real licenses from their texts: the Peer
// Production License ("ppl"), the same with a reciprocity clause
// ("ppl-reciprocity", this library's answer to the objection that
// contributors elsewhere are penalised), Parity 7.0.0, Prosperity 3.0.0,
// PolyForm Noncommercial 1.0.0, Small Business 1.0.0, Perimeter 1.0.1 and
// Free Trial 1.0.0, Shield 1.0.0 and Internal Use 1.0.0, Business Source
// License 1.1, the Functional Source License 1.1 (MIT and Apache 2.0
// future licenses), Elastic License 2.0, CC BY-NC-SA 4.0, the Cooperative
// Non-Violent Public License v4, the Anti-Capitalist Software License 1.4,
// the Cooperative License 1.0 and the Post-Open draft. Each cites its source; its
// notes say what was modelled as a fact and what a commons must set.
//
// Each carries its SPDX identifier (Terms.SPDX) where the SPDX License List
// has one — PPL, Parity-7.0.0, PolyForm-Noncommercial-1.0.0,
// PolyForm-Small-Business-1.0.0, CC-BY-NC-SA-4.0, BUSL-1.1 — and a
// "LicenseRef-" identifier where it does not, and Builtin finds it by
// either. The Business Source License was "bsl-1.1" before; that id still
// resolves, but is deprecated, since SPDX's BSL-1.0 is the Boost license.
//
// One rule decides between pay and deny in every built-in: where a use
// falls outside a license's grant and its text leaves the licensor free to
// license it on other terms (PolyForm above its limits or outside its
// purposes, Prosperity after the trial, CC BY-NC-SA's commercial use), the
// outcome is pay, priced by the license's schedule or by a placeholder
// ("separate-license", marked Placeholder) that the commons replaces with
// its own price; deny is kept for the uses a text forbids outright (CNPL's
// prohibited uses and proxies, ACSL's law enforcement and military).
//
// Outcomes can be graded: a free clause may attach obligations (the
// Cooperative License frees for-profits on condition of network copyleft),
// and terms may give a cure period after written notice (PolyForm 32 days,
// Parity 30; the Peer Production License none), require some facts to be
// attested rather than self-declared, state money thresholds in a base
// year's money (adjusted by an index series the caller supplies), and
// count an entity's affiliates in size and revenue tests.
//
// # Evaluating
//
// Terms.Evaluate walks the clauses against Facts and returns the deciding
// clause with a Step per clause tried; Step.Reason renders why it held or
// not with the observed value ("reciprocity 40.000 < 100"). It allocates
// nothing, so the policy package calls it on its hot path after gathering
// facts from verified evidence.
package license

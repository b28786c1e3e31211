// Package contribution models commons, contributors, entities, memberships
// and contributions, decodes them from verified attestations, and keeps a
// ledger that answers how much an entity has contributed.
//
// See the README of the module and the types below; the ledger's counting
// rules are on Ledger.Reciprocity.
package contribution

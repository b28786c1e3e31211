// Package sqlstore keeps what a marketplace must not lose in one SQL
// database: the ledger's contributions and memberships (it is a
// contribution.Store), the evidence log, key revocations, payments, their
// allocations, and the grants issued. It runs on SQLite (modernc.org/sqlite,
// pure Go, the embedded default: one file, for one instance and for tests)
// and on PostgreSQL (github.com/jackc/pgx/v5 through database/sql, for
// several instances sharing state), with one schema.
//
//	s, err := sqlstore.Open(ctx, sqlstore.SQLite, "/var/lib/ppl/ppl.db", nil)
//	ledger := contribution.NewLedger(s)
//
// # What is stored where
//
//   - evidence: every accepted envelope, verbatim, by its statement digest,
//     with its payload and predicate types, the trusted key ids that signed
//     it, what it established (Established*), its first-seen time and a log
//     sequence number (Seq). Ingest is idempotent by digest: an envelope
//     seen again keeps the first-seen time recorded first, and that time is
//     what a replay passes as attest.VerifyOptions.FirstSeen, so revocation
//     is judged by when the store first held a statement, never by a date
//     its signer wrote. The library reads no clock: the caller proposes the
//     time (normally attest.Verified.FirstSeen) and the store keeps the
//     first one.
//   - contributions, memberships: the ledger's rows, as contribution.Store
//     reads them, indexed by (contributor, commons, date) and (commons,
//     contributor, date), and memberships by entity and by contributor.
//     Ingest writes them in the same transaction as their evidence; Remove
//     deletes a row but never the evidence, and an envelope already in the
//     log does not bring back a row removed since.
//   - key_revocations: a key withdrawn from a time on; the earliest wins.
//   - payments: by the payment provider's reference, unique by the
//     database's primary key, so two instances cannot both accept one;
//     allocations: the parts of a payment, which must add up to it;
//     grants: the signed grants issued, verbatim.
//   - ppl_changes, ppl_feed: the change feed (below): one row per write to
//     contributions, memberships or the evidence log, numbered in commit
//     order, and the counter that numbers them.
//   - ppl_schema: the schema version.
//
// Strings compare bytewise in both databases (PostgreSQL columns are
// COLLATE "C"), so orderings match MemStore's exactly; times are int64 Unix
// nanoseconds (years 1678–2262; others are refused with ErrInvalid).
//
// # Durability and concurrency
//
// A call that returns nil has committed. SQLite runs in WAL mode with
// synchronous=FULL (a commit survives power loss, not only a killed
// process), transactions take the write lock when they begin, and writers
// wait for one another up to Options.BusyTimeout. On PostgreSQL the
// server's own guarantees hold. The kill -9 test in this package checks that
// no acknowledged write is lost across a killed writer on both. A Store is
// safe for concurrent use. SQLite's locks let several processes on one
// machine open one file, one writer at a time; instances that share state
// belong on PostgreSQL (the tests run two pools against one database, not
// two processes against one SQLite file).
//
// # Migrations
//
// Open applies the embedded migrations (migrations/*.sql) in order, each in
// one transaction under a lock (BEGIN IMMEDIATE on SQLite, an advisory lock
// on PostgreSQL), so instances starting together apply each once. A
// database at a newer version than SchemaVersion is refused with
// ErrSchemaVersion rather than written by code that does not know it.
//
// # contribution.Store and batch reads
//
// Every call takes a context, the contribution.Store methods included; the
// store sets no timeout of its own. RangeMany and MembershipsOfMembers are
// the batch reads a quote needs: the contributions of all an entity's
// members to all the commons counted, and all their memberships, each in
// one query, so a quote through a Ledger over this store costs two round
// trips whatever the entity's size (contribution/storetest counts them).
// Members and MembershipsOf remain for callers that want one side only.
//
// # Many instances: the change feed
//
// Every write to the ledger's rows or the evidence log (PutContribution,
// PutMembership, Remove, Ingest) appends its changes to the feed in its own
// transaction, numbered from a single-row counter that the transaction
// updates as its last write. The counter's row lock keeps the next writer
// waiting until this one commits, so numbers are handed out in commit
// order and a reader that has seen up to n never later finds a change
// numbered below n (identity values, taken at insert, promise no such
// thing on PostgreSQL; Evidence.Seq is one, so follow the feed, not
// EvidenceSince). The cost is that ledger writers commit one at a time,
// which SQLite does anyway; a batch through Ingest takes its numbers once.
// A write that changes nothing (a digest already held, a Remove of
// nothing) logs nothing.
//
// An instance keeps an in-memory ledger current so that quotes run at
// MemStore's speed, with the database as the source of truth:
//
//	mem := contribution.NewMemStore()
//	seq, err := s.LoadInto(ctx, mem) // cold start, one snapshot
//	ledger := contribution.NewLedger(mem)
//	go s.Follow(ctx, seq, func(ch sqlstore.Change) error { return sqlstore.Apply(ctx, mem, ch) }, nil)
//
// Writes go to the database (Ingest, Put*, Remove); every instance, the
// writer included, learns them from the feed, so what an instance holds is
// always what a restart would rebuild. On PostgreSQL writers NOTIFY the
// channel ppl_changes on commit and Follow waits with LISTEN on a pool
// connection of its own, reading the feed at least every
// FollowOptions.Poll (1 s) as the fallback; on SQLite it polls (100 ms).
// The tests measure about 5 ms from acknowledgement to a quote on another
// instance on PostgreSQL and about 100 ms polling SQLite. A change carries
// the row as it is when read, so a row removed meanwhile comes as nothing
// and its removal follows.
//
// LoadInto reads contributions and memberships without their evidence
// lists and verifies no signature: they were verified on the way in (an
// audit replays EvidenceSince through attest). BenchmarkStoreColdStart
// measures it. What the feed does not carry yet: key revocations,
// payments, allocations and grants are read from the database where
// needed, and a Ledger's own provenance (RevokeKey) is not rebuilt by
// LoadInto; revocations reach followers as the removals they cause.
//
// # What the operator backs up
//
// Everything is in the database, and nothing else needs a backup. For
// SQLite that is the file together with its -wal file while the store is
// open: copy them with SQLite's online backup (sqlite3 ppl.db ".backup
// copy.db") or VACUUM INTO, or stop the instance and copy ppl.db after it
// closed cleanly (the WAL is then checkpointed into it). For PostgreSQL,
// pg_dump of the database (or the schema the DSN's search_path names), or
// continuous archiving. The evidence log alone is enough to rebuild the
// ledger's rows (replay EvidenceSince through attest and contribution); the
// payments, allocations and grants are the money trail and have no other
// copy.
package sqlstore

package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/peerproduction/ppl/attest"
	"github.com/peerproduction/ppl/contribution"
)

// What an accepted envelope established: the value of Evidence.Established.
const (
	EstablishedContribution = "contribution"
	EstablishedMembership   = "membership"
	EstablishedEntity       = "entity"
	EstablishedControl      = "control"
	EstablishedRevocation   = "revocation"
	EstablishedManifest     = "manifest"
	EstablishedGrant        = "grant"
	EstablishedPayout       = "payout"
)

var establishedKinds = map[string]bool{
	EstablishedContribution: true, EstablishedMembership: true, EstablishedEntity: true, EstablishedControl: true,
	EstablishedRevocation: true, EstablishedManifest: true, EstablishedGrant: true, EstablishedPayout: true,
}

// Evidence is one accepted envelope in the evidence log.
type Evidence struct {
	// Seq is the log position the store gave it (ascending in insertion
	// order, but on PostgreSQL not in commit order: follow the change feed,
	// Store.Changes, to miss nothing); ignored on input.
	Seq           int64
	Digest        string // attest.Verified.Digest: "sha256:<hex>" of the payload
	PayloadType   string
	PredicateType string
	Established   string   // one of the Established* constants
	Signers       []string // the trusted key ids that counted, sorted
	// FirstSeen is when the store first recorded the envelope. On input it is
	// the time the caller proposes (the library reads no clock); a digest
	// already held keeps the time recorded first, and that is what a replay
	// passes as attest.VerifyOptions.FirstSeen.
	FirstSeen time.Time
	Envelope  []byte // verbatim, as received
}

// FromVerified is the evidence of a verified envelope: envelope is the bytes
// as they were received and verified, seen when the caller first saw them.
func FromVerified(v *attest.Verified, envelope []byte, established string) Evidence {
	return Evidence{Digest: v.Digest, PayloadType: v.Envelope.PayloadType, PredicateType: v.Statement.PredicateType,
		Established: established, Signers: v.Signers, FirstSeen: v.FirstSeen, Envelope: envelope}
}

const evidenceCols = `seq, digest, payload_type, predicate_type, established, signers, first_seen, envelope`

func isDigest(d string) bool {
	h, ok := strings.CutPrefix(d, "sha256:")
	if !ok || len(h) != 64 {
		return false
	}
	for i := 0; i < len(h); i++ {
		if !('0' <= h[i] && h[i] <= '9' || 'a' <= h[i] && h[i] <= 'f') {
			return false
		}
	}
	return true
}

func (e *Evidence) check(op string) (int64, error) {
	const t = "evidence"
	switch {
	case !isDigest(e.Digest):
		return 0, invalid(op, t, e.Digest, "Digest", "a digest is \"sha256:\" and 64 lower-case hex digits")
	case !establishedKinds[e.Established]:
		return 0, invalid(op, t, e.Digest, "Established", "%q is not one of the Established* kinds", e.Established)
	case len(e.Envelope) == 0:
		return 0, invalid(op, t, e.Digest, "Envelope", "the envelope's bytes are required")
	case e.PayloadType == "" || e.PredicateType == "":
		return 0, invalid(op, t, e.Digest, "PredicateType", "payload and predicate types are required")
	}
	for _, k := range e.Signers {
		if !attest.IsKeyID(k) {
			return 0, invalid(op, t, e.Digest, "Signers", "%q is not a key id", k)
		}
	}
	return ns(op, t, e.Digest, "FirstSeen", e.FirstSeen)
}

// Item is one accepted envelope for Ingest, with the contribution or
// membership it established, if any; its Statement must be the evidence's
// digest.
type Item struct {
	Evidence     Evidence
	Contribution *contribution.Contribution
	Membership   *contribution.Membership
}

// Ingested is what Ingest did with an item.
type Ingested struct {
	Added     bool      // false when the digest was already in the log
	Seq       int64     // its place in the log
	FirstSeen time.Time // the time recorded first, which a replay uses
}

// batchRows bounds the rows per INSERT: well under SQLite's 32766 and
// PostgreSQL's 65535 bound parameters.
const batchRows = 500

// Ingest appends items to the evidence log and stores what they established,
// all in one transaction: when it returns nil, every item is durable (on
// SQLite, fsynced), and when it fails nothing is stored. Items already held
// (by digest) are left as they are. This is the batched write path: one
// round trip per 500 rows, not per item.
func (s *Store) Ingest(ctx context.Context, items []Item) ([]Ingested, error) {
	const op = "Ingest"
	out := make([]Ingested, len(items))
	if len(items) == 0 {
		return out, nil
	}
	seen := make([]int64, len(items))
	pos := make(map[string]int, len(items))
	for i := range items {
		it := &items[i]
		var err error
		if seen[i], err = it.Evidence.check(op); err != nil {
			return nil, err
		}
		d := it.Evidence.Digest
		if _, dup := pos[d]; dup {
			return nil, invalid(op, "evidence", d, "Digest", "item %d repeats a digest of the same batch", i)
		}
		pos[d] = i
		switch {
		case it.Contribution != nil && it.Membership != nil:
			return nil, invalid(op, "evidence", d, "Membership", "an item establishes a contribution or a membership, not both")
		case it.Contribution != nil && it.Contribution.Statement != d:
			return nil, invalid(op, "contributions", d, "Statement", "the contribution's statement %q is not the evidence's digest", it.Contribution.Statement)
		case it.Membership != nil && it.Membership.Statement != d:
			return nil, invalid(op, "memberships", d, "Statement", "the membership's statement %q is not the evidence's digest", it.Membership.Statement)
		}
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, dbErr(op, "", "", err)
	}
	defer tx.Rollback()
	for lo := 0; lo < len(items); lo += batchRows {
		hi := min(lo+batchRows, len(items))
		if err := s.ingestChunk(ctx, tx, items[lo:hi], seen[lo:hi], out[lo:hi]); err != nil {
			return nil, err
		}
	}
	var cs []change
	for i := range items {
		if !out[i].Added {
			continue
		}
		it := &items[i]
		cs = append(cs, change{OpEvidence, it.Evidence.Digest})
		switch {
		case it.Contribution != nil:
			cs = append(cs, change{OpContribution, it.Evidence.Digest})
		case it.Membership != nil:
			cs = append(cs, change{OpMembership, it.Evidence.Digest})
		}
	}
	if err := s.logChanges(ctx, tx, op, cs); err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, dbErr(op, "", "", err)
	}
	return out, nil
}

func (s *Store) ingestChunk(ctx context.Context, tx *sql.Tx, items []Item, seen []int64, out []Ingested) error {
	const op = "Ingest"
	args := make([]any, 0, 7*len(items))
	idx := make(map[string]int, len(items))
	for i := range items {
		e := &items[i].Evidence
		idx[e.Digest] = i
		args = append(args, e.Digest, e.PayloadType, e.PredicateType, e.Established, joinSigners(e.Signers), seen[i], e.Envelope)
	}
	// RETURNING names exactly the rows this statement inserted; a digest
	// already logged is skipped and keeps its first-seen time.
	rows, err := tx.QueryContext(ctx, rebind(s.d, `INSERT INTO evidence (digest, payload_type, predicate_type, established, signers, first_seen, envelope) VALUES `+
		placeholders(len(items), 7)+` ON CONFLICT (digest) DO NOTHING RETURNING digest, seq`), args...)
	if err != nil {
		return dbErr(op, "evidence", "", err)
	}
	var known []any
	for rows.Next() {
		var d string
		var seq int64
		if err := rows.Scan(&d, &seq); err != nil {
			rows.Close()
			return dbErr(op, "evidence", "", err)
		}
		i := idx[d]
		out[i] = Ingested{Added: true, Seq: seq, FirstSeen: fromNS(seen[i])}
	}
	if err := rows.Close(); err != nil {
		return dbErr(op, "evidence", "", err)
	}
	for i := range items {
		if !out[i].Added {
			known = append(known, items[i].Evidence.Digest)
		}
	}
	if len(known) > 0 {
		rows, err := tx.QueryContext(ctx, rebind(s.d, `SELECT digest, seq, first_seen FROM evidence WHERE digest IN `+placeholders(1, len(known))), known...)
		if err != nil {
			return dbErr(op, "evidence", "", err)
		}
		for rows.Next() {
			var d string
			var seq, first int64
			if err := rows.Scan(&d, &seq, &first); err != nil {
				rows.Close()
				return dbErr(op, "evidence", "", err)
			}
			out[idx[d]] = Ingested{Seq: seq, FirstSeen: fromNS(first)}
		}
		if err := rows.Close(); err != nil {
			return dbErr(op, "evidence", "", err)
		}
	}
	// Ledger rows only for envelopes new to the log: one already logged
	// established its row when it came in, and if that row was removed since
	// (a revocation), seeing the envelope again must not bring it back.
	var cs, ms []any
	nc, nm := 0, 0
	for i := range items {
		it := &items[i]
		if !out[i].Added {
			continue
		}
		if it.Contribution != nil {
			a, err := contributionArgs(op, it.Contribution)
			if err != nil {
				return err
			}
			cs = append(cs, a...)
			nc++
		} else if it.Membership != nil {
			a, err := membershipArgs(op, it.Membership)
			if err != nil {
				return err
			}
			ms = append(ms, a...)
			nm++
		}
	}
	if nc > 0 {
		q := rebind(s.d, `INSERT INTO contributions (statement, commons, contributor, entity, kind, quantity, unit, from_ns, at_ns, evidence) VALUES `+
			placeholders(nc, 10)+` ON CONFLICT (statement) DO NOTHING`)
		if _, err := tx.ExecContext(ctx, q, cs...); err != nil {
			return dbErr(op, "contributions", "", err)
		}
	}
	if nm > 0 {
		q := rebind(s.d, `INSERT INTO memberships (statement, contributor, entity, role, from_ns, until_ns) VALUES `+
			placeholders(nm, 6)+` ON CONFLICT (statement) DO NOTHING`)
		if _, err := tx.ExecContext(ctx, q, ms...); err != nil {
			return dbErr(op, "memberships", "", err)
		}
	}
	return nil
}

// Evidence returns the logged envelope with this digest, or ErrNotFound.
func (s *Store) Evidence(ctx context.Context, digest string) (Evidence, error) {
	e, err := scanEvidence(s.db.QueryRowContext(ctx, s.q.evidenceByDigest, digest))
	if errors.Is(err, sql.ErrNoRows) {
		return Evidence{}, &Error{Op: "Evidence", Table: "evidence", Key: digest, Err: ErrNotFound}
	}
	return e, dbErr("Evidence", "evidence", digest, err)
}

// EvidenceSince returns up to limit logged envelopes with Seq > after, in
// Seq order: a replay pages through the log with it, passing each one's
// FirstSeen to attest.VerifyOptions.FirstSeen.
func (s *Store) EvidenceSince(ctx context.Context, after int64, limit int) ([]Evidence, error) {
	if limit <= 0 {
		return nil, invalid("EvidenceSince", "evidence", "", "limit", "limit must be positive, not %d", limit)
	}
	rows, err := s.db.QueryContext(ctx, s.q.evidenceSince, after, limit)
	if err != nil {
		return nil, dbErr("EvidenceSince", "evidence", "", err)
	}
	defer rows.Close()
	var out []Evidence
	for rows.Next() {
		e, err := scanEvidence(rows)
		if err != nil {
			return nil, dbErr("EvidenceSince", "evidence", "", err)
		}
		out = append(out, e)
	}
	return out, dbErr("EvidenceSince", "evidence", "", rows.Err())
}

func scanEvidence(r interface{ Scan(...any) error }) (Evidence, error) {
	var e Evidence
	var signers string
	var first int64
	if err := r.Scan(&e.Seq, &e.Digest, &e.PayloadType, &e.PredicateType, &e.Established, &signers, &first, &e.Envelope); err != nil {
		return Evidence{}, err
	}
	e.Signers, e.FirstSeen = splitSigners(signers), fromNS(first)
	return e, nil
}

// KeyRevocation withdraws a key from a time on (contribution.Ledger.RevokeKey,
// attest's key revocations), as a revocation statement said.
type KeyRevocation struct {
	Key       string // key id
	From      time.Time
	Statement string // digest of the revocation statement; "" when none
}

// PutKeyRevocation records r. A key's earliest revocation wins, as in the
// ledger: it returns the revocation in force after the call.
func (s *Store) PutKeyRevocation(ctx context.Context, r KeyRevocation) (KeyRevocation, error) {
	const op = "PutKeyRevocation"
	if !attest.IsKeyID(r.Key) {
		return KeyRevocation{}, invalid(op, "key_revocations", r.Key, "Key", "%q is not a key id", r.Key)
	}
	from, err := ns(op, "key_revocations", r.Key, "From", r.From)
	if err != nil {
		return KeyRevocation{}, err
	}
	if _, err := s.db.ExecContext(ctx, s.q.putRevocation, r.Key, from, r.Statement); err != nil {
		return KeyRevocation{}, dbErr(op, "key_revocations", r.Key, err)
	}
	var got KeyRevocation
	var at int64
	err = s.db.QueryRowContext(ctx, s.q.revocation, r.Key).Scan(&got.Key, &at, &got.Statement)
	got.From = fromNS(at)
	return got, dbErr(op, "key_revocations", r.Key, err)
}

// KeyRevocations returns every key revocation, sorted by key id.
func (s *Store) KeyRevocations(ctx context.Context) ([]KeyRevocation, error) {
	rows, err := s.db.QueryContext(ctx, s.q.revocations)
	if err != nil {
		return nil, dbErr("KeyRevocations", "key_revocations", "", err)
	}
	defer rows.Close()
	var out []KeyRevocation
	for rows.Next() {
		var r KeyRevocation
		var at int64
		if err := rows.Scan(&r.Key, &at, &r.Statement); err != nil {
			return nil, dbErr("KeyRevocations", "key_revocations", "", err)
		}
		r.From = fromNS(at)
		out = append(out, r)
	}
	return out, dbErr("KeyRevocations", "key_revocations", "", rows.Err())
}

package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"
	"time"

	"github.com/peerproduction/ppl/contribution"
)

// queries are the statements written once with ? and bound per dialect.
type queries struct {
	putContribution, putMembership             string
	removeContribution, removeMembership       string
	rangeCommons, members, membershipsOf       string
	evidenceByDigest, evidenceSince            string
	putRevocation, revocation, revocations     string
	putPayment, payment, allocations, putGrant string
	grant                                      string
}

func newQueries(d Driver) queries {
	r := func(q string) string { return rebind(d, q) }
	return queries{
		// A digest is one statement: it is a contribution or a membership,
		// never both, as in MemStore.
		putContribution: r(`INSERT INTO contributions (statement, commons, contributor, entity, kind, quantity, unit, from_ns, at_ns, evidence)
			SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM memberships WHERE statement = ?)
			ON CONFLICT (statement) DO NOTHING`),
		putMembership: r(`INSERT INTO memberships (statement, contributor, entity, role, from_ns, until_ns)
			SELECT ?, ?, ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM contributions WHERE statement = ?)
			ON CONFLICT (statement) DO NOTHING`),
		removeContribution: r(`DELETE FROM contributions WHERE statement = ?`),
		removeMembership:   r(`DELETE FROM memberships WHERE statement = ?`),
		rangeCommons: r(`SELECT contributor, at_ns, quantity, kind, entity, statement FROM contributions
			WHERE commons = ? AND at_ns > ? AND at_ns <= ? ORDER BY contributor, at_ns, statement`),
		members: r(`SELECT contributor, entity, role, from_ns, until_ns, statement FROM memberships
			WHERE entity = ? ORDER BY contributor, entity, from_ns, statement`),
		membershipsOf: r(`SELECT contributor, entity, role, from_ns, until_ns, statement FROM memberships
			WHERE contributor = ? ORDER BY contributor, entity, from_ns, statement`),
		evidenceByDigest: r(`SELECT ` + evidenceCols + ` FROM evidence WHERE digest = ?`),
		evidenceSince:    r(`SELECT ` + evidenceCols + ` FROM evidence WHERE seq > ? ORDER BY seq LIMIT ?`),
		putRevocation: r(`INSERT INTO key_revocations (key_id, from_ns, statement) VALUES (?, ?, ?)
			ON CONFLICT (key_id) DO UPDATE SET from_ns = excluded.from_ns, statement = excluded.statement
			WHERE excluded.from_ns < key_revocations.from_ns`),
		revocation:  r(`SELECT key_id, from_ns, statement FROM key_revocations WHERE key_id = ?`),
		revocations: r(`SELECT key_id, from_ns, statement FROM key_revocations ORDER BY key_id`),
		putPayment: r(`INSERT INTO payments (reference, commons, entity, amount, currency, at_ns, grant_digest)
			VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (reference) DO NOTHING`),
		payment:     r(`SELECT reference, commons, entity, amount, currency, at_ns, grant_digest FROM payments WHERE reference = ?`),
		allocations: r(`SELECT party, amount FROM allocations WHERE reference = ? ORDER BY party`),
		putGrant: r(`INSERT INTO grants (digest, commons, entity, issued_ns, expires_ns, payment, envelope)
			VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (digest) DO NOTHING`),
		grant: r(`SELECT digest, commons, entity, issued_ns, expires_ns, payment, envelope FROM grants WHERE digest = ?`),
	}
}

var _ contribution.Store = (*Store)(nil)

// execer is a *sql.DB or a *sql.Tx.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func contributionArgs(op string, c *contribution.Contribution) ([]any, error) {
	at, err := ns(op, "contributions", c.Statement, "At", c.At)
	if err != nil {
		return nil, err
	}
	var from any // NULL: no period
	if !c.From.IsZero() {
		if from, err = ns(op, "contributions", c.Statement, "From", c.From); err != nil {
			return nil, err
		}
	}
	ev := c.Evidence
	if ev == nil {
		ev = []string{}
	}
	evJSON, err := json.Marshal(ev)
	if err != nil {
		return nil, invalid(op, "contributions", c.Statement, "Evidence", "%v", err)
	}
	return []any{c.Statement, c.Commons, c.Contributor, c.Entity, c.Kind, int64(c.Quantity), c.Unit, from, at, string(evJSON)}, nil
}

func membershipArgs(op string, m *contribution.Membership) ([]any, error) {
	from, err := ns(op, "memberships", m.Statement, "From", m.From)
	if err != nil {
		return nil, err
	}
	var until any
	if !m.Until.IsZero() {
		if until, err = ns(op, "memberships", m.Statement, "Until", m.Until); err != nil {
			return nil, err
		}
	}
	return []any{m.Statement, m.Contributor, m.Entity, m.Role, from, until}, nil
}

func affected(res sql.Result, err error) (bool, error) {
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// PutContribution implements contribution.Store.
func (s *Store) PutContribution(ctx context.Context, c contribution.Contribution) (bool, error) {
	return s.writeOne(ctx, "PutContribution", OpContribution, c.Statement, func(tx *sql.Tx) (bool, error) { return s.putContribution(ctx, tx, &c) })
}

// writeOne runs one write in a transaction and, when it changed something,
// logs it to the change feed in the same transaction.
func (s *Store) writeOne(ctx context.Context, op, kind, statement string, write func(tx *sql.Tx) (bool, error)) (bool, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return false, dbErr(op, "", statement, err)
	}
	defer tx.Rollback()
	done, err := write(tx)
	if err != nil || !done {
		return false, err
	}
	if err := s.logChanges(ctx, tx, op, []change{{kind, statement}}); err != nil {
		return false, err
	}
	return true, dbErr(op, "", statement, tx.Commit())
}

func (s *Store) putContribution(ctx context.Context, x execer, c *contribution.Contribution) (bool, error) {
	args, err := contributionArgs("PutContribution", c)
	if err != nil {
		return false, err
	}
	added, err := affected(x.ExecContext(ctx, s.q.putContribution, append(args, c.Statement)...))
	return added, dbErr("PutContribution", "contributions", c.Statement, err)
}

// PutMembership implements contribution.Store.
func (s *Store) PutMembership(ctx context.Context, m contribution.Membership) (bool, error) {
	return s.writeOne(ctx, "PutMembership", OpMembership, m.Statement, func(tx *sql.Tx) (bool, error) { return s.putMembership(ctx, tx, &m) })
}

func (s *Store) putMembership(ctx context.Context, x execer, m *contribution.Membership) (bool, error) {
	args, err := membershipArgs("PutMembership", m)
	if err != nil {
		return false, err
	}
	added, err := affected(x.ExecContext(ctx, s.q.putMembership, append(args, m.Statement)...))
	return added, dbErr("PutMembership", "memberships", m.Statement, err)
}

// Remove implements contribution.Store. The evidence log keeps the envelope:
// it records what was seen, and a removal (a revocation) is itself evidence.
func (s *Store) Remove(ctx context.Context, statement string) (bool, error) {
	return s.writeOne(ctx, "Remove", OpRemoved, statement, func(tx *sql.Tx) (bool, error) {
		a, err := affected(tx.ExecContext(ctx, s.q.removeContribution, statement))
		if err != nil {
			return false, dbErr("Remove", "contributions", statement, err)
		}
		b, err := affected(tx.ExecContext(ctx, s.q.removeMembership, statement))
		if err != nil {
			return false, dbErr("Remove", "memberships", statement, err)
		}
		return a || b, nil
	})
}

// RangeMany implements contribution.Store in one query, whatever the number
// of contributors and commons: the batch read a quote for an entity makes
// once for all its members.
//
// Contributors are asked for rangeChunk at a time (one query each), so that
// an entity of any size stays under the databases' bounds on a statement's
// parameters.
func (s *Store) RangeMany(ctx context.Context, contributors, commons []string, after, upTo time.Time, fn func(contributor string, commons int, r contribution.Record) error) error {
	if len(commons) == 0 {
		return nil
	}
	for lo := 0; lo < len(contributors); lo += rangeChunk {
		if err := s.rangeMany(ctx, contributors[lo:min(lo+rangeChunk, len(contributors))], commons, after, upTo, fn); err != nil {
			return err
		}
	}
	return nil
}

// rangeChunk bounds the contributors of one RangeMany query.
const rangeChunk = 2000

func (s *Store) rangeMany(ctx context.Context, contributors, commons []string, after, upTo time.Time, fn func(contributor string, commons int, r contribution.Record) error) error {
	var uniq []string
	listed := map[string]bool{}
	for _, c := range commons {
		if !listed[c] {
			listed[c] = true
			uniq = append(uniq, c)
		}
	}
	var people []string
	seen := map[string]bool{}
	for _, p := range contributors {
		if !seen[p] {
			seen[p] = true
			people = append(people, p)
		}
	}
	q := rebind(s.d, `SELECT contributor, commons, at_ns, quantity, kind, entity, statement FROM contributions
		WHERE contributor IN `+placeholders(1, len(people))+` AND commons IN `+placeholders(1, len(uniq))+`
		AND at_ns > ? AND at_ns <= ? ORDER BY contributor, commons, at_ns, statement`)
	args := make([]any, 0, len(people)+len(uniq)+2)
	for _, p := range people {
		args = append(args, p)
	}
	for _, c := range uniq {
		args = append(args, c)
	}
	args = append(args, after.UnixNano(), upTo.UnixNano())
	rows, err := s.query(ctx, q, args...)
	if err != nil {
		return dbErr("Range", "contributions", "", err)
	}
	defer rows.Close()
	by := map[string]map[string][]contribution.Record{} // contributor, commons
	for rows.Next() {
		var who, com string
		var r contribution.Record
		var at, qty int64
		if err := rows.Scan(&who, &com, &at, &qty, &r.Kind, &r.Entity, &r.Statement); err != nil {
			return dbErr("Range", "contributions", "", err)
		}
		r.At, r.Quantity = fromNS(at), contribution.Quantity(qty)
		if by[who] == nil {
			by[who] = map[string][]contribution.Record{}
		}
		by[who][com] = append(by[who][com], r)
	}
	if err := rows.Err(); err != nil {
		return dbErr("Range", "contributions", "", err)
	}
	rows.Close()
	// In the caller's order, as MemStore answers; a commons listed twice
	// gets its calls twice.
	for _, who := range contributors {
		for i, c := range commons {
			for _, r := range by[who][c] {
				if err := fn(who, i, r); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// RangeCommons implements contribution.Store.
func (s *Store) RangeCommons(ctx context.Context, commons string, after, upTo time.Time, fn func(string, contribution.Record) error) error {
	rows, err := s.query(ctx, s.q.rangeCommons, commons, after.UnixNano(), upTo.UnixNano())
	if err != nil {
		return dbErr("RangeCommons", "contributions", commons, err)
	}
	defer rows.Close()
	for rows.Next() {
		var who string
		var r contribution.Record
		var at, qty int64
		if err := rows.Scan(&who, &at, &qty, &r.Kind, &r.Entity, &r.Statement); err != nil {
			return dbErr("RangeCommons", "contributions", commons, err)
		}
		r.At, r.Quantity = fromNS(at), contribution.Quantity(qty)
		if err := fn(who, r); err != nil {
			return err
		}
	}
	return dbErr("RangeCommons", "contributions", commons, rows.Err())
}

// Members returns the memberships in entity, sorted by (contributor,
// entity, from, statement).
func (s *Store) Members(ctx context.Context, entity string) ([]contribution.Membership, error) {
	return s.memberships(ctx, "Members", s.q.members, entity)
}

// MembershipsOf returns the memberships of contributor, sorted as Members.
func (s *Store) MembershipsOf(ctx context.Context, contributor string) ([]contribution.Membership, error) {
	return s.memberships(ctx, "MembershipsOf", s.q.membershipsOf, contributor)
}

// MembershipsOfMembers implements contribution.Store in one query.
func (s *Store) MembershipsOfMembers(ctx context.Context, entity string) ([]contribution.Membership, error) {
	return s.memberships(ctx, "MembershipsOfMembers", rebind(s.d, `SELECT contributor, entity, role, from_ns, until_ns, statement FROM memberships
		WHERE contributor IN (SELECT contributor FROM memberships WHERE entity = ?)
		ORDER BY contributor, entity, from_ns, statement`), entity)
}

func (s *Store) memberships(ctx context.Context, op, q, key string) ([]contribution.Membership, error) {
	rows, err := s.query(ctx, q, key)
	if err != nil {
		return nil, dbErr(op, "memberships", key, err)
	}
	defer rows.Close()
	var out []contribution.Membership
	for rows.Next() {
		var m contribution.Membership
		var from int64
		var until sql.NullInt64
		if err := rows.Scan(&m.Contributor, &m.Entity, &m.Role, &from, &until, &m.Statement); err != nil {
			return nil, dbErr(op, "memberships", key, err)
		}
		m.From = fromNS(from)
		if until.Valid {
			m.Until = fromNS(until.Int64)
		}
		out = append(out, m)
	}
	return out, dbErr(op, "memberships", key, rows.Err())
}

// joinSigners and splitSigners keep a statement's signers in one column:
// key ids are "SHA256:" and base64, never a newline.
func joinSigners(ks []string) string { return strings.Join(ks, "\n") }

func splitSigners(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

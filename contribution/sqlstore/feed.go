package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/stdlib"

	"github.com/peerproduction/ppl/contribution"
)

// What a change did: the value of Change.Op.
const (
	OpContribution = "contribution" // a contribution row was added
	OpMembership   = "membership"   // a membership row was added
	OpRemoved      = "removed"      // the row of Statement was removed
	OpEvidence     = "evidence"     // an envelope was added to the evidence log
)

// Change is one entry of the change feed: a write that committed, at its
// place in commit order.
type Change struct {
	Seq       int64
	Op        string // one of the Op* constants
	Statement string // the statement digest the write was about
	// Contribution or Membership is the row an OpContribution or
	// OpMembership added, as it is when the change is read: nil when it
	// has been removed since (an OpRemoved for it follows in the feed).
	Contribution *contribution.Contribution
	Membership   *contribution.Membership
}

// notifyChannel is the PostgreSQL channel writers notify on commit.
const notifyChannel = "ppl_changes"

type change struct{ op, statement string }

// logChanges numbers changes and appends them to the feed, inside tx and as
// its last write: the counter's row stays locked until tx commits, so a
// concurrent writer gets the next numbers only after this one's are
// visible. On PostgreSQL it also queues a notification, sent on commit.
func (s *Store) logChanges(ctx context.Context, tx *sql.Tx, op string, cs []change) error {
	if len(cs) == 0 {
		return nil
	}
	var last int64
	if err := tx.QueryRowContext(ctx, rebind(s.d, `UPDATE ppl_feed SET last = last + ? WHERE id = 1 RETURNING last`), len(cs)).Scan(&last); err != nil {
		return dbErr(op, "ppl_feed", "", err)
	}
	first := last - int64(len(cs)) + 1
	for lo := 0; lo < len(cs); lo += batchRows {
		hi := min(lo+batchRows, len(cs))
		args := make([]any, 0, 3*(hi-lo))
		for i := lo; i < hi; i++ {
			args = append(args, first+int64(i), cs[i].op, cs[i].statement)
		}
		if _, err := tx.ExecContext(ctx, rebind(s.d, `INSERT INTO ppl_changes (seq, op, statement) VALUES `+placeholders(hi-lo, 3)), args...); err != nil {
			return dbErr(op, "ppl_changes", "", err)
		}
	}
	if s.d == Postgres {
		if _, err := tx.ExecContext(ctx, `SELECT pg_notify($1, $2)`, notifyChannel, fmt.Sprint(last)); err != nil {
			return dbErr(op, "ppl_changes", "", err)
		}
	}
	return nil
}

// LastSeq is the number of the last change committed (0 before any).
func (s *Store) LastSeq(ctx context.Context) (int64, error) {
	var last int64
	err := s.db.QueryRowContext(ctx, `SELECT last FROM ppl_feed WHERE id = 1`).Scan(&last)
	return last, dbErr("LastSeq", "ppl_feed", "", err)
}

const changesQuery = `SELECT ch.seq, ch.op, ch.statement,
	c.commons, c.contributor, c.entity, c.kind, c.quantity, c.unit, c.from_ns, c.at_ns, c.evidence,
	m.contributor, m.entity, m.role, m.from_ns, m.until_ns
	FROM ppl_changes ch
	LEFT JOIN contributions c ON ch.op = 'contribution' AND c.statement = ch.statement
	LEFT JOIN memberships m ON ch.op = 'membership' AND m.statement = ch.statement
	WHERE ch.seq > ? ORDER BY ch.seq LIMIT ?`

// Changes returns up to limit changes after seq after, in order.
func (s *Store) Changes(ctx context.Context, after int64, limit int) ([]Change, error) {
	const op = "Changes"
	if limit <= 0 {
		return nil, invalid(op, "ppl_changes", "", "limit", "limit must be positive, not %d", limit)
	}
	rows, err := s.query(ctx, rebind(s.d, changesQuery), after, limit)
	if err != nil {
		return nil, dbErr(op, "ppl_changes", "", err)
	}
	defer rows.Close()
	var out []Change
	for rows.Next() {
		var ch Change
		var com, who, ent, kind, unit, ev, mwho, ment, role sql.NullString
		var qty, from, at, mfrom, muntil sql.NullInt64
		if err := rows.Scan(&ch.Seq, &ch.Op, &ch.Statement, &com, &who, &ent, &kind, &qty, &unit, &from, &at, &ev,
			&mwho, &ment, &role, &mfrom, &muntil); err != nil {
			return nil, dbErr(op, "ppl_changes", "", err)
		}
		if com.Valid {
			c := &contribution.Contribution{Statement: ch.Statement, Commons: com.String, Contributor: who.String, Entity: ent.String,
				Kind: kind.String, Quantity: contribution.Quantity(qty.Int64), Unit: unit.String, At: fromNS(at.Int64)}
			if from.Valid {
				c.From = fromNS(from.Int64)
			}
			if err := json.Unmarshal([]byte(ev.String), &c.Evidence); err != nil {
				return nil, &Error{Op: op, Table: "contributions", Key: ch.Statement, Field: "evidence", Err: ErrInvalid, Detail: err.Error()}
			}
			ch.Contribution = c
		}
		if mwho.Valid {
			m := &contribution.Membership{Statement: ch.Statement, Contributor: mwho.String, Entity: ment.String, Role: role.String, From: fromNS(mfrom.Int64)}
			if muntil.Valid {
				m.Until = fromNS(muntil.Int64)
			}
			ch.Membership = m
		}
		out = append(out, ch)
	}
	return out, dbErr(op, "ppl_changes", "", rows.Err())
}

// Apply makes a change to an in-memory store (normally the MemStore of an
// instance's contribution.Ledger), so that it holds what the database
// holds: puts what was added, removes what was removed, ignores the rest.
func Apply(ctx context.Context, mem contribution.Store, ch Change) error {
	var err error
	switch {
	case ch.Op == OpRemoved:
		_, err = mem.Remove(ctx, ch.Statement)
	case ch.Contribution != nil:
		_, err = mem.PutContribution(ctx, *ch.Contribution)
	case ch.Membership != nil:
		_, err = mem.PutMembership(ctx, *ch.Membership)
	}
	return err
}

// LoadInto copies every contribution and membership the database holds into
// mem (a cold start: no signature is verified again, they were verified on
// the way in) and returns the feed position the copy reflects, from which
// Follow continues. It reads in one snapshot (a repeatable-read
// transaction on PostgreSQL; on SQLite a transaction, which holds the write
// lock while it reads).
func (s *Store) LoadInto(ctx context.Context, mem contribution.Store) (seq int64, err error) {
	const op = "LoadInto"
	var opts *sql.TxOptions
	if s.d == Postgres {
		opts = &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true}
	}
	tx, err := s.db.BeginTx(ctx, opts)
	if err != nil {
		return 0, dbErr(op, "", "", err)
	}
	defer tx.Rollback()
	if err := tx.QueryRowContext(ctx, `SELECT last FROM ppl_feed WHERE id = 1`).Scan(&seq); err != nil {
		return 0, dbErr(op, "ppl_feed", "", err)
	}
	rows, err := tx.QueryContext(ctx, `SELECT statement, contributor, entity, role, from_ns, until_ns FROM memberships`)
	if err != nil {
		return 0, dbErr(op, "memberships", "", err)
	}
	for rows.Next() {
		var m contribution.Membership
		var from int64
		var until sql.NullInt64
		if err := rows.Scan(&m.Statement, &m.Contributor, &m.Entity, &m.Role, &from, &until); err != nil {
			rows.Close()
			return 0, dbErr(op, "memberships", "", err)
		}
		m.From = fromNS(from)
		if until.Valid {
			m.Until = fromNS(until.Int64)
		}
		if _, err := mem.PutMembership(ctx, m); err != nil {
			rows.Close()
			return 0, err
		}
	}
	if err := rows.Close(); err != nil {
		return 0, dbErr(op, "memberships", "", err)
	}
	// Evidence lists are left out: a ledger counts without them, and they
	// are most of a row's bytes.
	rows, err = tx.QueryContext(ctx, `SELECT statement, commons, contributor, entity, kind, quantity, unit, from_ns, at_ns FROM contributions`)
	if err != nil {
		return 0, dbErr(op, "contributions", "", err)
	}
	defer rows.Close()
	for rows.Next() {
		var c contribution.Contribution
		var qty, at int64
		var from sql.NullInt64
		if err := rows.Scan(&c.Statement, &c.Commons, &c.Contributor, &c.Entity, &c.Kind, &qty, &c.Unit, &from, &at); err != nil {
			return 0, dbErr(op, "contributions", "", err)
		}
		c.Quantity, c.At = contribution.Quantity(qty), fromNS(at)
		if from.Valid {
			c.From = fromNS(from.Int64)
		}
		if _, err := mem.PutContribution(ctx, c); err != nil {
			return 0, err
		}
	}
	if err := rows.Err(); err != nil {
		return 0, dbErr(op, "contributions", "", err)
	}
	return seq, nil
}

// FollowOptions tune Follow; the zero value is usable.
type FollowOptions struct {
	// Poll is how often the feed is read when nothing announced a change:
	// on SQLite always, on PostgreSQL as the fallback behind LISTEN (a lost
	// connection, a missed notification). 0 means 100 ms on SQLite and 1 s
	// on PostgreSQL.
	Poll time.Duration
	// Batch bounds the changes read at once. 0 means 1000.
	Batch int
}

// Follow reads the feed from after seq since on, calling apply for each
// change in order, until ctx is done (it then returns ctx's error) or apply
// fails (it returns that error). On PostgreSQL it waits with LISTEN for
// the notification writers send on commit, and reads the feed at least
// every Poll; on SQLite it reads every Poll. apply runs on Follow's
// goroutine, one change at a time.
func (s *Store) Follow(ctx context.Context, since int64, apply func(Change) error, opt *FollowOptions) error {
	var o FollowOptions
	if opt != nil {
		o = *opt
	}
	if o.Poll <= 0 {
		o.Poll = 100 * time.Millisecond
		if s.d == Postgres {
			o.Poll = time.Second
		}
	}
	if o.Batch <= 0 {
		o.Batch = 1000
	}
	var l *listener
	defer func() { l.close() }()
	for {
		// Listening starts before the read, so a commit between the read
		// and the wait still wakes the wait.
		if s.d == Postgres && l == nil {
			l, _ = s.listen(ctx) // on failure: poll, and try again next round
		}
		chs, err := s.Changes(ctx, since, o.Batch)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return err
		}
		for _, ch := range chs {
			if err := apply(ch); err != nil {
				return err
			}
			since = ch.Seq
		}
		if len(chs) == o.Batch {
			continue
		}
		sleep := l == nil
		if l != nil {
			if err := l.wait(ctx, o.Poll); err != nil {
				// Poll instead, and listen again next round: never a loop
				// that fails at once, over and over.
				l.close()
				l, sleep = nil, true
			}
		}
		if sleep {
			t := time.NewTimer(o.Poll)
			select {
			case <-ctx.Done():
				t.Stop()
			case <-t.C:
			}
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
}

// listener is a pool connection kept for LISTEN.
type listener struct{ conn *sql.Conn }

func (s *Store) listen(ctx context.Context) (*listener, error) {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := conn.ExecContext(ctx, `LISTEN `+notifyChannel); err != nil {
		conn.Close()
		return nil, err
	}
	return &listener{conn: conn}, nil
}

// wait returns when a notification arrives or after d; an error means the
// connection is unusable.
func (l *listener) wait(ctx context.Context, d time.Duration) error {
	wctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	return l.conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("sqlstore: LISTEN needs a pgx connection, not %T", dc)
		}
		_, err := c.Conn().WaitForNotification(wctx)
		if err != nil && wctx.Err() != nil && ctx.Err() == nil {
			return nil // the poll interval passed
		}
		if errors.Is(err, context.Canceled) && ctx.Err() != nil {
			return nil // Follow returns ctx's error itself
		}
		return err
	})
}

func (l *listener) close() {
	if l != nil {
		// A connection whose wait was interrupted may be mid-read: drop it
		// from the pool rather than hand it to another caller.
		_ = l.conn.Raw(func(any) error { return driver.ErrBadConn })
		l.conn.Close()
	}
}

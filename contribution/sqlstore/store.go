package sqlstore

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"

	// The two drivers: both pure Go, so the module still builds without cgo.
	_ "github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite"
)

// Driver names a database.
type Driver string

const (
	// SQLite is the embedded default: one file (plus its -wal and -shm while
	// open), for a single instance and for tests.
	SQLite Driver = "sqlite"
	// Postgres is PostgreSQL through pgx, for several instances sharing state.
	Postgres Driver = "postgres"
)

// Options tune a Store; the zero value is usable.
type Options struct {
	// BusyTimeout is how long a SQLite writer waits for another writer's
	// lock before failing. 0 means 10 s.
	BusyTimeout time.Duration
}

// Store is a contribution.Store, an evidence log, key revocations, payments,
// allocations and grants in one SQL database. It is safe for concurrent use,
// by many goroutines and (on PostgreSQL, or SQLite on one machine) by many
// processes.
type Store struct {
	db *sql.DB
	d  Driver
	q  queries

	stmtMu sync.Mutex
	stmts  map[string]*sql.Stmt
}

// maxStmts bounds the prepared statements kept: RangeMany's text depends on
// how many contributors and commons it is asked about.
const maxStmts = 256

// query runs a read through a prepared statement, prepared once per query
// text: modernc's SQLite otherwise compiles the SQL on every call, which
// cost a quote more than its reads (pgx caches on its own).
func (s *Store) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	s.stmtMu.Lock()
	st, ok := s.stmts[q]
	s.stmtMu.Unlock()
	if !ok {
		s.stmtMu.Lock()
		full := len(s.stmts) >= maxStmts
		s.stmtMu.Unlock()
		if full {
			return s.db.QueryContext(ctx, q, args...)
		}
		var err error
		if st, err = s.db.PrepareContext(ctx, q); err != nil {
			return nil, err
		}
		s.stmtMu.Lock()
		if old, raced := s.stmts[q]; raced {
			st.Close()
			st = old
		} else {
			s.stmts[q] = st
		}
		s.stmtMu.Unlock()
	}
	return st.QueryContext(ctx, args...)
}

//go:embed migrations/*.sql
var migrationFS embed.FS

// Open opens (creating when absent) the database and brings its schema to
// the current version. For SQLite, dsn is a file path; for Postgres a
// postgres:// URL or a key=value DSN as pgx reads them.
func Open(ctx context.Context, d Driver, dsn string, opt *Options) (*Store, error) {
	return open(ctx, d, dsn, opt, len(migrations))
}

func open(ctx context.Context, d Driver, dsn string, opt *Options, version int) (*Store, error) {
	var o Options
	if opt != nil {
		o = *opt
	}
	if o.BusyTimeout <= 0 {
		o.BusyTimeout = 10 * time.Second
	}
	var db *sql.DB
	var err error
	switch d {
	case SQLite:
		if dsn == "" || strings.ContainsAny(dsn, "?#") {
			return nil, invalid("Open", "", dsn, "dsn", "a SQLite dsn is a file path without '?' or '#'")
		}
		// WAL lets readers run beside the one writer; synchronous=FULL makes
		// a commit survive power loss, not only a killed process (money is
		// acknowledged on it); immediate transactions take the write lock at
		// BEGIN, so two writers wait for each other instead of deadlocking
		// on a read-to-write upgrade. A 32 MiB page cache and checkpoints
		// every 10,000 pages (not 1,000) keep a batched ingest from
		// rewriting its index pages to the file over and over; that halved
		// BenchmarkStoreIngest's time.
		q := fmt.Sprintf("file:%s?_txlock=immediate&_pragma=busy_timeout(%d)&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=cache_size(-32768)&_pragma=wal_autocheckpoint(10000)&_pragma=foreign_keys(1)",
			dsn, o.BusyTimeout.Milliseconds())
		db, err = sql.Open("sqlite", q)
	case Postgres:
		db, err = sql.Open("pgx", dsn)
	default:
		return nil, &Error{Op: "Open", Key: string(d), Err: ErrDriver, Detail: "use sqlstore.SQLite or sqlstore.Postgres"}
	}
	if err != nil {
		return nil, dbErr("Open", "", "", err)
	}
	s := &Store{db: db, d: d, q: newQueries(d), stmts: map[string]*sql.Stmt{}}
	if err := s.migrate(ctx, version, o.BusyTimeout); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// Close closes the database.
func (s *Store) Close() error {
	s.stmtMu.Lock()
	for q, st := range s.stmts {
		st.Close()
		delete(s.stmts, q)
	}
	s.stmtMu.Unlock()
	return s.db.Close()
}

// Driver reports which database the store is on.
func (s *Store) Driver() Driver { return s.d }

// rebind turns the ? placeholders the queries are written with into $n for
// PostgreSQL. No query here has a ? inside a literal.
func rebind(d Driver, q string) string {
	if d != Postgres {
		return q
	}
	var b strings.Builder
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}

// placeholders returns "(?,?,…),(?,…)…": rows groups of cols.
func placeholders(rows, cols int) string {
	one := "(" + strings.Repeat("?,", cols-1) + "?)"
	return strings.Repeat(one+",", rows-1) + one
}

// ns is t as unix nanoseconds, refusing times int64 nanoseconds cannot hold
// (before 1678 or after 2262): stored as anything else they would come back
// as another instant.
func ns(op, table, key, field string, t time.Time) (int64, error) {
	if t.IsZero() {
		return 0, invalid(op, table, key, field, "a time is required")
	}
	if t.Before(minTime) || t.After(maxTime) {
		return 0, invalid(op, table, key, field, "%s is outside the years 1678..2262 that int64 nanoseconds hold", t.Format(time.RFC3339Nano))
	}
	return t.UnixNano(), nil
}

var (
	minTime = time.Unix(0, math.MinInt64+1)
	maxTime = time.Unix(0, math.MaxInt64)
)

func fromNS(n int64) time.Time { return time.Unix(0, n).UTC() }

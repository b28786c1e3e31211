package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// migrations are applied in order; the database's ppl_schema row says how
// many have been. The few lines here replace a migration library: there is
// one forward path, no down migrations, and both dialects differ only in the
// tokens replaced below, so a dependency would bring more than it saves.
var migrations = []string{"0001_ledger.sql", "0002_money.sql", "0003_feed.sql"}

func dialect(d Driver, sqlText string) string {
	r := strings.NewReplacer(
		"{{text}}", map[Driver]string{SQLite: "TEXT", Postgres: `TEXT COLLATE "C"`}[d],
		"{{blob}}", map[Driver]string{SQLite: "BLOB", Postgres: "BYTEA"}[d],
		// A SQLite table keyed by text is a rowid table plus an index on
		// the key; without the rowid it is one B-tree fewer to write.
		"{{norowid}}", map[Driver]string{SQLite: "WITHOUT ROWID", Postgres: ""}[d],
		"{{seqpk}}", map[Driver]string{SQLite: "INTEGER PRIMARY KEY AUTOINCREMENT", Postgres: "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY"}[d],
	)
	return r.Replace(sqlText)
}

// SchemaVersion is the schema version this package writes.
const SchemaVersion = 3

// migrate brings the schema to version (len(migrations) but in tests), in
// one transaction per step, so that a crash leaves the database at a
// version and never between two.
//
// On SQLite a step that fails with SQLITE_BUSY is tried again, for up to
// busy in 5 ms steps: connections opening a new file at once race to switch
// it to WAL, and that switch fails at once instead of waiting out
// busy_timeout (TestMigrations/concurrent saw it).
func (s *Store) migrate(ctx context.Context, version int, busy time.Duration) error {
	const pause = 5 * time.Millisecond
	for tries := 0; ; {
		done, err := s.migrateStep(ctx, version)
		if err != nil && s.d == SQLite && isBusy(err) && time.Duration(tries)*pause < busy {
			tries++
			select {
			case <-ctx.Done():
				return dbErr("migrate", "", "", ctx.Err())
			case <-time.After(pause):
			}
			continue
		}
		if err != nil || done {
			return err
		}
	}
}

// isBusy reports SQLite's SQLITE_BUSY (5), in any of its extended forms.
func isBusy(err error) bool {
	var c interface{ Code() int }
	return errors.As(err, &c) && c.Code()&0xff == 5
}

// migrateStep applies the next migration, if any, under a lock that keeps a
// second instance starting at the same time from applying it too.
func (s *Store) migrateStep(ctx context.Context, version int) (done bool, err error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return false, dbErr("migrate", "", "", err)
	}
	defer tx.Rollback()
	if s.d == Postgres {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(7283311)`); err != nil {
			return false, dbErr("migrate", "", "", err)
		}
	}
	// Under the lock: two instances creating the table at once collide even
	// with IF NOT EXISTS on PostgreSQL.
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS ppl_schema (version INTEGER NOT NULL)`); err != nil {
		return false, dbErr("migrate", "ppl_schema", "", err)
	}
	var cur int
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(MAX(version), 0) FROM ppl_schema`).Scan(&n, &cur); err != nil {
		return false, dbErr("migrate", "ppl_schema", "", err)
	}
	if cur > len(migrations) {
		return false, &Error{Op: "migrate", Table: "ppl_schema", Err: ErrSchemaVersion,
			Detail: fmt.Sprintf("the database is at version %d, this package knows %d; upgrade the program", cur, len(migrations))}
	}
	if cur >= version {
		return true, nil
	}
	text, err := migrationFS.ReadFile("migrations/" + migrations[cur])
	if err != nil {
		return false, dbErr("migrate", "", migrations[cur], err)
	}
	for _, stmt := range strings.Split(dialect(s.d, string(text)), ";") {
		if strings.TrimSpace(stripComments(stmt)) == "" {
			continue
		}
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return false, dbErr("migrate", "", migrations[cur], err)
		}
	}
	var res sql.Result
	if n == 0 {
		res, err = tx.ExecContext(ctx, rebind(s.d, `INSERT INTO ppl_schema (version) VALUES (?)`), cur+1)
	} else {
		res, err = tx.ExecContext(ctx, rebind(s.d, `UPDATE ppl_schema SET version = ?`), cur+1)
	}
	if err == nil {
		_, err = res.RowsAffected()
	}
	if err != nil {
		return false, dbErr("migrate", "ppl_schema", "", err)
	}
	return false, dbErr("migrate", "", migrations[cur], tx.Commit())
}

func stripComments(s string) string {
	var b strings.Builder
	for _, line := range strings.Split(s, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(line), "--") {
			b.WriteString(line + "\n")
		}
	}
	return b.String()
}

// Version reports the database's schema version.
func (s *Store) Version(ctx context.Context) (int, error) {
	var v int
	err := s.db.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM ppl_schema`).Scan(&v)
	return v, dbErr("Version", "ppl_schema", "", err)
}

package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

// pgDSN is the PostgreSQL the tests use, from PPL_TEST_POSTGRES. Unset, the
// PostgreSQL tests skip, except in CI, where skipping would hide that they
// never ran.
func pgDSN(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv("PPL_TEST_POSTGRES")
	if dsn == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("PPL_TEST_POSTGRES is unset in CI: .ci/run must start PostgreSQL and export it")
		}
		t.Skip("PPL_TEST_POSTGRES is unset: set it to a PostgreSQL DSN to run the PostgreSQL tests (see README)")
	}
	return dsn
}

var schemaSeq atomic.Int64

// withSearchPath returns dsn with its search_path set to schema, for either
// DSN form pgx reads.
func withSearchPath(dsn, schema string) string {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		sep := "?"
		if strings.Contains(dsn, "?") {
			sep = "&"
		}
		return dsn + sep + "search_path=" + schema
	}
	return dsn + " search_path=" + schema
}

// freshPostgres returns the DSN of a new, empty schema, dropped when the
// test ends, so that tests sharing one server never see each other's rows.
func freshPostgres(t testing.TB) string {
	t.Helper()
	dsn := pgDSN(t)
	schema := fmt.Sprintf("ppl_test_%d_%d", os.Getpid(), schemaSeq.Add(1))
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`CREATE SCHEMA ` + schema); err != nil {
		db.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := db.Exec(`DROP SCHEMA ` + schema + ` CASCADE`); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
		db.Close()
	})
	return withSearchPath(dsn, schema)
}

// freshDSN returns where a new, empty database of driver d lives.
func freshDSN(t testing.TB, d Driver) string {
	t.Helper()
	if d == Postgres {
		return freshPostgres(t)
	}
	return filepath.Join(t.TempDir(), "ppl.db")
}

func openFresh(t testing.TB, d Driver) *Store {
	t.Helper()
	s, err := Open(context.Background(), d, freshDSN(t, d), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

var drivers = []Driver{SQLite, Postgres}

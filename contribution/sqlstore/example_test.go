package sqlstore_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/peerproduction/ppl/contribution"
	"github.com/peerproduction/ppl/contribution/sqlstore"
)

// A ledger kept in a SQLite file: what it was told is still there when the
// file is opened again.
func ExampleOpen() {
	dir, _ := os.MkdirTemp("", "ppl")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "ppl.db")
	ctx := context.Background()
	day := func(n int) time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, n) }

	s, err := sqlstore.Open(ctx, sqlstore.SQLite, path, nil)
	if err != nil {
		panic(err)
	}
	l := contribution.NewLedger(s)
	_ = l.AddCommons(contribution.Commons{ID: "web"})
	_, _ = l.AddMembership(context.Background(), contribution.Membership{Contributor: "alice", Entity: "acme", From: day(0), Statement: "sha256:m1"})
	_, _ = l.AddContribution(context.Background(), contribution.Contribution{Commons: "web", Contributor: "alice", Kind: "code",
		Quantity: 30_000, Unit: "commits", At: day(10), Statement: "sha256:c1"})
	s.Close()

	s, err = sqlstore.Open(ctx, sqlstore.SQLite, path, nil)
	if err != nil {
		panic(err)
	}
	defer s.Close()
	l = contribution.NewLedger(s)
	_ = l.AddCommons(contribution.Commons{ID: "web"})
	r, err := l.Reciprocity(context.Background(), contribution.Query{Entity: "acme", Commons: "web", At: day(40)})
	fmt.Println(r.Total, err)
	// Output:
	// 30.000 <nil>
}

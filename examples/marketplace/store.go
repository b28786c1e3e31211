package main

// This file is the service's only contact with contribution/sqlstore, kept
// small so that changes to that package's API touch one place.

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/peerproduction/ppl/attest"
	"github.com/peerproduction/ppl/contribution"
	"github.com/peerproduction/ppl/contribution/sqlstore"
)

// ErrLocked: another instance holds the SQLite database.
var ErrLocked = errors.New("database is in use by another instance")

// backend is the durable store: the evidence log, payments, allocations and
// grants. The ledger the service quotes from is in memory, rebuilt from the
// evidence log (see server.catchUp).
type backend struct {
	db     *sqlstore.Store
	unlock func()
}

// openBackend opens dsn: a postgres:// or postgresql:// URL is PostgreSQL,
// anything else a SQLite file path. A SQLite file is taken with an exclusive
// lock on "<path>.lock" first: SQLite would let a second process write the
// same file, and two instances each holding their own in-memory index over
// one file would answer differently.
func openBackend(ctx context.Context, dsn string) (*backend, error) {
	if dsn == "" {
		return nil, errors.New("no database: give -db (a SQLite file path or a postgres:// URL)")
	}
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		db, err := sqlstore.Open(ctx, sqlstore.Postgres, dsn, nil)
		if err != nil {
			return nil, err
		}
		return &backend{db: db, unlock: func() {}}, nil
	}
	unlock, err := lockFile(dsn + ".lock")
	if err != nil {
		return nil, err
	}
	db, err := sqlstore.Open(ctx, sqlstore.SQLite, dsn, nil)
	if err != nil {
		unlock()
		return nil, err
	}
	return &backend{db: db, unlock: unlock}, nil
}

func (b *backend) Close() error {
	err := b.db.Close()
	b.unlock()
	return err
}

func (b *backend) shared() bool { return b.db.Driver() == sqlstore.Postgres }

// logged is one record of the evidence log as the service replays it.
type logged struct {
	seq       int64
	firstSeen time.Time
	envelope  []byte
}

// ingest appends a verified envelope to the evidence log (durable when it
// returns) with the rows it establishes; seen is the server's clock.
func (b *backend) ingest(ctx context.Context, v *attest.Verified, envelope []byte, c *contribution.Contribution, m *contribution.Membership) (added bool, err error) {
	established := sqlstore.EstablishedEntity
	switch {
	case c != nil:
		established = sqlstore.EstablishedContribution
	case m != nil:
		established = sqlstore.EstablishedMembership
	}
	res, err := b.db.Ingest(ctx, []sqlstore.Item{{Evidence: sqlstore.FromVerified(v, envelope, established), Contribution: c, Membership: m}})
	if err != nil {
		return false, err
	}
	return res[0].Added, nil
}

// since returns up to limit records after seq, in log order.
func (b *backend) since(ctx context.Context, seq int64, limit int) ([]logged, error) {
	evs, err := b.db.EvidenceSince(ctx, seq, limit)
	if err != nil {
		return nil, err
	}
	out := make([]logged, len(evs))
	for i, e := range evs {
		out[i] = logged{seq: e.Seq, firstSeen: e.FirstSeen, envelope: e.Envelope}
	}
	return out, nil
}

// payment is a payment as the service sees it.
type payment struct {
	Reference string    `json:"reference"`
	Commons   string    `json:"commons"`
	Payer     string    `json:"payer"`
	Amount    int64     `json:"amount"`
	Currency  string    `json:"currency"`
	At        time.Time `json:"at"`
}

// errDuplicate: the reference is already recorded (by any instance).
var errDuplicate = errors.New("payment reference already recorded")

// errNotFound: nothing is stored under that key.
var errNotFound = errors.New("not found")

// putPayment records p with its allocation parts. The reference is unique
// by the database's primary key, so across instances a reference is
// accepted at most once.
func (b *backend) putPayment(ctx context.Context, p payment, parts map[string]int64) error {
	added, err := b.db.PutPayment(ctx, sqlstore.Payment{Reference: p.Reference, Commons: p.Commons, Entity: p.Payer,
		Amount: p.Amount, Currency: p.Currency, At: p.At})
	if errors.Is(err, sqlstore.ErrConflict) || err == nil && !added {
		return fmt.Errorf("%w: %q", errDuplicate, p.Reference)
	}
	if err != nil {
		return err
	}
	return b.putAllocations(ctx, p.Reference, parts)
}

// putAllocations records how payment ref was divided. It is a second
// write after the payment's: a crash between the two leaves a payment
// without parts, which postPayment completes when the payment is posted again.
func (b *backend) putAllocations(ctx context.Context, ref string, parts map[string]int64) error {
	var as []sqlstore.Allocation
	for party, amount := range parts {
		as = append(as, sqlstore.Allocation{Party: party, Amount: amount})
	}
	_, err := b.db.PutAllocations(ctx, ref, as)
	return err
}

func (b *backend) payment(ctx context.Context, ref string) (payment, map[string]int64, error) {
	p, err := b.db.Payment(ctx, ref)
	if errors.Is(err, sqlstore.ErrNotFound) {
		return payment{}, nil, fmt.Errorf("%w: payment %q", errNotFound, ref)
	}
	if err != nil {
		return payment{}, nil, err
	}
	as, err := b.db.Allocations(ctx, ref)
	if err != nil {
		return payment{}, nil, err
	}
	parts := map[string]int64{}
	for _, a := range as {
		parts[a.Party] = a.Amount
	}
	return payment{Reference: p.Reference, Commons: p.Commons, Payer: p.Entity, Amount: p.Amount, Currency: p.Currency, At: p.At}, parts, nil
}

// putGrant records a signed grant.
func (b *backend) putGrant(ctx context.Context, digest, commons, entity, paymentRef string, issued, expires time.Time, envelope []byte) error {
	_, err := b.db.PutGrant(ctx, sqlstore.Grant{Digest: digest, Commons: commons, Entity: entity, Issued: issued, Expires: expires,
		Payment: paymentRef, Envelope: envelope})
	return err
}

func (b *backend) grant(ctx context.Context, digest string) ([]byte, error) {
	g, err := b.db.Grant(ctx, digest)
	if errors.Is(err, sqlstore.ErrNotFound) {
		return nil, fmt.Errorf("%w: grant %q", errNotFound, digest)
	}
	if err != nil {
		return nil, err
	}
	return g.Envelope, nil
}

func (b *backend) ping(ctx context.Context) error {
	_, err := b.db.Version(ctx)
	return err
}

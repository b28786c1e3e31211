package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Payment is money received for a licence, under the payer's reference (the
// payment provider's id), which the database keeps unique.
type Payment struct {
	Reference string
	Commons   string
	Entity    string
	Amount    int64 // minor units of Currency
	Currency  string
	At        time.Time
	Grant     string // digest of the grant it paid for; "" when none yet
}

// PutPayment records p. added is false when the identical payment is already
// held (a retry); a different payment under the same reference is refused
// with ErrConflict — by the database's primary key, so two instances cannot
// both accept one reference.
func (s *Store) PutPayment(ctx context.Context, p Payment) (added bool, err error) {
	const op, t = "PutPayment", "payments"
	switch {
	case p.Reference == "":
		return false, invalid(op, t, "", "Reference", "a payment needs its reference")
	case p.Amount < 0:
		return false, invalid(op, t, p.Reference, "Amount", "%d is negative", p.Amount)
	case p.Currency == "" || p.Commons == "" || p.Entity == "":
		return false, invalid(op, t, p.Reference, "Currency", "commons, entity and currency are required")
	}
	at, err := ns(op, t, p.Reference, "At", p.At)
	if err != nil {
		return false, err
	}
	added, err = affected(s.db.ExecContext(ctx, s.q.putPayment, p.Reference, p.Commons, p.Entity, p.Amount, p.Currency, at, p.Grant))
	if err != nil || added {
		return added, dbErr(op, t, p.Reference, err)
	}
	old, err := s.Payment(ctx, p.Reference)
	if err != nil {
		return false, err
	}
	p.At = fromNS(at)
	if old != p {
		return false, &Error{Op: op, Table: t, Key: p.Reference, Field: "Reference", Err: ErrConflict,
			Detail: fmt.Sprintf("reference already paid %d %s by %q for %q", old.Amount, old.Currency, old.Entity, old.Commons)}
	}
	return false, nil
}

// Payment returns the payment with this reference, or ErrNotFound.
func (s *Store) Payment(ctx context.Context, reference string) (Payment, error) {
	var p Payment
	var at int64
	err := s.db.QueryRowContext(ctx, s.q.payment, reference).Scan(&p.Reference, &p.Commons, &p.Entity, &p.Amount, &p.Currency, &at, &p.Grant)
	if errors.Is(err, sql.ErrNoRows) {
		return Payment{}, &Error{Op: "Payment", Table: "payments", Key: reference, Err: ErrNotFound}
	}
	p.At = fromNS(at)
	return p, dbErr("Payment", "payments", reference, err)
}

// Allocation is the part of a payment a party (the association, a
// contributor's key id) receives, in the payment's currency.
type Allocation struct {
	Party  string
	Amount int64
}

// PutAllocations records how payment reference was allocated, all parts or
// none. The parts must add up to the payment's amount. added is false when
// the same allocation is already held; a different one is ErrConflict.
func (s *Store) PutAllocations(ctx context.Context, reference string, parts []Allocation) (added bool, err error) {
	const op, t = "PutAllocations", "allocations"
	p, err := s.Payment(ctx, reference)
	if err != nil {
		return false, err
	}
	parts = slices.Clone(parts)
	slices.SortFunc(parts, func(a, b Allocation) int { return strings.Compare(a.Party, b.Party) })
	var sum int64
	for i, a := range parts {
		switch {
		case a.Party == "":
			return false, invalid(op, t, reference, fmt.Sprintf("parts[%d].Party", i), "a part needs its party")
		case i > 0 && parts[i-1].Party == a.Party:
			return false, invalid(op, t, reference, "Party", "party %q appears twice", a.Party)
		case a.Amount < 0 || a.Amount > p.Amount-sum:
			return false, invalid(op, t, reference, "Amount", "the parts exceed the payment's %d %s", p.Amount, p.Currency)
		}
		sum += a.Amount
	}
	if sum != p.Amount {
		return false, invalid(op, t, reference, "Amount", "the parts add up to %d, the payment is %d %s", sum, p.Amount, p.Currency)
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return false, dbErr(op, t, reference, err)
	}
	defer tx.Rollback()
	old, err := allocations(ctx, tx, s.q.allocations, reference)
	if err != nil {
		return false, err
	}
	if len(old) > 0 {
		if !slices.Equal(old, parts) {
			return false, &Error{Op: op, Table: t, Key: reference, Err: ErrConflict, Detail: "the payment was already allocated differently"}
		}
		return false, nil
	}
	if len(parts) > 0 {
		args := make([]any, 0, 3*len(parts))
		for _, a := range parts {
			args = append(args, reference, a.Party, a.Amount)
		}
		// A second instance allocating at the same time fails here on the
		// primary key rather than adding its parts to ours.
		if _, err := tx.ExecContext(ctx, rebind(s.d, `INSERT INTO allocations (reference, party, amount) VALUES `+placeholders(len(parts), 3)), args...); err != nil {
			return false, dbErr(op, t, reference, err)
		}
	}
	return true, dbErr(op, t, reference, tx.Commit())
}

// Allocations returns the parts of payment reference, sorted by party.
func (s *Store) Allocations(ctx context.Context, reference string) ([]Allocation, error) {
	return allocations(ctx, s.db, s.q.allocations, reference)
}

func allocations(ctx context.Context, x execer, q, reference string) ([]Allocation, error) {
	rows, err := x.QueryContext(ctx, q, reference)
	if err != nil {
		return nil, dbErr("Allocations", "allocations", reference, err)
	}
	defer rows.Close()
	var out []Allocation
	for rows.Next() {
		var a Allocation
		if err := rows.Scan(&a.Party, &a.Amount); err != nil {
			return nil, dbErr("Allocations", "allocations", reference, err)
		}
		out = append(out, a)
	}
	return out, dbErr("Allocations", "allocations", reference, rows.Err())
}

// Grant is a signed grant the marketplace issued.
type Grant struct {
	Digest   string // the grant statement's digest
	Commons  string
	Entity   string
	Issued   time.Time
	Expires  time.Time
	Payment  string // the reference it was paid by; "" for a free grant
	Envelope []byte // the signed envelope, verbatim
}

// PutGrant records g; added is false when the identical grant is held, and a
// different one under its digest is ErrConflict.
func (s *Store) PutGrant(ctx context.Context, g Grant) (added bool, err error) {
	const op, t = "PutGrant", "grants"
	if !isDigest(g.Digest) {
		return false, invalid(op, t, g.Digest, "Digest", "a digest is \"sha256:\" and 64 lower-case hex digits")
	}
	if len(g.Envelope) == 0 || g.Commons == "" || g.Entity == "" {
		return false, invalid(op, t, g.Digest, "Envelope", "envelope, commons and entity are required")
	}
	issued, err := ns(op, t, g.Digest, "Issued", g.Issued)
	if err != nil {
		return false, err
	}
	expires, err := ns(op, t, g.Digest, "Expires", g.Expires)
	if err != nil {
		return false, err
	}
	added, err = affected(s.db.ExecContext(ctx, s.q.putGrant, g.Digest, g.Commons, g.Entity, issued, expires, g.Payment, g.Envelope))
	if err != nil || added {
		return added, dbErr(op, t, g.Digest, err)
	}
	old, err := s.Grant(ctx, g.Digest)
	if err != nil {
		return false, err
	}
	if old.Commons != g.Commons || old.Entity != g.Entity || !old.Issued.Equal(g.Issued) || !old.Expires.Equal(g.Expires) ||
		old.Payment != g.Payment || string(old.Envelope) != string(g.Envelope) {
		return false, &Error{Op: op, Table: t, Key: g.Digest, Err: ErrConflict, Detail: "a different grant is stored under this digest"}
	}
	return false, nil
}

// Grant returns the grant with this digest, or ErrNotFound.
func (s *Store) Grant(ctx context.Context, digest string) (Grant, error) {
	var g Grant
	var issued, expires int64
	err := s.db.QueryRowContext(ctx, s.q.grant, digest).Scan(&g.Digest, &g.Commons, &g.Entity, &issued, &expires, &g.Payment, &g.Envelope)
	if errors.Is(err, sql.ErrNoRows) {
		return Grant{}, &Error{Op: "Grant", Table: "grants", Key: digest, Err: ErrNotFound}
	}
	g.Issued, g.Expires = fromNS(issued), fromNS(expires)
	return g, dbErr("Grant", "grants", digest, err)
}

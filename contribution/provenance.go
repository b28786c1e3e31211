package contribution

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/peerproduction/ppl/attest"
)

// provenance is what the ledger remembers of who signed each statement it
// ingested and when it first saw it, so that a key revoked later takes
// away exactly the statements first seen at or after its revocation time
// (attest.VerifyOptions.FirstSeen): honest history recorded before the
// theft keeps counting, whatever a thief backdates does not.
//
// It costs 24 bytes per statement and signer (a digest string header and a
// time), plus a map entry for the rare statement with several trusted
// signers.
type provenance struct {
	mu       sync.Mutex
	bySigner map[string][]seenStatement // key id -> statements it signed
	cosigned map[string][]string        // digest -> its signers, when more than one
	revoked  map[string]time.Time       // key id -> revoked from
}

type seenStatement struct {
	digest string
	seen   int64 // unix nanoseconds
}

// revokedAt reports whether every one of signers was revoked at or before
// seen: the statement then carries no trusted signature.
func (p *provenance) revokedAt(signers []string, seen time.Time) bool {
	if len(signers) == 0 {
		return false
	}
	for _, k := range signers {
		from, ok := p.revoked[k]
		if !ok || seen.Before(from) {
			return false
		}
	}
	return true
}

// admit checks a verified statement against the key revocations the ledger
// holds and, when it is still signed by a key in good standing at its
// first-seen time, returns a function that records its provenance once it
// has been stored. record reports false when a revocation of its signers
// came in between, for the caller to remove what it stored.
func (l *Ledger) admit(v *attest.Verified) (record func() bool, err error) {
	p := &l.prov
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.revokedAt(v.Signers, v.FirstSeen) {
		return nil, &Error{Err: attest.ErrRevoked, Statement: v.Digest, KeyID: v.Signers[0],
			Detail: "every key that signed it was revoked before it was first seen at " + v.FirstSeen.UTC().Format(time.RFC3339Nano)}
	}
	digest, seen, signers := v.Digest, v.FirstSeen.UnixNano(), slices.Clone(v.Signers)
	return func() bool {
		p.mu.Lock()
		defer p.mu.Unlock()
		if p.revokedAt(signers, v.FirstSeen) {
			return false
		}
		if p.bySigner == nil {
			p.bySigner, p.cosigned = map[string][]seenStatement{}, map[string][]string{}
		}
		for _, k := range signers {
			p.bySigner[k] = append(p.bySigner[k], seenStatement{digest, seen})
		}
		if len(signers) > 1 {
			p.cosigned[digest] = signers
		}
		return true
	}, nil
}

// RevokeKey withdraws key from time from on, as an attest revocation of the
// key does: every statement the ledger ingested whose trusted signers were
// all revoked by the time it was first seen is removed, and later ingests
// of such statements are refused. Statements first seen before from keep
// counting. A key's earliest revocation wins. It returns how many
// statements were removed.
//
// Only statements that came in through Ingest carry the provenance this
// needs; contributions and memberships added directly are the caller's to
// remove (Revoke).
func (l *Ledger) RevokeKey(ctx context.Context, key string, from time.Time) (removed int, err error) {
	if !attest.IsKeyID(key) {
		return 0, errorf(ErrInvalid, "", "key", "%q is not a key id", key)
	}
	p := &l.prov
	p.mu.Lock()
	if cur, ok := p.revoked[key]; ok && !from.Before(cur) {
		p.mu.Unlock()
		return 0, nil
	}
	if p.revoked == nil {
		p.revoked = map[string]time.Time{}
	}
	p.revoked[key] = from
	var gone []string
	keep := p.bySigner[key][:0]
	for _, s := range p.bySigner[key] {
		signers := p.cosigned[s.digest]
		if signers == nil {
			signers = []string{key}
		}
		if p.revokedAt(signers, time.Unix(0, s.seen)) {
			gone = append(gone, s.digest)
			continue
		}
		keep = append(keep, s)
	}
	p.bySigner[key] = keep
	for _, d := range gone {
		delete(p.cosigned, d)
	}
	p.mu.Unlock()

	for _, d := range gone {
		ok, err := l.store.Remove(ctx, d)
		if err != nil {
			return removed, err
		}
		if ok {
			removed++
		}
	}
	return removed, nil
}

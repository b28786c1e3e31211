package policy

import (
	"bytes"
	"context"
	"encoding/binary"
	"hash/maphash"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/peerproduction/ppl/contribution"
)

// maxEvidenceSets bounds the evaluator's cache of evidence sets. A set
// keeps a copy of its envelopes, so the bound is also one on memory (256
// requests of 100 one-KiB envelopes is 25 MiB); when full the cache is
// emptied, which costs verifying again, never a wrong answer.
const maxEvidenceSets = 256

// evidenceSet is what one request's evidence established. A request with
// the same evidence (byte for byte, in the same order), about the same
// entity, with the same choice of ledger, under the same Trust generation,
// at any instant in ev.holds, gets the same evidence: its envelopes are
// not verified, decoded or ingested again. Everything a set holds is read
// only, except the memos, which have their own lock.
type evidenceSet struct {
	raw         [][]byte // copies of the envelopes, compared on every hit
	entity, key string
	ledger      bool // whether the request brought its own ledger or reciprocity
	gen         uint64
	ev          evidence
	ignored     []Ignored

	mu    sync.Mutex
	recip []recipMemo // the ledger's answers, by instant and group
	fall  *fallMemo
}

type recipMemo struct {
	at      time.Time
	group   string
	r       contribution.Reciprocity
	err     error
	counted []Counted // for decisions that used no entity, fact or grant statement
}

// fallMemo is a FallsBelow answer found at instant at. With no
// contribution dated after at, the points at later instants are the same
// function of time, so the answer stands for every instant from at until
// it: a later request need not search again.
type fallMemo struct {
	at, t     time.Time
	threshold contribution.Points
	ok        bool
}

// evidenceFor returns what r's evidence establishes, from the cache when
// an earlier request had the same evidence and its answer holds at r.At.
func (e *Evaluator) evidenceFor(x *details, r *Request) evidence {
	gen := e.trust.Generation()
	ledger := r.Ledger != nil || r.Reciprocity != nil
	h := e.evidenceKey(r, gen, ledger)
	if set, ok := e.sets.Get(h); ok && set.matches(r, gen, ledger) && set.ev.holds.Contains(r.At) {
		x.ignored = append(x.ignored, set.ignored...)
		ev := set.ev
		ev.set = set
		return ev
	}
	// The set's own copy of the evidence, in one buffer, is made first and
	// verified: the verification cache may then keep these bytes rather
	// than copy them again (VerifyOptions.Owned), as nothing changes them.
	raw := make([][]byte, len(r.Evidence))
	size := 0
	for _, env := range r.Evidence {
		size += len(env)
	}
	buf := make([]byte, 0, size)
	for i, env := range r.Evidence {
		buf = append(buf, env...)
		raw[i] = buf[len(buf)-len(env) : len(buf) : len(buf)]
	}
	n := len(x.ignored)
	ev := e.verifyEvidence(x, r, raw)
	slices.SortFunc(ev.dates, time.Time.Compare)
	set := &evidenceSet{raw: raw, entity: r.Entity.ID, key: r.Entity.Key, ledger: ledger, gen: gen,
		ev: ev, ignored: slices.Clone(x.ignored[n:])}
	e.sets.Put(h, set)
	ev.set = set
	return ev
}

// evidenceKey hashes what identifies an evidence set: the generation, the
// ledger choice, the entity, and each envelope's length and last bytes
// (where a DSSE envelope keeps its signatures, so they differ between any
// two statements). Hashing every byte would cost as much as comparing
// them, and matches compares them all anyway: two sets that share a key
// only take turns in the cache. The seed is the evaluator's own.
func (e *Evaluator) evidenceKey(r *Request, gen uint64, ledger bool) uint64 {
	var h maphash.Hash
	h.SetSeed(e.seed)
	var n [8]byte
	binary.LittleEndian.PutUint64(n[:], gen)
	h.Write(n[:])
	if ledger {
		h.WriteByte(1)
	} else {
		h.WriteByte(0)
	}
	for _, s := range []string{r.Entity.ID, r.Entity.Key} {
		binary.LittleEndian.PutUint64(n[:], uint64(len(s)))
		h.Write(n[:])
		h.WriteString(s)
	}
	for _, raw := range r.Evidence {
		binary.LittleEndian.PutUint64(n[:], uint64(len(raw)))
		h.Write(n[:])
		h.Write(raw[max(0, len(raw)-keyTail):])
	}
	return h.Sum64()
}

// keyTail is how many of an envelope's last bytes its key takes: enough
// for a base64 Ed25519 signature and what closes the JSON around it.
const keyTail = 128

func (s *evidenceSet) matches(r *Request, gen uint64, ledger bool) bool {
	if s.gen != gen || s.ledger != ledger || s.entity != r.Entity.ID || s.key != r.Entity.Key || len(s.raw) != len(r.Evidence) {
		return false
	}
	for i, raw := range r.Evidence {
		if !bytes.Equal(s.raw[i], raw) {
			return false
		}
	}
	return true
}

// reciprocity is groupReciprocity over the set's ledger, remembered per
// instant and group. The answer is copied out: decisions own theirs.
func (s *evidenceSet) reciprocity(q contribution.Query, group []string) (contribution.Reciprocity, error) {
	g := strings.Join(group, "\x00")
	s.mu.Lock()
	if m := s.memo(q.At, g); m != nil {
		r, err := copyReciprocity(m.r), m.err
		s.mu.Unlock()
		return r, err
	}
	s.mu.Unlock()
	r, err := groupReciprocity(context.Background(), s.ev.ledger, q, group)
	s.mu.Lock()
	if len(s.recip) >= 4 { // a few recent instants; the oldest goes
		s.recip = s.recip[1:]
	}
	s.recip = append(s.recip, recipMemo{at: q.At, group: g, r: copyReciprocity(r), err: err})
	s.mu.Unlock()
	return r, err
}

// counted returns the evidence counted by a decision at instant at for
// group that used no entity, fact or grant statement: it depends on
// nothing but the set and the reciprocity answer, so it is remembered with
// that answer and shared (decisions hand it out read-only). compute makes
// it when it is not remembered.
func (s *evidenceSet) counted(at time.Time, group []string, compute func() []Counted) []Counted {
	g := strings.Join(group, "\x00")
	s.mu.Lock()
	if m := s.memo(at, g); m != nil && m.counted != nil {
		s.mu.Unlock()
		return m.counted
	}
	s.mu.Unlock()
	c := compute()
	s.mu.Lock()
	if m := s.memo(at, g); m != nil {
		m.counted = c
	}
	s.mu.Unlock()
	return c
}

// memo finds the remembered answer for instant at and group g; s.mu is
// held.
func (s *evidenceSet) memo(at time.Time, g string) *recipMemo {
	for i := range s.recip {
		if m := &s.recip[i]; m.at.Equal(at) && m.group == g {
			return m
		}
	}
	return nil
}

func copyReciprocity(r contribution.Reciprocity) contribution.Reciprocity {
	r.ByCommons = slices.Clone(r.ByCommons)
	r.ByMember = slices.Clone(r.ByMember)
	r.ByKind = slices.Clone(r.ByKind)
	r.ByStatement = slices.Clone(r.ByStatement)
	return r
}

// fallsBelow is the ledger's FallsBelow, answered from the memo when an
// earlier instant's answer still stands.
func (s *evidenceSet) fallsBelow(q contribution.Query, threshold contribution.Points) (time.Time, bool, error) {
	s.mu.Lock()
	m := s.fall
	s.mu.Unlock()
	if m != nil && m.threshold == threshold && m.ok && !q.At.Before(m.at) && q.At.Before(m.t) && !s.datedIn(m.at, q.At) {
		return m.t, true, nil
	}
	t, ok, err := s.ev.ledger.FallsBelow(context.Background(), q, threshold)
	if err == nil {
		s.mu.Lock()
		s.fall = &fallMemo{at: q.At, t: t, threshold: threshold, ok: ok}
		s.mu.Unlock()
	}
	return t, ok, err
}

// datedIn reports whether a contribution in the set's ledger is dated in
// (after, upTo].
func (s *evidenceSet) datedIn(after, upTo time.Time) bool {
	i, _ := slices.BinarySearchFunc(s.ev.dates, after, func(d, t time.Time) int {
		if d.After(t) {
			return 1
		}
		return -1
	})
	return i < len(s.ev.dates) && !s.ev.dates[i].After(upTo)
}

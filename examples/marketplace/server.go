package main

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/peerproduction/ppl/attest"
	"github.com/peerproduction/ppl/contribution"
	"github.com/peerproduction/ppl/contribution/payout"
	"github.com/peerproduction/ppl/license"
	"github.com/peerproduction/ppl/policy"
)

const maxBody = 1 << 20

// server is the marketplace: it takes attestations into a durable log and
// a ledger, quotes, grants and records payments. Everything it knows is
// rebuilt from the log on start.
type server struct {
	now     func() time.Time
	terms   *license.Terms
	eval    *policy.Evaluator
	trust   *attest.Trust
	commons contribution.Commons
	key     ed25519.PrivateKey
	plan    *payout.Plan
	log     *evidenceLog

	payMu    sync.Mutex // serialises payments: check, log and allocate as one step
	mu       sync.RWMutex
	ledger   *contribution.Ledger
	entities map[string]contribution.Entity
	payments map[string]bool               // references already allocated
	carried  map[string]int64              // payout carry-over
	allocs   map[string]*payout.Allocation // by payment reference
}

// record is one entry of the evidence log.
type record struct {
	Kind     string          `json:"kind"` // "attestation" or "payment"
	At       time.Time       `json:"at"`
	Envelope json.RawMessage `json:"envelope,omitempty"`
	Payment  *paymentJSON    `json:"payment,omitempty"`
}

type paymentJSON struct {
	Payer     string `json:"payer"`
	Amount    int64  `json:"amount"`
	Currency  string `json:"currency"`
	Reference string `json:"reference"`
}

var attestationTypes = []string{contribution.ContributionPredicateType, contribution.MembershipPredicateType, contribution.EntityPredicateType}

// apply indexes a verified record. It is used both for new records and
// for replay, so a restarted server answers exactly as before.
func (s *server) apply(rec record) error {
	switch rec.Kind {
	case "attestation":
		// The log's time is when the record was first seen: a key revoked
		// since keeps what it signed before its revocation.
		v, err := s.trust.Verify(rec.Envelope, attest.VerifyOptions{Time: rec.At, FirstSeen: rec.At, PredicateTypes: attestationTypes})
		if err != nil {
			return err
		}
		return s.index(v)
	case "payment":
		_, err := s.allocate(*rec.Payment, rec.At)
		return err
	}
	return fmt.Errorf("unknown record kind %q", rec.Kind)
}

func (s *server) index(v *attest.Verified) error {
	switch v.Statement.PredicateType {
	case contribution.EntityPredicateType:
		e, err := contribution.DecodeEntity(v)
		if err != nil {
			return err
		}
		s.mu.Lock()
		cur := s.entities[e.ID]
		s.entities[e.ID] = mergeFacts(cur, e)
		s.mu.Unlock()
		return nil
	case contribution.ContributionPredicateType:
		c, err := contribution.DecodeContribution(v, s.ledger)
		if err != nil {
			return err
		}
		_, err = s.ledger.AddContribution(context.Background(), c)
		return err
	default:
		m, err := contribution.DecodeMembership(v)
		if err != nil {
			return err
		}
		_, err = s.ledger.AddMembership(context.Background(), m)
		return err
	}
}

// mergeFacts keeps every known fact, later statements replacing earlier.
func mergeFacts(cur, e contribution.Entity) contribution.Entity {
	cur.ID = e.ID
	if e.Name != "" {
		cur.Name = e.Name
	}
	if e.Key != "" {
		cur.Key = e.Key
	}
	if e.Kind.Known {
		cur.Kind = e.Kind
	}
	if e.WorkerOwned.Known {
		cur.WorkerOwned = e.WorkerOwned
	}
	if e.SurplusToWorkers.Known {
		cur.SurplusToWorkers = e.SurplusToWorkers
	}
	if e.Headcount.Known {
		cur.Headcount = e.Headcount
	}
	if e.AnnualRevenue.Known {
		cur.AnnualRevenue = e.AnnualRevenue
	}
	return cur
}

func (s *server) allocate(p paymentJSON, at time.Time) (*payout.Allocation, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.payments[p.Reference] {
		return nil, fmt.Errorf("%w: payment %q is already recorded", errConflict, p.Reference)
	}
	a, err := payout.Allocate(context.Background(), s.plan, s.ledger, payout.Payment{Commons: s.commons.ID, Payer: p.Payer, Amount: p.Amount,
		Currency: p.Currency, At: at, Reference: p.Reference}, s.eval.TermsDigest(), s.carried)
	if err != nil {
		return nil, err
	}
	s.payments[p.Reference] = true
	s.carried = a.CarriedOut()
	s.allocs[p.Reference] = a
	return a, nil
}

var errConflict = errors.New("conflict")

func (s *server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/attestations", s.postAttestation)
	mux.HandleFunc("POST /v1/quotes", s.postQuote)
	mux.HandleFunc("POST /v1/grants", s.postGrant)
	mux.HandleFunc("POST /v1/payments", s.postPayment)
	mux.HandleFunc("GET /v1/commons/{id}/terms", s.getTerms)
	return mux
}

// problem writes an RFC 9457 problem document.
func problem(w http.ResponseWriter, status int, title, detail string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"type": "about:blank", "title": title, "status": status, "detail": detail})
}

func readBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			problem(w, http.StatusRequestEntityTooLarge, "request too large", fmt.Sprintf("the limit is %d bytes", maxBody))
		} else {
			problem(w, http.StatusBadRequest, "unreadable request body", err.Error())
		}
		return nil, false
	}
	return body, true
}

// reason names why evidence was refused, for the problem title.
func reason(err error) string {
	if w := policy.ReasonWord(err); w != "" {
		return w
	}
	return "invalid evidence"
}

func (s *server) postAttestation(w http.ResponseWriter, r *http.Request) {
	body, ok := readBody(w, r)
	if !ok {
		return
	}
	at := s.now()
	v, err := s.trust.Verify(body, attest.VerifyOptions{Time: at, PredicateTypes: attestationTypes})
	if err == nil {
		err = s.check(v)
	}
	if err != nil {
		problem(w, http.StatusUnprocessableEntity, reason(err), err.Error())
		return
	}
	rec, _ := json.Marshal(record{Kind: "attestation", At: at, Envelope: body})
	if err := s.log.append(rec); err != nil {
		problem(w, http.StatusInternalServerError, "evidence log write failed", err.Error())
		return
	}
	if err := s.index(v); err != nil {
		problem(w, http.StatusInternalServerError, "indexing failed after logging", err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	json.NewEncoder(w).Encode(map[string]any{"statement": v.Digest, "predicateType": v.Statement.PredicateType, "signers": v.Signers})
}

// check decodes without indexing, so nothing half-valid reaches the log.
func (s *server) check(v *attest.Verified) error {
	var err error
	switch v.Statement.PredicateType {
	case contribution.EntityPredicateType:
		_, err = contribution.DecodeEntity(v)
	case contribution.ContributionPredicateType:
		_, err = contribution.DecodeContribution(v, s.ledger)
	default:
		_, err = contribution.DecodeMembership(v)
	}
	return err
}

type quoteJSON struct {
	Entity     string `json:"entity"`
	Commercial bool   `json:"commercial"`
	Purpose    string `json:"purpose,omitempty"`
	Seats      int64  `json:"seats,omitempty"`
	FirstUse   string `json:"firstUse,omitempty"`
	At         string `json:"at,omitempty"` // default: now
	Payment    string `json:"payment,omitempty"`
}

func decodeStrict(body []byte, v any) error {
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("trailing data after the JSON object")
	}
	return nil
}

func (s *server) decide(w http.ResponseWriter, r *http.Request) (*policy.Decision, *quoteJSON, bool) {
	body, ok := readBody(w, r)
	if !ok {
		return nil, nil, false
	}
	var q quoteJSON
	if err := decodeStrict(body, &q); err != nil {
		problem(w, http.StatusBadRequest, "invalid quote request", err.Error())
		return nil, nil, false
	}
	if q.Entity == "" {
		problem(w, http.StatusBadRequest, "invalid quote request", "entity is required")
		return nil, nil, false
	}
	at := s.now()
	var firstUse time.Time
	for _, f := range []struct {
		src string
		dst *time.Time
	}{{q.At, &at}, {q.FirstUse, &firstUse}} {
		if f.src == "" {
			continue
		}
		t, err := time.Parse(time.RFC3339, f.src)
		if err != nil {
			problem(w, http.StatusBadRequest, "invalid quote request", fmt.Sprintf("time %q: want RFC 3339", f.src))
			return nil, nil, false
		}
		*f.dst = t
	}
	s.mu.RLock()
	ent, known := s.entities[q.Entity]
	s.mu.RUnlock()
	if !known {
		ent = contribution.Entity{ID: q.Entity}
	}
	d, err := s.eval.Evaluate(&policy.Request{Entity: ent, Use: policy.Use{Commercial: q.Commercial, Purpose: q.Purpose, Seats: q.Seats, FirstUse: firstUse},
		At: at, Ledger: s.ledger, Context: r.Context()})
	if err != nil {
		problem(w, http.StatusUnprocessableEntity, "cannot decide", err.Error())
		return nil, nil, false
	}
	return d, &q, true
}

func (s *server) postQuote(w http.ResponseWriter, r *http.Request) {
	d, _, ok := s.decide(w, r)
	if !ok {
		return
	}
	b, err := d.MarshalJSON()
	if err != nil {
		problem(w, http.StatusInternalServerError, "rendering failed", err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(append(b, '\n'))
}

func (s *server) postGrant(w http.ResponseWriter, r *http.Request) {
	d, q, ok := s.decide(w, r)
	if !ok {
		return
	}
	env, err := policy.SignGrant(d, s.key, q.Payment, d.At().AddDate(1, 0, 0))
	if err != nil {
		problem(w, http.StatusUnprocessableEntity, "cannot grant", err.Error())
		return
	}
	b, _ := env.MarshalJSON()
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	w.Write(append(b, '\n'))
}

func (s *server) postPayment(w http.ResponseWriter, r *http.Request) {
	body, ok := readBody(w, r)
	if !ok {
		return
	}
	var p paymentJSON
	if err := decodeStrict(body, &p); err != nil {
		problem(w, http.StatusBadRequest, "invalid payment", err.Error())
		return
	}
	s.payMu.Lock()
	defer s.payMu.Unlock()
	at := s.now()
	// Check first (allocation validates and is deterministic), log, then
	// allocate and answer; replay allocates the same way.
	s.mu.RLock()
	dup := s.payments[p.Reference]
	s.mu.RUnlock()
	if dup {
		problem(w, http.StatusConflict, "payment already recorded", p.Reference)
		return
	}
	if _, err := payout.Allocate(r.Context(), s.plan, s.ledger, payout.Payment{Commons: s.commons.ID, Payer: p.Payer, Amount: p.Amount,
		Currency: p.Currency, At: at, Reference: p.Reference}, "", nil); err != nil {
		problem(w, http.StatusUnprocessableEntity, "invalid payment", err.Error())
		return
	}
	rec, _ := json.Marshal(record{Kind: "payment", At: at, Payment: &p})
	if err := s.log.append(rec); err != nil {
		problem(w, http.StatusInternalServerError, "evidence log write failed", err.Error())
		return
	}
	a, err := s.allocate(p, at)
	if err != nil {
		status := http.StatusUnprocessableEntity
		if errors.Is(err, errConflict) {
			status = http.StatusConflict
		}
		problem(w, status, "payment not allocated", err.Error())
		return
	}
	env, err := a.Sign(s.plan, s.key)
	if err != nil {
		problem(w, http.StatusInternalServerError, "signing failed", err.Error())
		return
	}
	b, _ := env.MarshalJSON()
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	w.Write(append(b, '\n'))
}

func (s *server) getTerms(w http.ResponseWriter, r *http.Request) {
	if id := r.PathValue("id"); id != s.commons.ID {
		problem(w, http.StatusNotFound, "unknown commons", fmt.Sprintf("this marketplace serves commons %q, not %q", s.commons.ID, id))
		return
	}
	b, err := s.terms.MarshalJSON()
	if err != nil {
		problem(w, http.StatusInternalServerError, "rendering failed", err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(append(b, '\n'))
}

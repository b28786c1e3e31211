package main

import (
	"context"
	"crypto"
	"crypto/ed25519"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/peerproduction/ppl/attest"
	"github.com/peerproduction/ppl/contribution"
	"github.com/peerproduction/ppl/contribution/payout"
	"github.com/peerproduction/ppl/internal/canonjson"
	"github.com/peerproduction/ppl/license"
	"github.com/peerproduction/ppl/policy"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// setup is what a server serves: one commons with its recognised peers, as
// a manifest's Derive gives them (or the demo's sample values).
type setup struct {
	terms   *license.Terms
	commons contribution.Commons
	peers   []contribution.Commons
	trust   *attest.Trust
	eval    *policy.Evaluator
	plan    *payout.Plan // nil: payments are refused
}

// options configure a server.
type options struct {
	setup  setup
	key    crypto.Signer // the marketplace's signing key
	db     *backend
	tokens *tokens
	now    func() time.Time
	log    *slog.Logger
	// Per-client limits, requests a second (0: unlimited) and burst.
	attestRate, publicRate float64
	burst                  int
}

// server is the marketplace. The durable state is the store; the ledger and
// entity facts it quotes from are an in-memory index of the store's evidence
// log, applied in log order by catchUp alone, on start and after every
// write, so a restarted server (or another instance on the same PostgreSQL)
// applies the same records in the same order and answers the same.
type server struct {
	setup
	key     crypto.Signer
	pub     ed25519.PublicKey
	db      *backend
	tokens  *tokens
	now     func() time.Time
	log     *slog.Logger
	metrics *metrics
	attestL *limiter
	publicL *limiter
	grantT  *attest.Trust // verifies the grants this marketplace signs

	applyMu  sync.Mutex // one catchUp at a time: records apply in log order
	mu       sync.RWMutex
	ledger   *contribution.Ledger
	entities map[string]contribution.Entity
	seq      int64          // the newest log position applied
	late     map[int64]bool // on a shared store: positions skipped over that may still commit
	ready    atomic.Bool
	payMu    sync.Mutex // one allocation at a time: each sees the ledger as it was
}

func newServer(ctx context.Context, o options) (*server, error) {
	pub, ok := o.key.Public().(ed25519.PublicKey)
	if !ok {
		return nil, errors.New("the marketplace key must be Ed25519")
	}
	if o.log == nil {
		o.log = slog.New(slog.DiscardHandler)
	}
	if o.tokens == nil {
		o.tokens = &tokens{byID: map[string]tokenEntry{}}
	}
	gt, err := attest.NewTrust(attest.Rule{Key: pub, PredicateTypes: []string{policy.GrantPredicateType}, Subjects: []string{"commons:" + o.setup.commons.ID, "entity:*"}})
	if err != nil {
		return nil, err
	}
	s := &server{setup: o.setup, key: o.key, pub: pub, db: o.db, tokens: o.tokens, now: o.now, log: o.log, metrics: newMetrics(),
		attestL: newLimiter(o.attestRate, o.burst, o.now), publicL: newLimiter(o.publicRate, o.burst, o.now), grantT: gt,
		ledger: contribution.NewLedger(contribution.NewMemStore()), entities: map[string]contribution.Entity{}, late: map[int64]bool{}}
	for _, c := range append([]contribution.Commons{s.commons}, s.peers...) {
		if err := s.ledger.AddCommons(c); err != nil {
			return nil, err
		}
	}
	start := time.Now()
	if err := s.catchUp(ctx); err != nil {
		return nil, err
	}
	s.log.Info("index rebuilt from the evidence log", "records", s.seq, "took", time.Since(start))
	s.ready.Store(true)
	return s, nil
}

var attestationTypes = []string{contribution.ContributionPredicateType, contribution.MembershipPredicateType, contribution.EntityPredicateType}

// lookback is how many log positions behind the newest one applied a
// shared store is read again. On PostgreSQL a position is taken when a
// transaction inserts, not when it commits, so a slow transaction can
// commit position 9 after another committed 10: reading only after 10
// would miss 9 for good. A record committed more than lookback positions
// late is still missed until a restart, which reads the whole log.
const lookback = 1000

// catchUp applies every evidence record not applied yet, in log order.
// Each is verified again at its recorded first-seen time, so what counts is
// judged as it was when the store first held it, whoever wrote it.
func (s *server) catchUp(ctx context.Context) error {
	s.applyMu.Lock()
	defer s.applyMu.Unlock()
	from := s.seq
	if s.db.shared() {
		from = max(0, s.seq-lookback)
	}
	for {
		recs, err := s.db.since(ctx, from, 500)
		if err != nil {
			return err
		}
		if len(recs) == 0 {
			break
		}
		for _, rec := range recs {
			from = rec.seq
			if rec.seq <= s.seq && !(s.db.shared() && s.late[rec.seq]) {
				continue
			}
			s.apply(rec)
			if rec.seq <= s.seq {
				delete(s.late, rec.seq)
				continue
			}
			// Positions skipped over may still commit: remember them
			// (PostgreSQL leaves gaps for rolled-back and conflicting
			// inserts too, so most never arrive).
			if s.db.shared() {
				for g := s.seq + 1; g < rec.seq && rec.seq-g <= lookback; g++ {
					s.late[g] = true
				}
			}
			s.seq = rec.seq
		}
	}
	for g := range s.late {
		if g < s.seq-lookback {
			delete(s.late, g)
		}
	}
	s.metrics.logSeq.Set(float64(s.seq))
	return nil
}

// apply indexes one logged record.
func (s *server) apply(rec logged) {
	v, err := s.trust.Verify(rec.envelope, attest.VerifyOptions{Time: rec.firstSeen, FirstSeen: rec.firstSeen, PredicateTypes: attestationTypes})
	if err == nil {
		err = s.index(v)
	}
	if err != nil {
		// The store holds it, so it once verified: a configuration since
		// changed (a commons' manifest) no longer accepts it. It is skipped
		// alike on every instance and every restart.
		s.log.Warn("evidence no longer accepted; skipped", "seq", rec.seq, "err", err)
	}
	s.metrics.ingested.Inc()
}

// follow applies what other instances write, every interval, until ctx ends.
func (s *server) follow(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := s.catchUp(ctx); err != nil && ctx.Err() == nil {
				s.log.Error("following the evidence log", "err", err)
			}
		}
	}
}

// decoded is what a verified envelope establishes.
type decoded struct {
	entity       *contribution.Entity
	contribution *contribution.Contribution
	membership   *contribution.Membership
}

func (s *server) decode(v *attest.Verified) (decoded, error) {
	switch v.Statement.PredicateType {
	case contribution.EntityPredicateType:
		e, err := contribution.DecodeEntity(v)
		return decoded{entity: &e}, err
	case contribution.ContributionPredicateType:
		c, err := contribution.DecodeContribution(v, s.ledger)
		return decoded{contribution: &c}, err
	default:
		m, err := contribution.DecodeMembership(v)
		return decoded{membership: &m}, err
	}
}

func (s *server) index(v *attest.Verified) error {
	d, err := s.decode(v)
	if err != nil {
		return err
	}
	switch {
	case d.entity != nil:
		s.mu.Lock()
		s.entities[d.entity.ID] = mergeFacts(s.entities[d.entity.ID], *d.entity)
		s.mu.Unlock()
	case d.contribution != nil:
		_, err = s.ledger.AddContribution(context.Background(), *d.contribution)
	default:
		_, err = s.ledger.AddMembership(context.Background(), *d.membership)
	}
	return err
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

// routeTable is every route with who may call it.
func (s *server) routeTable() map[string]route {
	return map[string]route{
		"POST /v1/attestations":      {limit: s.attestL, h: s.postAttestation},
		"POST /v1/quotes":            {limit: s.publicL, h: s.postQuote},
		"POST /access/v1/evaluation": {limit: s.publicL, h: s.postEvaluation},
		"POST /v1/grants/verify":     {limit: s.publicL, h: s.postVerifyGrant},
		"GET /v1/commons/{id}/terms": {limit: s.publicL, h: s.getTerms},
		"POST /v1/grants":            {scope: ScopeGrants, h: s.postGrant},
		"GET /v1/grants/{digest}":    {scope: ScopeGrants, h: s.getGrant},
		"POST /v1/payments":          {scope: ScopePayments, h: s.postPayment},
		"GET /v1/payments/{ref}":     {scope: ScopePayments, h: s.getPayment},
		"GET /healthz":               {h: s.healthz},
		"GET /readyz":                {h: s.readyz},
		"GET /openapi.json":          {limit: s.publicL, h: serveOpenAPI},
		"GET /metrics":               {h: promhttp.HandlerFor(s.metrics.reg, promhttp.HandlerOpts{}).ServeHTTP},
	}
}

func (s *server) routes() http.Handler {
	mux := http.NewServeMux()
	for pattern, rt := range s.routeTable() {
		rt.name = pattern
		mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) { s.serve(rt, w, r) })
	}
	return s.fallback(mux)
}

func (s *server) healthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, []byte(`{"status":"ok"}`))
}

// readyz: ready once the index has caught up with the log at start and the
// database answers.
func (s *server) readyz(w http.ResponseWriter, r *http.Request) {
	if !s.ready.Load() {
		problem(w, http.StatusServiceUnavailable, "not ready", "the index is being rebuilt")
		return
	}
	if err := s.db.ping(r.Context()); err != nil {
		problem(w, http.StatusServiceUnavailable, "not ready", "database: "+err.Error())
		return
	}
	writeJSON(w, http.StatusOK, []byte(`{"status":"ready"}`))
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
	v, err := s.trust.Verify(body, attest.VerifyOptions{Time: s.now(), PredicateTypes: attestationTypes})
	var d decoded
	if err == nil {
		d, err = s.decode(v)
	}
	if err != nil {
		problem(w, http.StatusUnprocessableEntity, reason(err), err.Error())
		return
	}
	added, err := s.db.ingest(r.Context(), v, body, d.contribution, d.membership)
	if err != nil {
		s.log.Error("evidence write failed", "digest", v.Digest, "err", err)
		problem(w, http.StatusInternalServerError, "evidence write failed", "the record was not stored; retry")
		return
	}
	// Answer only once the index holds it, so a quote that follows sees it.
	if err := s.catchUp(r.Context()); err != nil {
		s.log.Error("index catch-up failed", "err", err)
		problem(w, http.StatusInternalServerError, "indexing failed", "the record is stored and will be indexed on the next catch-up")
		return
	}
	status := http.StatusCreated
	if !added {
		status = http.StatusOK
	}
	b, _ := canonjson.Marshal(map[string]any{"statement": v.Digest, "predicateType": v.Statement.PredicateType, "signers": v.Signers, "added": added})
	writeJSON(w, status, b)
}

type quoteJSON struct {
	Entity     string `json:"entity"`
	Commercial bool   `json:"commercial"`
	Purpose    string `json:"purpose,omitempty"`
	Seats      int64  `json:"seats,omitempty"`
	FirstUse   string `json:"firstUse,omitempty"`
	At         string `json:"at,omitempty"` // quotes only; default now
	Payment    string `json:"payment,omitempty"`
}

// badField answers 400 naming the member at fault.
func badField(w http.ResponseWriter, pointer, detail string) {
	writeProblem(w, problemDoc{Title: "invalid request body", Status: http.StatusBadRequest, Detail: detail, Pointer: pointer})
}

// decide evaluates q at time at (the server's clock unless a quote asks
// for another time).
func (s *server) decide(ctx context.Context, w http.ResponseWriter, q *quoteJSON, at time.Time) (*policy.Decision, bool) {
	if q.Entity == "" {
		badField(w, "/entity", "entity is required")
		return nil, false
	}
	if q.Seats < 0 {
		badField(w, "/seats", fmt.Sprintf("seats %d: must not be negative", q.Seats))
		return nil, false
	}
	var firstUse time.Time
	if q.FirstUse != "" {
		t, err := time.Parse(time.RFC3339, q.FirstUse)
		if err != nil {
			badField(w, "/firstUse", fmt.Sprintf("time %q: want RFC 3339", q.FirstUse))
			return nil, false
		}
		firstUse = t
	}
	s.mu.RLock()
	ent, known := s.entities[q.Entity]
	s.mu.RUnlock()
	if !known {
		ent = contribution.Entity{ID: q.Entity}
	}
	d, err := s.eval.Evaluate(&policy.Request{Entity: ent, Use: policy.Use{Commercial: q.Commercial, Purpose: q.Purpose, Seats: q.Seats, FirstUse: firstUse},
		At: at, Ledger: s.ledger, Context: ctx})
	if err != nil {
		problem(w, http.StatusUnprocessableEntity, "cannot decide", err.Error())
		return nil, false
	}
	s.metrics.quotes.WithLabelValues(string(d.Outcome())).Inc()
	return d, true
}

func (s *server) postQuote(w http.ResponseWriter, r *http.Request) {
	var q quoteJSON
	if !readJSON(w, r, &q) {
		return
	}
	at := s.now()
	if q.At != "" {
		t, err := time.Parse(time.RFC3339, q.At)
		if err != nil {
			badField(w, "/at", fmt.Sprintf("time %q: want RFC 3339", q.At))
			return
		}
		at = t
	}
	if q.Payment != "" {
		badField(w, "/payment", "a quote takes no payment; a grant does")
		return
	}
	d, ok := s.decide(r.Context(), w, &q, at)
	if !ok {
		return
	}
	b, err := d.MarshalJSON()
	if err != nil {
		problem(w, http.StatusInternalServerError, "rendering failed", err.Error())
		return
	}
	writeJSON(w, http.StatusOK, b)
}

// grantValidity bounds a grant: a year from issue at most.
const grantValidity = 365 * 24 * time.Hour

// postGrant signs a decision made now, by the server's clock: a client
// cannot date a grant. A pay decision is granted only against a payment
// the store recorded, by this entity, for this commons, covering the price.
func (s *server) postGrant(w http.ResponseWriter, r *http.Request) {
	var q quoteJSON
	if !readJSON(w, r, &q) {
		return
	}
	if q.At != "" {
		badField(w, "/at", "a grant is dated by the server's clock at issue")
		return
	}
	d, ok := s.decide(r.Context(), w, &q, s.now())
	if !ok {
		return
	}
	if d.Outcome() == policy.Pay {
		if q.Payment == "" {
			badField(w, "/payment", "the decision is pay: name the recorded payment it is paid by")
			return
		}
		p, _, err := s.db.payment(r.Context(), q.Payment)
		if errors.Is(err, errNotFound) {
			writeProblem(w, problemDoc{Title: "payment not recorded", Status: http.StatusUnprocessableEntity, Pointer: "/payment",
				Detail: fmt.Sprintf("no payment %q is recorded; record it first (POST /v1/payments)", q.Payment)})
			return
		}
		if err != nil {
			s.log.Error("payment lookup failed", "reference", q.Payment, "err", err)
			problem(w, http.StatusInternalServerError, "payment lookup failed", "retry")
			return
		}
		price := d.Price()
		if p.Payer != q.Entity || p.Commons != s.commons.ID || p.Currency != price.Currency || p.Amount < price.Amount {
			writeProblem(w, problemDoc{Title: "payment does not cover the grant", Status: http.StatusUnprocessableEntity, Pointer: "/payment",
				Detail: fmt.Sprintf("payment %q is %d %s by %q for %q; the grant needs %d %s by %q for %q",
					p.Reference, p.Amount, p.Currency, p.Payer, p.Commons, price.Amount, price.Currency, q.Entity, s.commons.ID)})
			return
		}
	} else if q.Payment != "" {
		badField(w, "/payment", fmt.Sprintf("the decision is %s: it takes no payment", d.Outcome()))
		return
	}
	env, err := policy.SignGrant(d, s.key, q.Payment, d.At().Add(grantValidity))
	if err != nil {
		problem(w, http.StatusUnprocessableEntity, "cannot grant", err.Error())
		return
	}
	b, err := env.MarshalJSON()
	if err != nil {
		problem(w, http.StatusInternalServerError, "rendering failed", err.Error())
		return
	}
	g, err := policy.VerifyGrant(s.grantT, b, d.At())
	if err != nil {
		problem(w, http.StatusInternalServerError, "signed grant does not verify", err.Error())
		return
	}
	until, err := time.Parse(time.RFC3339Nano, g.ValidUntil)
	if err != nil {
		problem(w, http.StatusInternalServerError, "signed grant has no end", err.Error())
		return
	}
	if err := s.db.putGrant(r.Context(), g.Statement, s.commons.ID, q.Entity, q.Payment, d.At(), until, b); err != nil {
		s.log.Error("grant write failed", "err", err)
		problem(w, http.StatusInternalServerError, "grant write failed", "the grant was not issued; retry")
		return
	}
	s.log.Info("grant issued", "token", whoOf(r), "entity", q.Entity, "payment", q.Payment, "grant", g.Statement)
	w.Header().Set("Location", "/v1/grants/"+g.Statement)
	writeJSON(w, http.StatusCreated, b)
}

// postVerifyGrant is public: anyone holding a grant can ask whether this
// marketplace signed it and whether it holds now.
func (s *server) postVerifyGrant(w http.ResponseWriter, r *http.Request) {
	body, ok := readBody(w, r)
	if !ok {
		return
	}
	g, err := policy.VerifyGrant(s.grantT, body, s.now())
	if err != nil {
		problem(w, http.StatusUnprocessableEntity, reason(err), err.Error())
		return
	}
	b, err := canonjson.Marshal(map[string]any{"valid": true, "statement": g.Statement, "signers": g.Signers, "grant": g})
	if err != nil {
		problem(w, http.StatusInternalServerError, "rendering failed", err.Error())
		return
	}
	writeJSON(w, http.StatusOK, b)
}

func (s *server) getGrant(w http.ResponseWriter, r *http.Request) {
	b, err := s.db.grant(r.Context(), r.PathValue("digest"))
	if errors.Is(err, errNotFound) {
		problem(w, http.StatusNotFound, "no such grant", err.Error())
		return
	}
	if err != nil {
		problem(w, http.StatusInternalServerError, "grant lookup failed", "retry")
		return
	}
	writeJSON(w, http.StatusOK, b)
}

type paymentJSON struct {
	Payer     string `json:"payer"`
	Amount    int64  `json:"amount"`
	Currency  string `json:"currency"`
	Reference string `json:"reference"`
}

// carryParty names an amount held back (under the plan's minimum payout)
// in a payment's stored allocation, so that its parts add up to the payment.
const carryParty = "carried:"

func (s *server) postPayment(w http.ResponseWriter, r *http.Request) {
	var p paymentJSON
	if !readJSON(w, r, &p) {
		return
	}
	if s.plan == nil {
		problem(w, http.StatusUnprocessableEntity, "no payout plan", fmt.Sprintf("commons %q's manifest sets no payout plan", s.commons.ID))
		return
	}
	if p.Reference == "" {
		badField(w, "/reference", "reference is required")
		return
	}
	if p.Payer == "" {
		badField(w, "/payer", "payer is required")
		return
	}
	// One at a time, so each allocation sees the ledger as of its own time.
	s.payMu.Lock()
	defer s.payMu.Unlock()
	at := s.now()
	// A payment stored without its allocation (a crash between the two
	// writes) is completed when posted again, as it was recorded.
	old, oldParts, err := s.db.payment(r.Context(), p.Reference)
	switch {
	case errors.Is(err, errNotFound):
	case err != nil:
		s.log.Error("payment lookup failed", "reference", p.Reference, "err", err)
		problem(w, http.StatusInternalServerError, "payment lookup failed", "retry")
		return
	case len(oldParts) == 0 && old.Payer == p.Payer && old.Amount == p.Amount && old.Currency == p.Currency && old.Commons == s.commons.ID &&
		at.Sub(old.At) >= pendingGrace:
		at = old.At
	case len(oldParts) == 0 && at.Sub(old.At) < pendingGrace:
		// Another instance may be between its two writes right now:
		// completing it here would accept the reference twice.
		w.Header().Set("Retry-After", strconv.Itoa(int(pendingGrace.Seconds())))
		writeProblem(w, problemDoc{Title: "payment being recorded", Status: http.StatusConflict, Pointer: "/reference",
			Detail: fmt.Sprintf("payment %q is being recorded; if that did not finish, post it again after %s", p.Reference, pendingGrace)})
		return
	default:
		writeProblem(w, problemDoc{Title: "payment already recorded", Status: http.StatusConflict, Pointer: "/reference",
			Detail: fmt.Sprintf("payment %q is already recorded", p.Reference)})
		return
	}
	a, err := payout.Allocate(r.Context(), s.plan, s.ledger, payout.Payment{Commons: s.commons.ID, Payer: p.Payer, Amount: p.Amount,
		Currency: p.Currency, At: at, Reference: p.Reference}, s.eval.TermsDigest(), nil)
	if err != nil {
		problem(w, http.StatusUnprocessableEntity, "invalid payment", err.Error())
		return
	}
	parts := map[string]int64{}
	if a.Association > 0 {
		parts[s.plan.Association] = a.Association
	}
	for _, sh := range a.Shares {
		if sh.Paid > 0 {
			parts[sh.Recipient] += sh.Paid
		}
		if sh.CarryOut > 0 {
			parts[carryParty+sh.Recipient] += sh.CarryOut
		}
	}
	env, err := a.Sign(s.plan, s.key)
	if err != nil {
		problem(w, http.StatusInternalServerError, "signing failed", err.Error())
		return
	}
	rec := payment{Reference: p.Reference, Commons: s.commons.ID, Payer: p.Payer, Amount: p.Amount, Currency: p.Currency, At: at}
	store := func() error { return s.db.putPayment(r.Context(), rec, parts) }
	if old.Reference != "" {
		store = func() error { return s.db.putAllocations(r.Context(), p.Reference, parts) }
		s.log.Warn("completing a payment stored without its allocation", "reference", p.Reference)
	}
	if err := store(); err != nil {
		if errors.Is(err, errDuplicate) {
			writeProblem(w, problemDoc{Title: "payment already recorded", Status: http.StatusConflict, Pointer: "/reference", Detail: err.Error()})
			return
		}
		s.log.Error("payment write failed", "reference", p.Reference, "err", err)
		problem(w, http.StatusInternalServerError, "payment write failed", "retry")
		return
	}
	s.log.Info("payment recorded", "token", whoOf(r), "reference", p.Reference, "payer", p.Payer, "amount", p.Amount, "currency", p.Currency)
	b, _ := env.MarshalJSON()
	w.Header().Set("Location", "/v1/payments/"+p.Reference)
	writeJSON(w, http.StatusCreated, b)
}

// pendingGrace is how long a payment stored without its allocation is
// taken to be another request's write under way, not a crash to repair.
// The two writes are separate in the store; one transaction would need
// no grace.
const pendingGrace = 30 * time.Second

func (s *server) getPayment(w http.ResponseWriter, r *http.Request) {
	p, parts, err := s.db.payment(r.Context(), r.PathValue("ref"))
	if errors.Is(err, errNotFound) {
		problem(w, http.StatusNotFound, "no such payment", err.Error())
		return
	}
	if err != nil {
		problem(w, http.StatusInternalServerError, "payment lookup failed", "retry")
		return
	}
	b, err := canonjson.Marshal(map[string]any{"payment": p, "allocation": parts})
	if err != nil {
		problem(w, http.StatusInternalServerError, "rendering failed", err.Error())
		return
	}
	writeJSON(w, http.StatusOK, b)
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
	writeJSON(w, http.StatusOK, b)
}

package attest

import (
	"crypto/ed25519"
	"crypto/sha256"
	"fmt"
	"hash/maphash"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Rule says that Key may attest statements of the given predicate types
// about the given subjects, from From (inclusive) until Until (exclusive);
// a zero time leaves that side open. A subject pattern is one subject name
// exactly ("commons:alpha"), a kind and "*" for every subject of that kind
// ("commons:*", "entity:*", "key:*", "statement:*"), or "*" for any
// subject; see CheckSubjectPattern. Patterns match whole ids, never a
// prefix of one, and only subjects inside the grammar (CheckSubject).
// Being trusted for RevocationPredicateType is the permission to revoke.
type Rule struct {
	Key            ed25519.PublicKey
	PredicateTypes []string
	Subjects       []string
	From, Until    time.Time
}

func (r Rule) covers(predicateType string, subjects []Subject) bool {
	if !slices.Contains(r.PredicateTypes, predicateType) {
		return false
	}
	for _, s := range subjects {
		// Checked once here rather than for every pattern: no pattern
		// covers a name outside the grammar.
		if !isSubject(s.Name) || !slices.ContainsFunc(r.Subjects, func(p string) bool { return matchValid(p, s.Name) }) {
			return false
		}
	}
	return true
}

type trustedKey struct {
	vk    verifyKey
	id    string
	rules []Rule
}

// Trust is a keyring: the keys whose statements count, each with the rules
// that scope it, and the revocations received so far. It is safe for
// concurrent use; every change bumps its generation, which keys the
// verification cache.
type Trust struct {
	once         sync.Once // sets up a zero Trust, so var t Trust is an empty keyring
	mu           sync.RWMutex
	gen          uint64
	keys         map[string]*trustedKey
	revokedKeys  map[string]time.Time // key id -> revoked from
	revokedStmts map[string]string    // statement digest -> revoking statement's digest
	known        map[string]string    // key ids, predicate types and exact subjects of the rules, to parse without copies
	cache        *verifyCache
	seed         maphash.Seed // for cache keys
}

// NewTrust returns a Trust holding rules.
func NewTrust(rules ...Rule) (*Trust, error) {
	t := new(Trust).ready()
	for i, r := range rules {
		if err := t.Add(r); err != nil {
			if ie, ok := err.(*IDError); ok {
				ie.Where = fmt.Sprintf("rules[%d].%s", i, ie.Where)
				return nil, ie
			}
			return nil, fmt.Errorf("rules[%d]: %w", i, err)
		}
	}
	return t, nil
}

// Add admits a rule. Weak keys (small order, non-canonical) are refused,
// and so is a subject pattern CheckSubjectPattern refuses, with an
// *IDError whose Where names it ("Subjects[1]"; from NewTrust
// "rules[3].Subjects[1]").
func (t *Trust) Add(r Rule) error {
	t.ready()
	if err := CheckPublicKey(r.Key); err != nil {
		return err
	}
	if len(r.PredicateTypes) == 0 || len(r.Subjects) == 0 {
		return &VerifyError{Err: ErrConfig, KeyID: KeyID(r.Key), Detail: "a rule needs at least one predicate type and one subject pattern"}
	}
	for i, p := range r.PredicateTypes {
		// A short name ("grant") would never equal a statement's
		// predicate type, so the rule would silently admit nothing.
		if !strings.Contains(p, ":") {
			return &VerifyError{Err: ErrConfig, KeyID: KeyID(r.Key), Detail: fmt.Sprintf("PredicateTypes[%d] %q is not a predicate type URI (such as %s)", i, p, RevocationPredicateType)}
		}
	}
	for i, p := range r.Subjects {
		if err := CheckSubjectPattern(p); err != nil {
			ie := err.(*IDError)
			ie.Where = fmt.Sprintf("Subjects[%d]", i)
			return ie
		}
	}
	if !r.Until.IsZero() && !r.Until.After(r.From) {
		return &VerifyError{Err: ErrConfig, KeyID: KeyID(r.Key), Detail: "rule's Until is not after From"}
	}
	r.Key = append(ed25519.PublicKey(nil), r.Key...)
	r.PredicateTypes = slices.Clone(r.PredicateTypes)
	r.Subjects = slices.Clone(r.Subjects)
	id := KeyID(r.Key)
	t.mu.Lock()
	defer t.mu.Unlock()
	k := t.keys[id]
	if k == nil {
		k = &trustedKey{id: id}
		k.vk.init(r.Key)
		t.keys[id] = k
	}
	k.rules = append(k.rules, r)
	t.known[id] = id
	for _, s := range slices.Concat(r.PredicateTypes, r.Subjects) {
		if !strings.HasSuffix(s, "*") {
			t.known[s] = s
		}
	}
	t.gen++
	return nil
}

// ready sets up t's maps, cache and seed once: a zero Trust is an empty
// keyring, as a NewTrust() one is.
func (t *Trust) ready() *Trust {
	t.once.Do(func() {
		t.seed = maphash.MakeSeed()
		t.keys, t.revokedKeys, t.revokedStmts, t.known = map[string]*trustedKey{}, map[string]time.Time{}, map[string]string{}, map[string]string{}
		t.cache = newVerifyCache()
	})
	return t
}

// Generation counts the changes made to t.
func (t *Trust) Generation() uint64 {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.gen
}

// VerifyOptions pins what a caller expects. PredicateTypes is required: a
// statement of any other type never verifies, so one kind of statement
// cannot be passed off as another.
type VerifyOptions struct {
	Time           time.Time // the instant to judge validity at; required
	PayloadType    string    // default PayloadType
	PredicateTypes []string
	Threshold      int // distinct trusted keys required; 0 means 1
	MaxBytes       int // envelope size limit; 0 means DefaultMaxEnvelopeBytes, negative none
	// Owned says the caller hands the envelopes' bytes over and will never
	// modify them, so the verification cache keeps them as they are rather
	// than a copy. A caller that keeps its own copy of the evidence anyway
	// (policy does) saves holding it twice.
	Owned bool
	// FirstSeen is when a recorder the caller trusts (a ledger, an
	// evidence log) first recorded this statement; zero means it is being
	// seen now, at Time. The signing keys' standing — their rules' windows
	// and their revocation — is judged at FirstSeen, never at a date the
	// signer wrote: a key revoked from T keeps the statements recorded
	// before T and gains none recorded after, however they are dated. The
	// statement's own validity window is judged at Time.
	FirstSeen time.Time
}

// seen is the instant the signing keys' standing is judged at.
func (o VerifyOptions) seen() time.Time {
	if o.FirstSeen.IsZero() {
		return o.Time
	}
	return o.FirstSeen
}

func (o VerifyOptions) limit() int {
	if o.MaxBytes == 0 {
		return DefaultMaxEnvelopeBytes
	}
	return o.MaxBytes
}

// Verified is a statement that passed verification. Everything in it was
// decoded from the payload bytes whose signatures were checked. Its
// Statement, Envelope and Payload may be shared with the verification cache:
// treat them as read-only.
type Verified struct {
	Statement  Statement
	Digest     string    // Digest of the payload
	Signers    []string  // key ids of the trusted keys counted, sorted
	Envelope   *Envelope // as parsed, for SignedBy checks of further signers
	Payload    []byte
	ValidFrom  time.Time // the predicate's own window; zero when absent
	ValidUntil time.Time
	// FirstSeen is the instant the signers' standing was judged at:
	// VerifyOptions.FirstSeen, or Time when that was zero. A recorder keeps
	// it with what the statement established.
	FirstSeen time.Time
	// Holds is how long this answer stands: verified at any instant in it,
	// under the same Trust generation, the envelope gives the same result.
	Holds Span

	signersBuf [2]string // Signers' backing array for the usual one or two signers
}

// sigResult is what signature checking established about one envelope,
// independent of time: the part the cache keeps.
type sigResult struct {
	raw       []byte // the envelope's bytes, compared on every cache hit
	env       *Envelope
	st        Statement
	digest    string
	keys      []*trustedKey // distinct keys with a valid signature
	from, til time.Time
	err       error // a refusal that holds at any time

	sum  [sha256.Size]byte // for a refusal, the SHA-256 of the envelope's bytes (raw is not kept)
	size int               // bytes the cache counts for this entry
}

// Verify checks a DSSE envelope given as JSON and returns the statement it
// carries when: the envelope and statement parse strictly; the payload and
// predicate types are the ones pinned; at least Threshold distinct trusted
// public keys (never key id strings or signature strings) have valid
// signatures over PAE; each counted key is trusted for the predicate type
// and every subject, and not revoked, at the time the statement was first
// seen (opt.FirstSeen, or opt.Time); the statement is not revoked; and its
// own validFrom/validUntil cover opt.Time.
//
// Signature checks are cached per envelope bytes and trust generation, so
// verifying the same envelope again costs a hash and map lookups.
//
// Refused only because opt.Time is outside the statement's own
// validFrom/validUntil (ErrNotYetValid, ErrExpired), Verify returns the
// Verified beside the error: every other check passed, so it says who
// signed what and for when, for a verifier who comes later. Any other
// refusal returns nil.
func (t *Trust) Verify(envelopeJSON []byte, opt VerifyOptions) (*Verified, error) {
	t.ready()
	limit := opt.limit()
	if err := tooLarge(envelopeJSON, limit); err != nil {
		return nil, err
	}
	t.mu.RLock()
	defer t.mu.RUnlock()
	key := t.cacheKey(envelopeJSON)
	res, ok := t.cached(key, envelopeJSON)
	if !ok {
		res = t.checkSignatures(envelopeJSON, limit)
		t.store(key, res, envelopeJSON, opt.Owned)
	}
	return t.judge(res, opt)
}

// VerifyEnvelope is Verify for an envelope already parsed; it is not cached.
func (t *Trust) VerifyEnvelope(e *Envelope, opt VerifyOptions) (*Verified, error) {
	if e == nil {
		return nil, &VerifyError{Err: ErrMalformed, Detail: "envelope is nil"}
	}
	t.ready()
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.judge(t.checkParsed(e), opt)
}

// VerifyAll verifies each of envelopes as Verify does and returns, at
// each index, what Verify would, under one read of the Trust. Answers and
// caching are the same.
func (t *Trust) VerifyAll(envelopes [][]byte, opt VerifyOptions) ([]*Verified, []error) {
	t.ready()
	limit := opt.limit()
	verified, errs := make([]*Verified, len(envelopes)), make([]error, len(envelopes))
	t.mu.RLock()
	defer t.mu.RUnlock()
	for i, data := range envelopes {
		if errs[i] = tooLarge(data, limit); errs[i] != nil {
			continue
		}
		key := t.cacheKey(data)
		res, ok := t.cached(key, data)
		if !ok {
			res = t.checkSignatures(data, limit)
			t.store(key, res, data, opt.Owned)
		}
		verified[i], errs[i] = t.judge(res, opt)
	}
	return verified, errs
}

func (t *Trust) checkSignatures(data []byte, limit int) *sigResult {
	e, err := parseEnvelope(data, limit, t.known)
	if err != nil {
		return &sigResult{err: err}
	}
	return t.checkParsed(e)
}

// An envelope may ask for at most maxCheckCost of signature checking. A
// check of one signature under one key costs hashing the PAE bytes
// (SHA-512 inside Ed25519) plus the curve arithmetic, which costs about
// what hashing checkOverhead bytes does; so each planned check counts
// len(PAE) + checkOverhead. The bound is on what the envelope asks for,
// decided before any check is made, so the refusal does not depend on
// which signatures happen to be valid.
const (
	checkOverhead = 32 << 10
	maxCheckCost  = 2 << 20
)

// planChecks counts the checks e's signatures call for: one for each
// signature whose key id names a trusted key, none for one whose key id
// is a fingerprint of a key this Trust does not hold, and one per trusted
// key for any other. It refuses an envelope that asks for more than
// maxCheckCost, except that one check is always allowed: a caller that
// raises VerifyOptions.MaxBytes past the budget still gets its large
// envelopes checked, at a cost in proportion to their bytes.
func (t *Trust) planChecks(e *Envelope) *VerifyError {
	hinted, unhinted := 0, 0
	for _, s := range e.Signatures {
		switch {
		case t.keys[s.KeyID] != nil:
			hinted++
		case !IsKeyID(s.KeyID):
			unhinted++
		}
	}
	checks := hinted + unhinted*len(t.keys)
	per := paeLen(e.PayloadType, len(e.Payload)) + checkOverhead
	allowed := max(1, maxCheckCost/per)
	if checks <= allowed {
		return nil
	}
	detail := fmt.Sprintf("the signatures ask for %d checks of a %d-byte message (%d under the keys their key ids name",
		checks, per-checkOverhead, hinted)
	if unhinted > 0 {
		detail += fmt.Sprintf(", %d without a trusted key id, each against all %d trusted keys", unhinted, len(t.keys))
	}
	detail += fmt.Sprintf("), more than an envelope may ask for (%d of this size); give each signature its signer's key id", allowed)
	return &VerifyError{Err: ErrTooLarge, Detail: detail}
}

// checkParsed establishes which trusted keys signed e. A signature whose
// key id names a trusted key is checked under that key only. A
// fingerprint that names no trusted key is taken at its word: the signer
// is not trusted, so its signature is not tried against every trusted key
// (a co-signer such as a member would cost a check per key). Any other key
// id, or none, leaves every trusted key to try (rare: this module always
// writes key ids), within the bound planChecks sets.
func (t *Trust) checkParsed(e *Envelope) *sigResult {
	res := &sigResult{env: e, digest: Digest(e.Payload)}
	if err := t.planChecks(e); err != nil {
		err.Digest = res.digest
		res.err = err
		return res
	}
	// PAE on the stack for envelopes of usual size: no copy on the heap.
	var buf [2048]byte
	msg := appendPAE(buf[:0], e.PayloadType, e.Payload)
	hinted := "" // a trusted key named by a signature that did not verify
	for _, s := range e.Signatures {
		if k := t.keys[s.KeyID]; k != nil {
			switch {
			case slices.Contains(res.keys, k):
				// Counted already: checking again cannot change the answer.
			case k.vk.verify(msg, s.Sig):
				res.keys = append(res.keys, k)
			default:
				hinted = k.id
			}
			continue
		}
		if IsKeyID(s.KeyID) {
			continue
		}
		for _, k := range t.keys {
			if !slices.Contains(res.keys, k) && k.vk.verify(msg, s.Sig) {
				res.keys = append(res.keys, k)
				break
			}
		}
	}
	return t.finish(res, hinted)
}

// finish completes a check: it sorts the distinct keys with a valid
// signature (never a key id or a signature counted twice), then parses
// the statement of an envelope that has one.
func (t *Trust) finish(res *sigResult, hinted string) *sigResult {
	e := res.env
	slices.SortFunc(res.keys, func(a, b *trustedKey) int { return strings.Compare(a.id, b.id) })
	if len(res.keys) == 0 {
		if hinted != "" {
			res.err = &VerifyError{Err: ErrBadSignature, KeyID: hinted, Digest: res.digest}
		} else {
			// A parsed envelope has a signature; one built by a caller
			// may have none.
			res.err = &VerifyError{Err: ErrUntrustedKey, Digest: res.digest}
			if len(e.Signatures) > 0 {
				res.err.(*VerifyError).KeyID = e.Signatures[0].KeyID
			}
		}
		return res
	}
	// Only now, with a trusted signature over these exact bytes, is the
	// payload parsed.
	st, err := parseStatement(e.Payload, t.known)
	if err != nil {
		err.(*VerifyError).Digest = res.digest
		res.err = err
		return res
	}
	res.st = st
	res.from, res.til, err = validity(st.Predicate)
	if err != nil {
		res.err = &VerifyError{Err: ErrMalformed, Digest: res.digest, Detail: err.Error()}
	}
	return res
}

func (t *Trust) judge(res *sigResult, opt VerifyOptions) (*Verified, error) {
	if res.err != nil {
		return nil, res.err
	}
	if opt.Time.IsZero() {
		return nil, &VerifyError{Err: ErrConfig, Digest: res.digest, Detail: "VerifyOptions.Time is required (no hidden clock)"}
	}
	if len(opt.PredicateTypes) == 0 {
		return nil, &VerifyError{Err: ErrConfig, Digest: res.digest, Detail: "VerifyOptions.PredicateTypes is required: name the predicate types you expect"}
	}
	wantPT := opt.PayloadType
	if wantPT == "" {
		wantPT = PayloadType
	}
	if res.env.PayloadType != wantPT {
		return nil, &VerifyError{Err: ErrWrongType, Digest: res.digest, Detail: fmt.Sprintf("payload type %q, want %q", res.env.PayloadType, wantPT)}
	}
	st := res.st
	if !slices.Contains(opt.PredicateTypes, st.PredicateType) {
		return nil, &VerifyError{Err: ErrWrongType, Digest: res.digest, Detail: fmt.Sprintf("predicate type %q, want one of %q", st.PredicateType, opt.PredicateTypes)}
	}
	if by, ok := t.revokedStmts[res.digest]; ok {
		return nil, &VerifyError{Err: ErrRevoked, Digest: res.digest, Detail: "statement revoked by " + by}
	}
	at, seen := opt.Time, opt.seen()
	holds := t.holds(res, at, !opt.FirstSeen.IsZero())
	v := &Verified{}
	signers := v.signersBuf[:0]
	var refusal *VerifyError
	for _, k := range res.keys {
		if err := t.keyAllowed(k, st, seen); err != nil {
			if refusal == nil || rank(err.Err) > rank(refusal.Err) {
				refusal = err
			}
			continue
		}
		signers = append(signers, k.id)
	}
	need := max(opt.Threshold, 1)
	if len(signers) < need {
		if len(signers) > 0 || refusal == nil {
			refusal = &VerifyError{Err: ErrThreshold, Detail: fmt.Sprintf("%d of %d required", len(signers), need)}
		}
		refusal.Digest, refusal.Holds = res.digest, holds
		return nil, refusal
	}
	v.Statement, v.Digest, v.Signers, v.Envelope = st, res.digest, signers, res.env
	v.Payload, v.ValidFrom, v.ValidUntil, v.Holds = res.env.Payload, res.from, res.til, holds
	v.FirstSeen = seen
	// Outside its own window the statement is refused, but what it says
	// is still returned with the refusal: its signers were trusted for it,
	// so a verifier years later can learn who signed what, for when.
	if !res.from.IsZero() && at.Before(res.from) {
		return v, &VerifyError{Err: ErrNotYetValid, Digest: res.digest, Holds: holds, Detail: "statement valid from " + res.from.Format(time.RFC3339)}
	}
	if !res.til.IsZero() && !at.Before(res.til) {
		return v, &VerifyError{Err: ErrExpired, Digest: res.digest, Holds: holds, Detail: "statement valid until " + res.til.Format(time.RFC3339)}
	}
	return v, nil
}

// holds is the span around at in which judging res gives the same answer:
// judge compares the time only with the statement's window and, unless the
// keys are judged at a fixed first-seen instant, the windows of the signing
// keys' rules and the keys' revocation instants.
func (t *Trust) holds(res *sigResult, at time.Time, seenFixed bool) Span {
	s := Span{}.Around(at, res.from, res.til)
	if seenFixed {
		return s
	}
	for _, k := range res.keys {
		if from, ok := t.revokedKeys[k.id]; ok {
			s = s.Around(at, from)
		}
		for _, r := range k.rules {
			s = s.Around(at, r.From, r.Until)
		}
	}
	return s
}

// rank orders refusals so the most telling one is reported.
func rank(err error) int {
	switch err {
	case ErrRevoked:
		return 4
	case ErrExpired, ErrNotYetValid:
		return 3
	case ErrOutOfScope:
		return 2
	}
	return 1
}

// keyAllowed judges k's standing for st at seen, the instant st was first
// seen.
func (t *Trust) keyAllowed(k *trustedKey, st Statement, seen time.Time) *VerifyError {
	if from, ok := t.revokedKeys[k.id]; ok && !seen.Before(from) {
		return &VerifyError{Err: ErrRevoked, KeyID: k.id, Detail: "key revoked from " + from.Format(time.RFC3339) + "; statement first seen " + seen.Format(time.RFC3339)}
	}
	var timeErr *VerifyError
	for _, r := range k.rules {
		if !r.covers(st.PredicateType, st.Subject) {
			continue
		}
		if !r.From.IsZero() && seen.Before(r.From) {
			timeErr = &VerifyError{Err: ErrNotYetValid, KeyID: k.id, Detail: "key trusted from " + r.From.Format(time.RFC3339)}
			continue
		}
		if !r.Until.IsZero() && !seen.Before(r.Until) {
			timeErr = &VerifyError{Err: ErrExpired, KeyID: k.id, Detail: "key trusted until " + r.Until.Format(time.RFC3339)}
			continue
		}
		return nil
	}
	if timeErr != nil {
		return timeErr
	}
	names := make([]string, len(st.Subject))
	for i, s := range st.Subject {
		names[i] = s.Name
		if !isSubject(s.Name) { // quoted: the message must not carry a bidi control or a look-alike raw
			names[i] = strconv.QuoteToASCII(s.Name)
		}
	}
	return &VerifyError{Err: ErrOutOfScope, KeyID: k.id,
		Detail: fmt.Sprintf("not trusted for %s about %s", st.PredicateType, strings.Join(names, ", "))}
}

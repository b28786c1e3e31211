package main

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/peerproduction/ppl/internal/canonjson"
)

// Scopes an operator token may carry.
const (
	ScopePayments    = "payments"    // record payments, read payments and allocations
	ScopeGrants      = "grants"      // issue grants
	ScopeRevocations = "revocations" // reserved: revocations are not served yet
	ScopeManifests   = "manifests"   // reserved: manifest updates are not served yet
)

var knownScopes = []string{ScopePayments, ScopeGrants, ScopeRevocations, ScopeManifests}

// ErrToken: the token file is malformed.
var ErrToken = errors.New("token file is malformed")

// tokenEntry is one line of the token file: the SHA-256 of the token's
// secret, never the secret itself. The secrets are 256 random bits, so a
// fast hash is enough; a slow password hash would only slow every request.
type tokenEntry struct {
	ID     string   `json:"id"`
	Hash   string   `json:"sha256"`
	Scopes []string `json:"scopes"`
}

// tokens checks bearer tokens "ppl_<id>_<secret>" against a token file.
type tokens struct {
	byID map[string]tokenEntry
}

// loadTokens reads a token file (one JSON object per line); a missing file
// is no tokens, so only public routes answer.
func loadTokens(path string) (*tokens, error) {
	t := &tokens{byID: map[string]tokenEntry{}}
	if path == "" {
		return t, nil
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return t, nil
	}
	if err != nil {
		return nil, err
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		var e tokenEntry
		if err := canonjson.Decode(line, &e, canonjson.Limits{}); err != nil {
			return nil, fmt.Errorf("%w: %s line %d: %w", ErrToken, path, n, err)
		}
		if h, err := hex.DecodeString(e.Hash); err != nil || len(h) != sha256.Size || e.ID == "" {
			return nil, fmt.Errorf("%w: %s line %d: want an id and a sha256 of 64 hex digits", ErrToken, path, n)
		}
		for _, s := range e.Scopes {
			if !slices.Contains(knownScopes, s) {
				return nil, fmt.Errorf("%w: %s line %d: unknown scope %q", ErrToken, path, n, s)
			}
		}
		if _, dup := t.byID[e.ID]; dup {
			return nil, fmt.Errorf("%w: %s line %d: token id %q given twice", ErrToken, path, n, e.ID)
		}
		t.byID[e.ID] = e
	}
	return t, sc.Err()
}

// createToken makes a new token with scopes, appends its hash to the file
// and returns the token, which is shown once and stored nowhere.
func createToken(path string, scopes []string) (string, error) {
	for _, s := range scopes {
		if !slices.Contains(knownScopes, s) {
			return "", fmt.Errorf("unknown scope %q (known: %s)", s, strings.Join(knownScopes, ", "))
		}
	}
	if len(scopes) == 0 {
		return "", errors.New("give at least one scope")
	}
	if _, err := loadTokens(path); err != nil {
		return "", err
	}
	var id [6]byte
	var secret [32]byte
	rand.Read(id[:])
	rand.Read(secret[:])
	e := tokenEntry{ID: hex.EncodeToString(id[:]), Scopes: scopes}
	sum := sha256.Sum256([]byte(hex.EncodeToString(secret[:])))
	e.Hash = hex.EncodeToString(sum[:])
	line, err := canonjson.Marshal(e)
	if err != nil {
		return "", err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return "", err
	}
	if _, err := f.Write(append(line, '\n')); err != nil {
		f.Close()
		return "", err
	}
	if err := f.Close(); err != nil {
		return "", err
	}
	return "ppl_" + e.ID + "_" + hex.EncodeToString(secret[:]), nil
}

// errUnauthenticated and errForbidden are the two refusals of authorize.
var (
	errUnauthenticated = errors.New("no valid operator token")
	errForbidden       = errors.New("token lacks the scope")
)

// authorize returns the id of the token in r's Authorization header if it
// carries scope.
func (t *tokens) authorize(r *http.Request, scope string) (string, error) {
	h := r.Header.Get("Authorization")
	tok, ok := strings.CutPrefix(h, "Bearer ")
	if !ok {
		return "", errUnauthenticated
	}
	rest, ok := strings.CutPrefix(tok, "ppl_")
	id, secret, ok2 := strings.Cut(rest, "_")
	if !ok || !ok2 {
		return "", errUnauthenticated
	}
	e, known := t.byID[id]
	want := make([]byte, sha256.Size) // an unknown id compares against zeros, as long
	if known {
		want, _ = hex.DecodeString(e.Hash)
	}
	got := sha256.Sum256([]byte(secret))
	// Compare even for an unknown id, so timing does not tell ids apart.
	if subtle.ConstantTimeCompare(got[:], want) != 1 || !known {
		return "", errUnauthenticated
	}
	if !slices.Contains(e.Scopes, scope) {
		return id, fmt.Errorf("%w %q", errForbidden, scope)
	}
	return id, nil
}

// limiter is a token bucket per client address: rate requests a second,
// bursts of burst. Buckets idle long enough to be full again are dropped.
type limiter struct {
	rate, burst float64
	now         func() time.Time
	mu          sync.Mutex
	buckets     map[string]*bucket
	sweep       time.Time
}

type bucket struct {
	tokens float64
	at     time.Time
}

func newLimiter(rate float64, burst int, now func() time.Time) *limiter {
	return &limiter{rate: rate, burst: float64(burst), now: now, buckets: map[string]*bucket{}}
}

// allow takes one request from client's bucket; when empty it says how long
// until one is available.
func (l *limiter) allow(client string) (bool, time.Duration) {
	if l == nil || l.rate <= 0 {
		return true, 0
	}
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.sweep) > time.Minute {
		full := time.Duration(l.burst / l.rate * float64(time.Second))
		for k, b := range l.buckets {
			if now.Sub(b.at) > full {
				delete(l.buckets, k)
			}
		}
		l.sweep = now
	}
	b := l.buckets[client]
	if b == nil {
		b = &bucket{tokens: l.burst, at: now}
		l.buckets[client] = b
	}
	if el := now.Sub(b.at).Seconds(); el > 0 {
		b.tokens = math.Min(l.burst, b.tokens+el*l.rate)
		b.at = now
	}
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	return false, time.Duration((1 - b.tokens) / l.rate * float64(time.Second))
}

// clientAddr is the peer's IP: the service does not trust X-Forwarded-For,
// which any client can write; behind a proxy, rate limits are the proxy's.
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

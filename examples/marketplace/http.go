package main

import (
	"context"
	"crypto/rand"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strconv"
	"time"

	"github.com/peerproduction/ppl/internal/canonjson"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

const maxBody = 1 << 20

// maxHeader bounds a request's target and header fields. The server reads
// up to maxHeaderRead (net/http answers beyond that itself, in plain text);
// between the two the answer is a problem document.
const (
	maxHeader     = 16 << 10
	maxHeaderRead = 64 << 10
)

func headerBytes(r *http.Request) int {
	n := len(r.RequestURI)
	for k, vs := range r.Header {
		for _, v := range vs {
			n += len(k) + len(v) + 4
		}
	}
	return n
}

// problemDoc is an RFC 9457 problem document; pointer names the offending
// member of a request body (RFC 6901), where there is one.
type problemDoc struct {
	Type     string `json:"type"`
	Title    string `json:"title"`
	Status   int    `json:"status"`
	Detail   string `json:"detail,omitempty"`
	Pointer  string `json:"pointer,omitempty"`
	Instance string `json:"instance,omitempty"` // the request id
}

func problem(w http.ResponseWriter, status int, title, detail string) {
	writeProblem(w, problemDoc{Title: title, Status: status, Detail: detail})
}

func writeProblem(w http.ResponseWriter, p problemDoc) {
	p.Type = "about:blank"
	if id := w.Header().Get("X-Request-Id"); id != "" {
		p.Instance = "urn:request:" + id
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Del("Content-Length")
	w.WriteHeader(p.Status)
	json.NewEncoder(w).Encode(p)
}

// readJSON reads a POST body strictly into v: application/json only (a
// form or text/plain post from a foreign page is refused, so a browser
// cannot be made to post for a user), at most maxBody bytes, and through
// the library's strict reader, which refuses duplicate and case-variant
// keys, unknown members and trailing data, naming where.
func readJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	body, ok := readBody(w, r)
	if !ok {
		return false
	}
	if err := canonjson.Decode(body, v, canonjson.Limits{MaxBytes: maxBody}); err != nil {
		p := problemDoc{Title: "invalid request body", Status: http.StatusBadRequest, Detail: err.Error()}
		var je *canonjson.Error
		if errors.As(err, &je) {
			p.Pointer = je.Pointer
		}
		writeProblem(w, p)
		return false
	}
	return true
}

func readBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		problem(w, http.StatusUnsupportedMediaType, "unsupported media type", "POST bodies must be application/json")
		return nil, false
	}
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

func writeJSON(w http.ResponseWriter, status int, b []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}

// metrics are the service's Prometheus metrics, in a registry of its own
// (so that tests can run several servers in one process).
type metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	quotes   *prometheus.CounterVec
	ingested prometheus.Counter
	logSeq   prometheus.Gauge
}

func newMetrics() *metrics {
	m := &metrics{reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "ppl_http_requests_total", Help: "HTTP requests by route and status."}, []string{"route", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "ppl_http_request_duration_seconds", Help: "HTTP request latency by route and status.",
			Buckets: prometheus.ExponentialBuckets(50e-6, 2, 16)}, []string{"route", "code"}),
		quotes:   prometheus.NewCounterVec(prometheus.CounterOpts{Name: "ppl_quotes_total", Help: "Decisions by outcome."}, []string{"outcome"}),
		ingested: prometheus.NewCounter(prometheus.CounterOpts{Name: "ppl_evidence_applied_total", Help: "Evidence log records applied to the in-memory index."}),
		logSeq:   prometheus.NewGauge(prometheus.GaugeOpts{Name: "ppl_evidence_seq", Help: "Last evidence log sequence number applied."}),
	}
	m.reg.MustRegister(m.requests, m.latency, m.quotes, m.ingested, m.logSeq,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// recorder remembers the status written, for logs and metrics.
type recorder struct {
	http.ResponseWriter
	status int
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

// whoKey carries the operator token id from authorization to the access log.
type whoKey struct{}

type who struct{ id string }

// route is one endpoint's policy: who may call it and how often.
type route struct {
	name  string // the pattern, for logs and metrics
	scope string // "" for public
	limit *limiter
	h     http.HandlerFunc
}

func requestID() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// serve runs rt with the checks every route shares, in the order that
// leaks least: rate limit, then authorization, then the handler.
func (s *server) serve(rt route, w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	id := requestID()
	w.Header().Set("X-Request-Id", id)
	rec := &recorder{ResponseWriter: w}
	wh := &who{}
	defer func() {
		code := strconv.Itoa(rec.status)
		el := time.Since(start)
		s.metrics.requests.WithLabelValues(rt.name, code).Inc()
		s.metrics.latency.WithLabelValues(rt.name, code).Observe(el.Seconds())
		lvl := slog.LevelInfo
		if rec.status >= 500 {
			lvl = slog.LevelError
		}
		s.log.Log(r.Context(), lvl, "request", "id", id, "route", rt.name, "method", r.Method, "path", r.URL.Path,
			"status", rec.status, "client", clientAddr(r), "token", wh.id, "duration", el)
	}()
	if ok, wait := rt.limit.allow(clientAddr(r)); !ok {
		secs := max(1, int((wait+time.Second-1)/time.Second)) // rounded up: never retry too early
		rec.Header().Set("Retry-After", strconv.Itoa(secs))
		problem(rec, http.StatusTooManyRequests, "too many requests", fmt.Sprintf("retry after %d s", secs))
		return
	}
	if rt.scope != "" {
		tid, err := s.tokens.authorize(r, rt.scope)
		wh.id = tid
		switch {
		case errors.Is(err, errUnauthenticated):
			rec.Header().Set("WWW-Authenticate", `Bearer realm="ppl"`)
			problem(rec, http.StatusUnauthorized, "authentication required", "this route needs an operator token (Authorization: Bearer ppl_…)")
			return
		case err != nil:
			problem(rec, http.StatusForbidden, "forbidden", err.Error())
			return
		}
	}
	rt.h(rec, r.WithContext(contextWithWho(r, wh)))
}

// fallback answers what the mux has no route for (404, 405 with Allow) as
// problem documents rather than the mux's plain text.
func (s *server) fallback(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n := headerBytes(r); n > maxHeader {
			s.serve(route{name: "oversized", h: func(w http.ResponseWriter, r *http.Request) {
				problem(w, http.StatusRequestHeaderFieldsTooLarge, "request header fields too large", fmt.Sprintf("%d bytes of header; the limit is %d", n, maxHeader))
			}}, w, r)
			return
		}
		h, pattern := mux.Handler(r)
		if pattern != "" {
			// The mux, not h, so that it sets the path's values.
			mux.ServeHTTP(w, r)
			return
		}
		probe := &statusOnly{header: http.Header{}}
		h.ServeHTTP(probe, r)
		rt := route{name: "unmatched", h: func(w http.ResponseWriter, r *http.Request) {
			if allow := probe.header.Get("Allow"); allow != "" {
				w.Header().Set("Allow", allow)
			}
			status := probe.status
			if status == 0 || status == http.StatusOK {
				status = http.StatusNotFound
			}
			problem(w, status, http.StatusText(status), fmt.Sprintf("%s %s", r.Method, r.URL.Path))
		}}
		s.serve(rt, w, r)
	})
}

// statusOnly records what the mux's own 404/405 handler would answer.
type statusOnly struct {
	header http.Header
	status int
}

func (p *statusOnly) Header() http.Header         { return p.header }
func (p *statusOnly) Write(b []byte) (int, error) { return len(b), nil }
func (p *statusOnly) WriteHeader(code int)        { p.status = code }

func contextWithWho(r *http.Request, wh *who) context.Context {
	return context.WithValue(r.Context(), whoKey{}, wh)
}

// whoOf is the operator token id that authorized r, for the audit log.
func whoOf(r *http.Request) string {
	if wh, ok := r.Context().Value(whoKey{}).(*who); ok {
		return wh.id
	}
	return ""
}

// openAPI describes every route; a test checks the traffic of every other
// test against it.
//
//go:embed openapi.json
var openAPI []byte

func serveOpenAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Write(openAPI)
}

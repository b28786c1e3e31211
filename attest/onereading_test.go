package attest

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

// A signed payload is read once: whatever encoding/json (which matches
// member names case-insensitively) or any reader unescaping names would
// read from it, Verify reads the same or refuses it.

const statementHead = `{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"commons:alpha","digest":{"sha256":"00"}}],"predicateType":"` + testPredicate + `","predicate":`

// An escaped name is the same name: a window spelt with escapes bounds
// the statement exactly as the plain spelling does. (The pre-check that
// skipped predicates without the literal bytes "validUntil" let an
// expired statement verify.)
func TestEscapedWindowNames(t *testing.T) {
	k := testKey("k")
	trust, _ := NewTrust(Rule{Key: pubOf(k), PredicateTypes: []string{testPredicate}, Subjects: []string{"*"}})
	at := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		pred string
		want error
	}{
		{`{"valid\u0055ntil":"2026-02-01T00:00:00Z"}`, ErrExpired},
		{`{"\u0076\u0061\u006c\u0069\u0064\u0055\u006e\u0074\u0069\u006c":"2026-02-01T00:00:00Z"}`, ErrExpired},
		{`{"valid\u0046rom":"2026-04-01T00:00:00Z"}`, ErrNotYetValid},
		{`{"note":"\n","validUntil":"2026-02-01T00:00:00Z"}`, ErrExpired},
		{`{"valid\u0055ntil":"2026-04-01T00:00:00Z"}`, nil},
	} {
		data := signedRaw(t, k, PayloadType, []byte(statementHead+tc.pred+`}`))
		v, err := trust.Verify(data, opts(at))
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: Verify = %v, want %v", tc.pred, err, tc.want)
		}
		if err == nil && v.ValidUntil.IsZero() {
			t.Errorf("%s: no window read", tc.pred)
		}
	}
}

// A member name that differs from one the reader knows only in case is
// what encoding/json would read as that member; the reader refuses it
// rather than ignore it, at every level of the envelope and statement.
func TestCaseVariantNamesRefused(t *testing.T) {
	k := testKey("k")
	trust, _ := NewTrust(Rule{Key: pubOf(k), PredicateTypes: []string{testPredicate}, Subjects: []string{"*"}})
	at := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	good := signedJSON(t, testStatement(t, "commons:alpha", nil), k)
	if _, err := trust.Verify(good, opts(at)); err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(good, &m); err != nil {
		t.Fatal(err)
	}
	payload := m["payload"].(string)
	sig := m["signatures"].([]any)[0].(map[string]any)["sig"].(string)
	keyid := m["signatures"].([]any)[0].(map[string]any)["keyid"].(string)
	envelopes := map[string]string{
		"/PayloadType": `{"payloadType":"` + PayloadType + `","PayloadType":"text/plain","payload":"` + payload + `","signatures":[{"keyid":"` + keyid + `","sig":"` + sig + `"}]}`,
		"/PAYLOAD":     `{"payloadType":"` + PayloadType + `","payload":"` + payload + `","PAYLOAD":"","signatures":[{"keyid":"` + keyid + `","sig":"` + sig + `"}]}`,
		"/Signatures":  `{"payloadType":"` + PayloadType + `","payload":"` + payload + `","signatures":[{"keyid":"` + keyid + `","sig":"` + sig + `"}],"Signatures":[]}`,
		"/KeyID":       `{"payloadType":"` + PayloadType + `","payload":"` + payload + `","signatures":[{"KeyID":"SHA256:other","keyid":"` + keyid + `","sig":"` + sig + `"}]}`,
		"/\u017fig":    `{"payloadType":"` + PayloadType + `","payload":"` + payload + `","signatures":[{"keyid":"` + keyid + `","sig":"` + sig + `","\u017fig":""}]}`,
	}
	for ptr, env := range envelopes {
		checkRefused(t, trust, []byte(env), at, ptr)
	}
	statements := map[string]string{
		"/PredicateType": statementHead + `{},"PredicateType":"https://example.com/other/v1"}`,
		"/_TYPE":         statementHead + `{},"_TYPE":"x"}`,
		"/Predicate":     statementHead + `{},"Predicate":{"validUntil":"2026-02-01T00:00:00Z"}}`,
		"/SUBJECT":       statementHead + `{},"SUBJECT":[]}`,
		"/Name":          strings.Replace(statementHead, `{"name":"commons:alpha"`, `{"name":"commons:alpha","Name":"commons:beta"`, 1) + `{}}`,
		"/Digest":        strings.Replace(statementHead, `"digest":{"sha256":"00"}`, `"digest":{"sha256":"00"},"Digest":{}`, 1) + `{}}`,
		"/ValidUntil":    statementHead + `{"ValidUntil":"2026-02-01T00:00:00Z"}}`,
		"/validuntil":    statementHead + `{"validuntil":"2026-02-01T00:00:00Z"}}`,
		"/VALIDFROM":     statementHead + `{"VALIDFROM":"2026-04-01T00:00:00Z"}}`,
	}
	for ptr, st := range statements {
		checkRefused(t, trust, signedRaw(t, k, PayloadType, []byte(st)), at, ptr)
	}
	// A subject's digest set is a map from algorithm names, not a record:
	// two spellings are two entries, as in encoding/json.
	st := strings.Replace(statementHead, `"digest":{"sha256":"00"}`, `"digest":{"sha256":"00","SHA256":"00"}`, 1) + `{}}`
	if _, err := trust.Verify(signedRaw(t, k, PayloadType, []byte(st)), opts(at)); err != nil {
		t.Errorf("digest algorithms differing in case: %v", err)
	}
}

func checkRefused(t *testing.T, trust *Trust, data []byte, at time.Time, ptr string) {
	t.Helper()
	_, err := trust.Verify(data, opts(at))
	var ve *VerifyError
	if !errors.Is(err, ErrMalformed) || !errors.As(err, &ve) || !strings.Contains(ve.Detail, ptr) || !strings.Contains(ve.Detail, "only in case") {
		t.Errorf("%s: Verify = %v, want ErrMalformed naming %s", ptr, err, ptr)
	}
}

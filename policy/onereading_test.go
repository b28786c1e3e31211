package policy

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/peerproduction/ppl/attest"
	"github.com/peerproduction/ppl/contribution"
)

// An expired grant stays expired however its validUntil is spelt: an
// escaped name is the same name, and a case variant (which encoding/json
// would read as validUntil) is refused. The expiry check once looked for
// the literal bytes "validUntil" and skipped the rest, while the grant's
// decoder read the escaped date: an expired grant verified.
func TestGrantExpiryIsReadOnce(t *testing.T) {
	w := newWorld(t)
	e := w.evaluator(t, "ppl-reciprocity")
	d, err := e.Evaluate(&Request{Entity: contribution.Entity{ID: "acme"}, Use: Use{Commercial: true, Seats: 2}, At: at})
	if err != nil || d.Outcome() != Pay {
		t.Fatal(d, err)
	}
	year := at.AddDate(1, 0, 0)
	env, err := SignGrant(d, key("marketplace"), "invoice-2026-0042", year)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		from, until string
		want        error
	}{
		{`"valid\u0046rom"`, `"valid\u0055ntil"`, attest.ErrExpired},
		{`"validFrom"`, `"valid\u0055ntil"`, attest.ErrExpired},
		{`"validFrom"`, `"ValidUntil"`, attest.ErrMalformed},
	} {
		payload := bytes.Replace(env.Payload, []byte(`"validUntil"`), []byte(tc.until), 1)
		payload = bytes.Replace(payload, []byte(`"validFrom"`), []byte(tc.from), 1)
		if !bytes.Contains(env.Payload, []byte(`"validUntil"`)) || !bytes.Contains(env.Payload, []byte(`"validFrom"`)) {
			t.Fatal("grant payload has no validity window")
		}
		resigned, err := attest.Sign(attest.PayloadType, payload, key("marketplace"))
		if err != nil {
			t.Fatal(err)
		}
		data, _ := resigned.MarshalJSON()
		if g, err := VerifyGrant(w.trust, data, year.Add(time.Hour)); !errors.Is(err, tc.want) {
			t.Errorf("%s, %s: VerifyGrant after expiry = %+v, %v; want %v", tc.from, tc.until, g, err, tc.want)
		}
	}
}

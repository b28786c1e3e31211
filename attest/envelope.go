package attest

import (
	"bytes"
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/peerproduction/ppl/internal/canonjson"
)

// DefaultMaxEnvelopeBytes bounds the envelopes ParseEnvelope accepts.
const DefaultMaxEnvelopeBytes = 1 << 20

// MaxSignatures bounds the signatures an envelope may carry. A statement
// needs one signature per signer: a threshold of stewards and a co-signing
// member or two fit many times over, while each signature past what is
// needed is only work a verifier is asked to do.
const MaxSignatures = 16

// paeLen is len(PAE(payloadType, payload)) for a payload of n bytes.
func paeLen(payloadType string, n int) int {
	return len("DSSEv1") + 4 + len(strconv.Itoa(len(payloadType))) + len(payloadType) + len(strconv.Itoa(n)) + n
}

// Envelope is a DSSE envelope: a payload, its type, and signatures over
// PAE(payloadType, payload).
type Envelope struct {
	PayloadType string
	Payload     []byte
	Signatures  []Signature
}

// Signature is one DSSE signature. KeyID is a hint (this module writes the
// signer's KeyID); verification never trusts it.
type Signature struct {
	KeyID string
	Sig   []byte
}

type wireEnvelope struct {
	PayloadType string          `json:"payloadType"`
	Payload     string          `json:"payload"`
	Signatures  []wireSignature `json:"signatures"`
}

type wireSignature struct {
	KeyID string `json:"keyid,omitempty"`
	Sig   string `json:"sig"`
}

// PAE is DSSE's pre-authentication encoding, the bytes that are signed:
// "DSSEv1" SP len(type) SP type SP len(body) SP body, lengths in ASCII
// decimal.
func PAE(payloadType string, payload []byte) []byte {
	return appendPAE(make([]byte, 0, 32+len(payloadType)+len(payload)), payloadType, payload)
}

func appendPAE(b []byte, payloadType string, payload []byte) []byte {
	b = append(b, "DSSEv1 "...)
	b = strconv.AppendInt(b, int64(len(payloadType)), 10)
	b = append(b, ' ')
	b = append(b, payloadType...)
	b = append(b, ' ')
	b = strconv.AppendInt(b, int64(len(payload)), 10)
	b = append(b, ' ')
	return append(b, payload...)
}

// ParseEnvelope reads a DSSE envelope in JSON strictly (no duplicate keys,
// no trailing data, valid UTF-8), with a size limit of
// DefaultMaxEnvelopeBytes. Unrecognised members are ignored, as the DSSE
// spec requires. Base64 must be canonical standard or URL-safe encoding.
// Signatures must be 64 bytes; there must be at least one and at most
// MaxSignatures (more is ErrTooLarge). It does not verify anything.
func ParseEnvelope(data []byte) (*Envelope, error) {
	return parseEnvelope(data, DefaultMaxEnvelopeBytes, nil)
}

// parseEnvelope is ParseEnvelope with a limit; key ids found in known are
// taken from it rather than allocated.
func parseEnvelope(data []byte, limit int, known map[string]string) (*Envelope, error) {
	if err := tooLarge(data, limit); err != nil {
		return nil, err
	}
	bad := func(format string, args ...any) error {
		return &VerifyError{Err: ErrMalformed, Detail: "envelope: " + fmt.Sprintf(format, args...)}
	}
	// The DSSE spec says consumers must ignore unrecognised fields, so the
	// envelope is not decoded into a struct: members are picked out by
	// exact name in the strict reader's single pass. A name differing from
	// one of ours only in case is refused, not ignored: DSSE libraries
	// decoding into structs with encoding/json would read it as ours.
	var w struct {
		payloadType string
		payload     []byte // the raw JSON string token
		sigs        [][]byte
		nsigs       int // counted past MaxSignatures, to name the count
		seen        uint8
	}
	lim := canonjson.Limits{MaxBytes: -1, MaxDepth: 8}
	err := canonjson.Members(data, lim, envelopeMembers, func(key, raw []byte) error {
		var err error
		switch string(key) {
		case "payloadType":
			w.seen |= 1
			if string(raw) == `"`+PayloadType+`"` { // the usual type, without a copy
				w.payloadType = PayloadType
			} else {
				w.payloadType, err = canonjson.Unquote(raw)
			}
		case "payload":
			w.seen |= 2
			w.payload = raw
		case "signatures":
			w.seen |= 4
			err = canonjson.Array(raw, lim, func(_ int, el []byte) error {
				if w.nsigs++; w.nsigs <= MaxSignatures {
					w.sigs = append(w.sigs, el)
				}
				return nil
			})
		}
		if err != nil {
			return fmt.Errorf("/%s: %w", key, err)
		}
		return nil
	})
	if err != nil {
		return nil, bad("%v", err)
	}
	for bit, name := range []string{"payloadType", "payload", "signatures"} {
		if w.seen&(1<<bit) == 0 {
			return nil, bad("/%s is missing", name)
		}
	}
	if w.payloadType == "" {
		return nil, bad("/payloadType is empty")
	}
	if len(w.sigs) == 0 {
		return nil, bad("/signatures is empty")
	}
	if w.nsigs > MaxSignatures {
		return nil, &VerifyError{Err: ErrTooLarge, Detail: fmt.Sprintf("envelope: /signatures has %d signatures, limit %d", w.nsigs, MaxSignatures)}
	}
	payload, err := decodeBase64Token(w.payload)
	if err != nil {
		return nil, bad("/payload: %v", err)
	}
	e := &Envelope{PayloadType: w.payloadType, Payload: payload, Signatures: make([]Signature, len(w.sigs))}
	for i, raw := range w.sigs {
		var keyID string
		var sigRaw []byte
		err := canonjson.Members(raw, lim, signatureMembers, func(key, v []byte) error {
			var err error
			switch string(key) {
			case "keyid":
				keyID, err = canonjson.UnquoteKnown(v, known)
			case "sig":
				if len(v) == 0 || v[0] != '"' {
					err = fmt.Errorf("must be a string")
				}
				sigRaw = v
			}
			if err != nil {
				return fmt.Errorf("%s: %w", key, err)
			}
			return nil
		})
		if err != nil {
			return nil, bad("/signatures/%d/%v", i, err)
		}
		if sigRaw == nil {
			return nil, bad("/signatures/%d/sig is missing", i)
		}
		sig, err := decodeBase64Token(sigRaw)
		if err != nil {
			return nil, &VerifyError{Err: ErrMalformed, KeyID: keyID, Detail: fmt.Sprintf("envelope: /signatures/%d/sig: %v", i, err)}
		}
		if len(sig) != ed25519.SignatureSize {
			return nil, &VerifyError{Err: ErrMalformed, KeyID: keyID, Detail: fmt.Sprintf("envelope: /signatures/%d/sig is %d bytes, an Ed25519 signature is 64", i, len(sig))}
		}
		e.Signatures[i] = Signature{KeyID: keyID, Sig: sig}
	}
	return e, nil
}

// The member names the envelope reader picks out.
var (
	envelopeMembers  = []string{"payloadType", "payload", "signatures"}
	signatureMembers = []string{"keyid", "sig"}
)

// tooLarge refuses an envelope over limit bytes (no limit when limit ≤ 0).
func tooLarge(data []byte, limit int) error {
	if limit > 0 && len(data) > limit {
		return &VerifyError{Err: ErrTooLarge, Detail: fmt.Sprintf("envelope is %d bytes, limit %d", len(data), limit)}
	}
	return nil
}

// decodeBase64Token decodes base64 from a JSON string token without
// copying it to a string first. Base64 has no characters JSON escapes, so a
// token with a backslash is not canonical base64 either way.
func decodeBase64Token(raw []byte) ([]byte, error) {
	if len(raw) < 2 || raw[0] != '"' || raw[len(raw)-1] != '"' {
		return nil, fmt.Errorf("not a JSON string")
	}
	s := raw[1 : len(raw)-1]
	// Standard padded base64 is what DSSE producers write; try it first and
	// fall back to the URL-safe alphabets only when it is not that.
	out := make([]byte, base64.StdEncoding.DecodedLen(len(s)))
	n, err := base64.StdEncoding.Strict().Decode(out, s)
	if err == nil {
		return out[:n], nil
	}
	if len(s)%4 != 0 || bytes.ContainsAny(s, "-_") {
		enc := base64.URLEncoding
		if len(s)%4 != 0 {
			enc = base64.RawURLEncoding
		}
		alt := make([]byte, enc.DecodedLen(len(s)))
		if n, err2 := enc.Strict().Decode(alt, s); err2 == nil {
			return alt[:n], nil
		}
	}
	return nil, fmt.Errorf("not canonical base64: %v", err)
}

// MarshalJSON writes the envelope in DSSE's JSON form.
func (e *Envelope) MarshalJSON() ([]byte, error) {
	w := wireEnvelope{PayloadType: e.PayloadType, Payload: base64.StdEncoding.EncodeToString(e.Payload),
		Signatures: make([]wireSignature, len(e.Signatures))}
	for i, s := range e.Signatures {
		w.Signatures[i] = wireSignature{KeyID: s.KeyID, Sig: base64.StdEncoding.EncodeToString(s.Sig)}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(w); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// Sign makes an envelope of payload signed by each signer, in order.
func Sign(payloadType string, payload []byte, signers ...crypto.Signer) (*Envelope, error) {
	e := &Envelope{PayloadType: payloadType, Payload: payload}
	for _, s := range signers {
		if err := e.AddSignature(s); err != nil {
			return nil, err
		}
	}
	return e, nil
}

// SignStatement signs st's canonical JSON as an in-toto DSSE envelope.
func SignStatement(st Statement, signers ...crypto.Signer) (*Envelope, error) {
	if err := st.validate(); err != nil {
		return nil, err
	}
	payload, err := st.Payload()
	if err != nil {
		return nil, err
	}
	return Sign(PayloadType, payload, signers...)
}

// AddSignature appends a signature by s over the envelope's PAE. It goes
// through crypto.Signer so the key may live in an agent or an HSM.
func (e *Envelope) AddSignature(s crypto.Signer) error {
	if k, ok := s.(ed25519.PrivateKey); ok && len(k) == ed25519.PrivateKeySize {
		// A key in memory: sign without the interface, so PAE can stay on
		// the stack for envelopes of usual size.
		var buf [2048]byte
		sig := ed25519.Sign(k, appendPAE(buf[:0], e.PayloadType, e.Payload))
		e.Signatures = append(e.Signatures, Signature{KeyID: KeyID(ed25519.PublicKey(k[32:])), Sig: sig})
		return nil
	}
	pub, err := ed25519SignerKey(s)
	if err != nil {
		return err
	}
	msg := PAE(e.PayloadType, e.Payload)
	sig, err := s.Sign(rand.Reader, msg, crypto.Hash(0))
	if err != nil {
		return fmt.Errorf("attest: signing: %w", err)
	}
	if len(sig) != ed25519.SignatureSize {
		return &VerifyError{Err: ErrBadSignature, KeyID: KeyID(pub), Detail: fmt.Sprintf("signer returned %d bytes, want 64", len(sig))}
	}
	e.Signatures = append(e.Signatures, Signature{KeyID: KeyID(pub), Sig: sig})
	return nil
}

// SignedBy returns nil if some signature on e verifies under pub. It is for
// signers outside a Trust, such as a member co-signing a membership, so it
// screens pub as a Trust would: a weak key (CheckPublicKey) is refused with
// ErrWeakKey whatever the envelope carries.
func (e *Envelope) SignedBy(pub ed25519.PublicKey) error {
	if len(pub) != ed25519.PublicKeySize {
		return &VerifyError{Err: ErrMalformed, Detail: "public key is not 32 bytes"}
	}
	if err := checkSignerKey(pub, "envelope co-signer"); err != nil {
		err.Digest = Digest(e.Payload)
		return err
	}
	msg := PAE(e.PayloadType, e.Payload)
	for _, s := range e.Signatures {
		if verifySignature(pub, msg, s.Sig) {
			return nil
		}
	}
	return &VerifyError{Err: ErrBadSignature, KeyID: KeyID(pub), Digest: Digest(e.Payload), Detail: "no signature on the envelope verifies under this key"}
}

package manifest

import (
	"bytes"
	"crypto"
	"crypto/ed25519"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v5"

	"github.com/peerproduction/ppl/attest"
	"github.com/peerproduction/ppl/contribution"
	"github.com/peerproduction/ppl/internal/canonjson"
	"github.com/peerproduction/ppl/license"
)

// PredicateType is the in-toto predicate type of a commons manifest. The
// version is part of the URI: a v2 would be a new constant.
const PredicateType = "https://github.com/peerproduction/ppl/predicates/commons-manifest/v1"

//go:embed commons-manifest-v1.schema.json
var schemaJSON []byte

// Schema returns the JSON Schema a manifest (the statement's predicate)
// must satisfy.
func Schema() []byte { return bytes.Clone(schemaJSON) }

var compiledSchema = sync.OnceValues(func() (*jsonschema.Schema, error) {
	c := jsonschema.NewCompiler()
	c.Draft = jsonschema.Draft2020
	c.AssertFormat = true
	if err := c.AddResource(PredicateType, bytes.NewReader(schemaJSON)); err != nil {
		return nil, err
	}
	return c.Compile(PredicateType)
})

// limits bound a manifest well below an envelope's size: 1,024 recognised
// commons and a few hundred keys fit.
var limits = canonjson.Limits{MaxBytes: 512 << 10, MaxDepth: 32}

// Manifest is what a commons' association publishes about it: who it is,
// its terms, the keys of each role, the commons it recognises, how it pays
// contributors and its policy settings. Read one from a verified chain
// (Chain) or, unsigned, with Parse; sign one with Sign.
type Manifest struct {
	ID         string
	Name       string
	Homepage   string
	Repository string
	// Version counts the manifests of this commons: 1, 2, 3 … each signed
	// by a threshold of the root keys of the one before.
	Version  int64
	IssuedAt time.Time
	Expires  time.Time
	Terms    Terms
	Roles    Roles
	// Recognises lists the commons whose contributions count here, each
	// at its weight, attested by the stewards that commons' own manifest
	// names.
	Recognises []Recognition
	Payout     *Payout // nil: the manifest sets no payout plan
	// AcceptSelfDeclared is policy.Config.AcceptSelfDeclared.
	AcceptSelfDeclared bool
}

// Terms are a manifest's license terms: a built-in (license.Builtin) named
// by its id and SPDX identifier, or terms given inline. Digest is always
// there and must be license.Terms.Digest of the terms. The Terms of a
// built-in are shared by every manifest read that names it: read-only.
type Terms struct {
	Builtin string
	SPDX    string
	Terms   *license.Terms
	Digest  string
}

// Roles are the keys of a manifest by what they may sign.
type Roles struct {
	// Root keys sign manifests; RootThreshold of them (distinct keys) must
	// sign each version, and the next.
	Root          []Key
	RootThreshold int
	Stewards      []Key // attest contributions to this commons
	Registrars    []Key // attest entity facts, control, named facts, memberships
	GrantSigners  []Key // marketplaces the commons authorises to sign grants
	Revokers      []Key // revoke keys and statements
}

// Key is a public key with the stretch of time it holds its role,
// [From, Until); a zero bound leaves that side open.
type Key struct {
	Public  ed25519.PublicKey
	Comment string
	From    time.Time
	Until   time.Time
}

// ID is the key's id, attest.KeyID: what `ssh-keygen -l` prints.
func (k Key) ID() string { return attest.KeyID(k.Public) }

// Recognition says contributions to Commons count at Weight (a decimal:
// 0.5 is license.Milli(500), as contribution.Recognition.Weight is in
// thousandths), provided the Commons' chain held is at least Version, or
// passes through the manifest whose digest is Manifest.
type Recognition struct {
	Commons  string
	Manifest string // digest of a version of that commons' manifest
	Version  int64  // the least version of it accepted
	Weight   license.Milli
}

// Payout is the manifest's payout plan (see payout.Plan), with the keys
// that may sign payout statements.
type Payout struct {
	Currency          string
	Association       string
	AssociationBP     int64 // basis points, 0..10000
	WindowDays        int
	HalfLifeDays      int
	KindWeights       map[string]license.Milli // nil: every kind 1
	IncludeRecognised bool
	MinimumPayout     int64 // minor units
	Signers           []Key
}

// The wire form, decoded strictly after the schema has passed.
type wire struct {
	ID         string      `json:"id"`
	Name       string      `json:"name,omitempty"`
	Homepage   string      `json:"homepage,omitempty"`
	Repository string      `json:"repository,omitempty"`
	Version    int64       `json:"version"`
	IssuedAt   string      `json:"issuedAt"`
	Expires    string      `json:"expires"`
	Terms      termsWire   `json:"terms"`
	Roles      rolesWire   `json:"roles"`
	Recognises []recogWire `json:"recognises,omitempty"`
	Payout     *payoutWire `json:"payout,omitempty"`
	Policy     *policyWire `json:"policy,omitempty"`
}

type termsWire struct {
	Builtin string          `json:"builtin,omitempty"`
	SPDX    string          `json:"spdx,omitempty"`
	Inline  json.RawMessage `json:"inline,omitempty"`
	Digest  string          `json:"digest"`
}

type rolesWire struct {
	Root         rootWire  `json:"root"`
	Stewards     []keyWire `json:"stewards"`
	Registrars   []keyWire `json:"registrars,omitempty"`
	GrantSigners []keyWire `json:"grantSigners,omitempty"`
	Revokers     []keyWire `json:"revokers,omitempty"`
}

type rootWire struct {
	Threshold int       `json:"threshold"`
	Keys      []keyWire `json:"keys"`
}

type keyWire struct {
	Key   string `json:"key"`
	ID    string `json:"id,omitempty"`
	From  string `json:"from,omitempty"`
	Until string `json:"until,omitempty"`
}

type recogWire struct {
	Commons  string        `json:"commons"`
	Manifest string        `json:"manifest,omitempty"`
	Version  int64         `json:"version,omitempty"`
	Weight   license.Milli `json:"weight"`
}

type payoutWire struct {
	Currency          string                   `json:"currency"`
	Association       string                   `json:"association,omitempty"`
	AssociationBP     int64                    `json:"associationBP,omitempty"`
	WindowDays        int                      `json:"windowDays,omitempty"`
	HalfLifeDays      int                      `json:"halfLifeDays,omitempty"`
	KindWeights       map[string]license.Milli `json:"kindWeights,omitempty"`
	IncludeRecognised bool                     `json:"includeRecognised,omitempty"`
	MinimumPayout     int64                    `json:"minimumPayout,omitempty"`
	Signers           []keyWire                `json:"signers,omitempty"`
}

type policyWire struct {
	AcceptSelfDeclared bool `json:"acceptSelfDeclared,omitempty"`
}

// spdxIDs are the SPDX identifiers of the built-in terms: the SPDX License
// List id where the list has one (checked against spdx-license-ids 3.0.23:
// PPL, Parity-7.0.0, the two PolyForm ids, BUSL-1.1, CC-BY-NC-SA-4.0),
// a LicenseRef- id otherwise. They are the ids the license package gives
// its built-ins where a built-in's document carries one ("spdx"), which SPDX
// prefers; this table answers for documents that do not.
var spdxIDs = map[string]string{
	"ppl":                           "PPL",
	"ppl-reciprocity":               "LicenseRef-ppl-reciprocity",
	"parity-7.0.0":                  "Parity-7.0.0",
	"prosperity-3.0.0":              "LicenseRef-Prosperity-3.0.0",
	"polyform-noncommercial-1.0.0":  "PolyForm-Noncommercial-1.0.0",
	"polyform-small-business-1.0.0": "PolyForm-Small-Business-1.0.0",
	"polyform-perimeter-1.0.1":      "LicenseRef-PolyForm-Perimeter-1.0.1",
	"polyform-free-trial-1.0.0":     "LicenseRef-PolyForm-Free-Trial-1.0.0",
	"bsl-1.1":                       "BUSL-1.1",
	"busl-1.1":                      "BUSL-1.1",
	"cc-by-nc-sa-4.0":               "CC-BY-NC-SA-4.0",
	"cnpl-4":                        "LicenseRef-CNPL-4.0",
	"acsl-1.4":                      "LicenseRef-ACSL-1.4",
	"cooperative-license-1.0":       "LicenseRef-Cooperative-License-1.0",
}

// SPDX returns the SPDX identifier a manifest must give for the built-in
// terms id: the one the built-in's document states, else the SPDX License
// List id or LicenseRef- id this package knows for it, else
// "LicenseRef-ppl-<id>".
func SPDX(builtin string) string {
	if raw, err := license.BuiltinJSON(builtin); err == nil {
		var doc struct {
			SPDX string `json:"spdx"`
		}
		if json.Unmarshal(raw, &doc) == nil && doc.SPDX != "" {
			return doc.SPDX
		}
	}
	if s, ok := spdxIDs[builtin]; ok {
		return s
	}
	return "LicenseRef-ppl-" + builtin
}

// BuiltinTerms returns the Terms of a manifest naming built-in terms, with
// their SPDX id and digest. The terms are shared: read-only.
func BuiltinTerms(id string) (Terms, error) {
	b, err := builtin(id)
	if err != nil {
		return Terms{}, &Error{Err: ErrTerms, Pointer: "/terms/builtin", Detail: err.Error(), Cause: err}
	}
	return Terms{Builtin: id, SPDX: SPDX(id), Terms: b.terms, Digest: b.digest}, nil
}

// InlineTerms returns the Terms of a manifest carrying t itself.
func InlineTerms(t *license.Terms) (Terms, error) {
	if t == nil {
		return Terms{}, &Error{Err: ErrTerms, Pointer: "/terms/inline", Detail: "no terms given"}
	}
	d, err := t.Digest()
	if err != nil {
		return Terms{}, &Error{Err: ErrTerms, Pointer: "/terms/inline", Detail: err.Error(), Cause: err}
	}
	return Terms{Terms: t, Digest: d}, nil
}

// Parse reads a manifest document (a statement's predicate): strictly (no
// duplicate keys, no unknown fields, no trailing data), against the
// embedded schema, then with the checks a schema cannot make — keys parse
// as Ed25519 and match the id given, no key twice in a role, a root
// threshold the distinct root keys can meet, windows that end after they
// start, expiry after issue, terms that match their digest and SPDX id, no
// commons recognised twice or recognising itself, a payout plan payout.Plan
// accepts. It does not verify anything: Open and Chain.Update do.
func Parse(data []byte) (*Manifest, error) {
	if err := canonjson.Check(data, limits); err != nil {
		return nil, fromCanon(err)
	}
	sch, err := compiledSchema()
	if err != nil {
		return nil, fmt.Errorf("manifest: embedded schema: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return nil, &Error{Err: ErrMalformed, Detail: err.Error(), Cause: err}
	}
	if err := sch.Validate(doc); err != nil {
		return nil, fromSchema(err)
	}
	var w wire
	if err := canonjson.Decode(data, &w, limits); err != nil {
		return nil, fromCanon(err)
	}
	m, err := w.manifest()
	if err != nil {
		var e *Error
		if errors.As(err, &e) && e.Commons == "" {
			e.Commons, e.Version = w.ID, w.Version
		}
		return nil, err
	}
	return m, nil
}

func fromCanon(err error) error {
	e := &Error{Err: ErrMalformed, Detail: err.Error(), Cause: err}
	var ce *canonjson.Error
	if errors.As(err, &ce) {
		e.Pointer = ce.Pointer
	}
	return e
}

// fromSchema names the deepest failing location the validator reports.
func fromSchema(err error) error {
	e := &Error{Err: ErrMalformed, Detail: err.Error(), Cause: err}
	var ve *jsonschema.ValidationError
	if errors.As(err, &ve) {
		leaf := ve
		for len(leaf.Causes) > 0 {
			leaf = leaf.Causes[0]
		}
		e.Pointer, e.Detail = leaf.InstanceLocation, leaf.Message
		if e.Pointer != "" && !strings.HasPrefix(e.Pointer, "/") {
			e.Pointer = "/" + e.Pointer
		}
	}
	return e
}

func bad(sentinel error, ptr, format string, args ...any) *Error {
	return &Error{Err: sentinel, Pointer: ptr, Detail: fmt.Sprintf(format, args...)}
}

func parseTime(s, ptr string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, bad(ErrMalformed, ptr, "%q is not an RFC 3339 time", s)
	}
	return t, nil
}

func formatTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

func (w *wire) manifest() (*Manifest, error) {
	m := &Manifest{ID: w.ID, Name: w.Name, Homepage: w.Homepage, Repository: w.Repository, Version: w.Version}
	var err error
	if m.IssuedAt, err = parseTime(w.IssuedAt, "/issuedAt"); err != nil {
		return nil, err
	}
	if m.Expires, err = parseTime(w.Expires, "/expires"); err != nil {
		return nil, err
	}
	if !m.Expires.After(m.IssuedAt) {
		return nil, bad(ErrMalformed, "/expires", "expires %s is not after issuedAt %s", w.Expires, w.IssuedAt)
	}
	if m.Terms, err = w.Terms.terms(); err != nil {
		return nil, err
	}
	if m.Roles, err = w.Roles.roles(); err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for i, r := range w.Recognises {
		ptr := fmt.Sprintf("/recognises/%d", i)
		switch {
		case r.Commons == w.ID:
			return nil, bad(ErrMalformed, ptr+"/commons", "a commons does not recognise itself: its own contributions count at 1")
		case seen[r.Commons]:
			return nil, bad(ErrDuplicate, ptr+"/commons", "%q is recognised twice", r.Commons)
		case r.Weight <= 0 || int64(r.Weight) > contribution.MaxWeight:
			return nil, bad(ErrMalformed, ptr+"/weight", "weight %s is not in (0, %d]", r.Weight, contribution.MaxWeight/1000)
		}
		seen[r.Commons] = true
		m.Recognises = append(m.Recognises, Recognition(r))
	}
	if w.Payout != nil {
		if m.Payout, err = w.Payout.payout(); err != nil {
			return nil, err
		}
	}
	if w.Policy != nil {
		m.AcceptSelfDeclared = w.Policy.AcceptSelfDeclared
	}
	return m, nil
}

func (w *termsWire) terms() (Terms, error) {
	t := Terms{Builtin: w.Builtin, SPDX: w.SPDX, Digest: w.Digest}
	digest := ""
	if w.Builtin != "" {
		b, err := builtin(w.Builtin)
		if err != nil {
			return t, &Error{Err: ErrTerms, Pointer: "/terms/builtin", Detail: err.Error(), Cause: err}
		}
		if want := SPDX(w.Builtin); w.SPDX != want {
			return t, bad(ErrTerms, "/terms/spdx", "built-in %q is %q in SPDX, not %q", w.Builtin, want, w.SPDX)
		}
		t.Terms, digest = b.terms, b.digest
	} else {
		var err error
		if t.Terms, err = license.Parse(w.Inline); err != nil {
			e := &Error{Err: ErrTerms, Pointer: "/terms/inline", Detail: err.Error(), Cause: err}
			var pe *license.ParseError
			if errors.As(err, &pe) && len(pe.Problems) > 0 {
				e.Pointer += pe.Problems[0].Pointer
			}
			return t, e
		}
		if digest, err = t.Terms.Digest(); err != nil {
			return t, &Error{Err: ErrTerms, Pointer: "/terms/inline", Detail: err.Error(), Cause: err}
		}
	}
	if digest != w.Digest {
		return t, bad(ErrTerms, "/terms/digest", "the terms' digest is %s, the manifest says %s", digest, w.Digest)
	}
	return t, nil
}

type builtinEntry struct {
	terms  *license.Terms
	digest string
}

// builtins holds each built-in's terms parsed once: every manifest naming
// one shares them, read-only, as evaluators compiled from them do.
var builtins sync.Map // id → builtinEntry

func builtin(id string) (builtinEntry, error) {
	if e, ok := builtins.Load(id); ok {
		return e.(builtinEntry), nil
	}
	t, err := license.Builtin(id)
	if err != nil {
		return builtinEntry{}, err
	}
	d, err := t.Digest()
	if err != nil {
		return builtinEntry{}, err
	}
	e, _ := builtins.LoadOrStore(id, builtinEntry{t, d})
	return e.(builtinEntry), nil
}

func (w *rolesWire) roles() (Roles, error) {
	r := Roles{RootThreshold: w.Root.Threshold}
	var err error
	if r.Root, err = keys(w.Root.Keys, "/roles/root/keys"); err != nil {
		return r, err
	}
	if w.Root.Threshold > len(r.Root) {
		return r, bad(ErrThreshold, "/roles/root/threshold", "threshold %d exceeds the %d distinct root keys", w.Root.Threshold, len(r.Root))
	}
	for _, f := range []struct {
		dst *[]Key
		src []keyWire
		ptr string
	}{
		{&r.Stewards, w.Stewards, "/roles/stewards"},
		{&r.Registrars, w.Registrars, "/roles/registrars"},
		{&r.GrantSigners, w.GrantSigners, "/roles/grantSigners"},
		{&r.Revokers, w.Revokers, "/roles/revokers"},
	} {
		if *f.dst, err = keys(f.src, f.ptr); err != nil {
			return r, err
		}
	}
	return r, nil
}

// keys reads a role's keys. The same public key twice is refused, however
// its line is written: it would count twice towards a threshold, or give
// two windows where the document shows one.
func keys(ws []keyWire, ptr string) ([]Key, error) {
	out := make([]Key, 0, len(ws))
	seen := map[string]int{}
	for i, w := range ws {
		p := fmt.Sprintf("%s/%d", ptr, i)
		pub, err := attest.ParsePublicKey([]byte(w.Key))
		if err != nil {
			return nil, &Error{Err: ErrKey, Pointer: p + "/key", Detail: err.Error(), Cause: err}
		}
		if err := attest.CheckPublicKey(pub); err != nil {
			return nil, &Error{Err: ErrKey, Pointer: p + "/key", KeyID: attest.KeyID(pub), Detail: err.Error(), Cause: err}
		}
		id := attest.KeyID(pub)
		if w.ID != "" && w.ID != id {
			return nil, &Error{Err: ErrKey, Pointer: p + "/id", KeyID: id, Detail: fmt.Sprintf("the key's id is %s, the manifest says %s", id, w.ID)}
		}
		if j, dup := seen[id]; dup {
			return nil, &Error{Err: ErrDuplicateKey, Pointer: p + "/key", KeyID: id, Detail: fmt.Sprintf("also at %s/%d", ptr, j)}
		}
		seen[id] = i
		k := Key{Public: pub}
		if f := strings.Fields(w.Key); len(f) > 2 {
			k.Comment = strings.Join(f[2:], " ")
		}
		if w.From != "" {
			if k.From, err = parseTime(w.From, p+"/from"); err != nil {
				return nil, err
			}
		}
		if w.Until != "" {
			if k.Until, err = parseTime(w.Until, p+"/until"); err != nil {
				return nil, err
			}
		}
		if !k.From.IsZero() && !k.Until.IsZero() && !k.Until.After(k.From) {
			return nil, &Error{Err: ErrMalformed, Pointer: p + "/until", KeyID: id, Detail: "the key's window ends before it starts"}
		}
		out = append(out, k)
	}
	return out, nil
}

func (w *payoutWire) payout() (*Payout, error) {
	p := &Payout{Currency: w.Currency, Association: w.Association, AssociationBP: w.AssociationBP,
		WindowDays: w.WindowDays, HalfLifeDays: w.HalfLifeDays, KindWeights: w.KindWeights,
		IncludeRecognised: w.IncludeRecognised, MinimumPayout: w.MinimumPayout}
	if w.AssociationBP > 0 && w.Association == "" {
		return nil, bad(ErrMalformed, "/payout/association", "the association keeps %d basis points but is not named", w.AssociationBP)
	}
	var err error
	if p.Signers, err = keys(w.Signers, "/payout/signers"); err != nil {
		return nil, err
	}
	if err := p.plan(contribution.Commons{ID: "check"}).Check(); err != nil {
		return nil, &Error{Err: ErrMalformed, Pointer: "/payout", Detail: err.Error(), Cause: err}
	}
	return p, nil
}

// wire writes m in its wire form. It is the inverse of manifest.
func (m *Manifest) wire() (*wire, error) {
	w := &wire{ID: m.ID, Name: m.Name, Homepage: m.Homepage, Repository: m.Repository, Version: m.Version,
		IssuedAt: formatTime(m.IssuedAt), Expires: formatTime(m.Expires),
		Terms: termsWire{Builtin: m.Terms.Builtin, SPDX: m.Terms.SPDX, Digest: m.Terms.Digest}}
	if m.Terms.Builtin == "" {
		if m.Terms.Terms == nil {
			return nil, bad(ErrTerms, "/terms", "neither built-in nor inline terms are given")
		}
		raw, err := m.Terms.Terms.MarshalJSON()
		if err != nil {
			return nil, &Error{Err: ErrTerms, Pointer: "/terms/inline", Detail: err.Error(), Cause: err}
		}
		w.Terms.Inline = raw
	}
	w.Roles = rolesWire{Root: rootWire{Threshold: m.Roles.RootThreshold, Keys: keysWire(m.Roles.Root)},
		Stewards: keysWire(m.Roles.Stewards), Registrars: keysWire(m.Roles.Registrars),
		GrantSigners: keysWire(m.Roles.GrantSigners), Revokers: keysWire(m.Roles.Revokers)}
	for _, r := range m.Recognises {
		w.Recognises = append(w.Recognises, recogWire(r))
	}
	if p := m.Payout; p != nil {
		w.Payout = &payoutWire{Currency: p.Currency, Association: p.Association, AssociationBP: p.AssociationBP,
			WindowDays: p.WindowDays, HalfLifeDays: p.HalfLifeDays, KindWeights: maps.Clone(p.KindWeights),
			IncludeRecognised: p.IncludeRecognised, MinimumPayout: p.MinimumPayout, Signers: keysWire(p.Signers)}
	}
	if m.AcceptSelfDeclared {
		w.Policy = &policyWire{AcceptSelfDeclared: true}
	}
	return w, nil
}

func keysWire(ks []Key) []keyWire {
	out := make([]keyWire, 0, len(ks))
	for _, k := range ks {
		w := keyWire{Key: strings.TrimSpace(string(attest.MarshalAuthorizedKey(k.Public, k.Comment)))}
		if !k.From.IsZero() {
			w.From = formatTime(k.From)
		}
		if !k.Until.IsZero() {
			w.Until = formatTime(k.Until)
		}
		out = append(out, w)
	}
	return out
}

// MarshalJSON writes m as its manifest document in canonical JSON (RFC
// 8785): the predicate Sign signs. It writes what Parse would refuse too,
// so that a draft can be shown; Statement checks.
func (m *Manifest) MarshalJSON() ([]byte, error) {
	w, err := m.wire()
	if err != nil {
		return nil, err
	}
	return canonjson.Marshal(w)
}

// Statement builds the statement of m, about "commons:<id>", after
// checking that its document parses back to the same manifest: what is
// signed is what a verifier will read.
func (m *Manifest) Statement() (attest.Statement, error) {
	doc, err := m.MarshalJSON()
	if err != nil {
		return attest.Statement{}, err
	}
	back, err := Parse(doc)
	if err != nil {
		return attest.Statement{}, err
	}
	if again, err := back.MarshalJSON(); err != nil || !bytes.Equal(again, doc) {
		return attest.Statement{}, bad(ErrMalformed, "", "the manifest does not survive a round trip through its document")
	}
	return attest.NewStatement(PredicateType, json.RawMessage(doc), attest.SubjectFor("commons:"+m.ID))
}

// Sign makes the envelope of m signed by signers, each a root key (of this
// version, and for a rotation those of the previous one too). More may sign
// later with attest.Envelope.AddSignature.
func Sign(m *Manifest, signers ...crypto.Signer) (*attest.Envelope, error) {
	st, err := m.Statement()
	if err != nil {
		return nil, err
	}
	return attest.SignStatement(st, signers...)
}

// Recognised returns m's recognitions as contribution.Recognition values.
func (m *Manifest) recognitions() []contribution.Recognition {
	out := make([]contribution.Recognition, len(m.Recognises))
	for i, r := range m.Recognises {
		out[i] = contribution.Recognition{Commons: r.Commons, Weight: int64(r.Weight)}
	}
	return out
}

// RoleKeys lists m's roles by name, in document order, for display and diff.
func (m *Manifest) RoleKeys() []RoleKeys {
	rs := []RoleKeys{
		{"root", m.Roles.Root}, {"stewards", m.Roles.Stewards}, {"registrars", m.Roles.Registrars},
		{"grantSigners", m.Roles.GrantSigners}, {"revokers", m.Roles.Revokers},
	}
	if m.Payout != nil {
		rs = append(rs, RoleKeys{"payoutSigners", m.Payout.Signers})
	}
	return slices.Clip(rs)
}

// RoleKeys is one role's keys.
type RoleKeys struct {
	Role string
	Keys []Key
}

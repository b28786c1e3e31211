package main

import (
	"bytes"
	"crypto"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/crypto/ssh/agent"

	"github.com/peerproduction/ppl/attest"
	"github.com/peerproduction/ppl/contribution"
	"github.com/peerproduction/ppl/license"
	"github.com/peerproduction/ppl/policy"
	"github.com/peerproduction/ppl/policy/manifest"
)

const helpCommons = `ppl commons: the commons manifest, signed and versioned (see 'go doc ./policy/manifest')

  ppl commons init -id ID -terms BUILTIN|FILE -root KEY... [-threshold N] -issued TIME -expires TIME [-name N] [-homepage URL] [-repository URL] -o DRAFT
  ppl commons init -next PREVIOUS -issued TIME -expires TIME -o DRAFT        (the next version, to edit and sign)
  ppl commons add-key -role ROLE [-from TIME] [-until TIME] [-remove] DRAFT KEY...
  ppl commons recognise -commons ID (-version N | -manifest DIGEST|ENVELOPE) -weight W [-remove] DRAFT
  ppl commons payout -currency C [-association ID -association-bp N] [-window-days N] [-half-life-days N] [-kind-weight KIND=W...] [-include-recognised] [-minimum N] DRAFT
  ppl commons sign (-key FILE | -agent KEY.pub) [-add-to ENVELOPE] [-o OUT] DRAFT
  ppl commons verify -at TIME [-pin DIGEST] ENVELOPE...                       (version 1 first, in order)
  ppl commons show DRAFT|ENVELOPE
  ppl commons diff OLD NEW
  ppl commons import-trust -root KEY... [-threshold N] [-terms ID|FILE] -issued TIME -expires TIME -o DRAFT TRUSTFILE

ROLE is root, steward, registrar, grant-signer, revoker or payout-signer.
A KEY is a public key file (.pub, PEM), a private key file or an inline
"ssh-ed25519 AAAA..." line. -agent signs with the key an ssh-agent holds
(SSH_AUTH_SOCK). A draft is the manifest document (JSON) before signing;
each version must be signed by a threshold of the previous version's root
keys and a threshold of its own: sign once with each, then 'verify'.
show and diff read drafts or envelopes without verifying them.
`

func cmdCommons(args []string, out io.Writer) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" {
		fmt.Fprint(out, helpCommons)
		if len(args) == 0 {
			return usage("commons: give a subcommand: run 'ppl commons help'")
		}
		return nil
	}
	sub, rest := args[0], args[1:]
	switch sub {
	case "init":
		return commonsInit(rest, out)
	case "add-key":
		return commonsAddKey(rest, out)
	case "recognise", "recognize":
		return commonsRecognise(rest, out)
	case "payout":
		return commonsPayout(rest, out)
	case "sign":
		return commonsSign(rest, out)
	case "verify":
		return commonsVerify(rest, out)
	case "show":
		return commonsShow(rest, out)
	case "diff":
		return commonsDiff(rest, out)
	case "import-trust":
		return commonsImportTrust(rest, out)
	}
	return usage("commons: unknown subcommand %q: run 'ppl commons help'", sub)
}

// readManifest reads a draft (the manifest document) or an envelope
// carrying one, without verifying signatures.
func readManifest(path string) (*manifest.Manifest, *attest.Envelope, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	var probe struct {
		PayloadType *string `json:"payloadType"`
	}
	_ = json.Unmarshal(data, &probe)
	if probe.PayloadType == nil {
		m, err := manifest.Parse(bytes.TrimSpace(data))
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", path, err)
		}
		return m, nil, nil
	}
	env, err := attest.ParseEnvelope(data)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	st, err := attest.ParseStatement(env.Payload)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	if st.PredicateType != manifest.PredicateType {
		return nil, nil, fmt.Errorf("%s: predicate type %q is not a commons manifest", path, st.PredicateType)
	}
	m, err := manifest.Parse(st.Predicate)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, env, nil
}

// writeDraft writes m's document indented, after checking it would sign.
// readDraft reads a manifest draft for a command that edits it; a signed
// manifest is refused, since its next version is a new draft.
func readDraft(cmd, path string) (*manifest.Manifest, error) {
	m, env, err := readManifest(path)
	if err != nil {
		return nil, refused("%s: %v", cmd, err)
	}
	if env != nil {
		return nil, usage("%s: %s is signed: start a new version with 'ppl commons init -next'", cmd, path)
	}
	return m, nil
}

func writeDraft(m *manifest.Manifest, path string, out io.Writer) error {
	if _, err := m.Statement(); err != nil {
		return refused("commons: the draft would not verify: %v", err)
	}
	doc, err := m.MarshalJSON()
	if err != nil {
		return err
	}
	var b bytes.Buffer
	if err := json.Indent(&b, doc, "", "  "); err != nil {
		return err
	}
	b.WriteByte('\n')
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(out, "%s: %s version %d\n", path, m.ID, m.Version)
	return nil
}

func manifestKey(ref string) (manifest.Key, error) {
	pub, err := loadPublicKey(ref)
	if err != nil {
		return manifest.Key{}, err
	}
	k := manifest.Key{Public: pub}
	// Keep the comment of an OpenSSH line or .pub file, for people.
	line := ref
	if !strings.HasPrefix(ref, "ssh-") {
		if data, err := os.ReadFile(ref); err == nil {
			line = string(data)
		}
	}
	if f := strings.Fields(line); len(f) > 2 && f[0] == "ssh-ed25519" {
		k.Comment = strings.Join(f[2:], " ")
	}
	return k, nil
}

func commonsInit(args []string, out io.Writer) error {
	const syn = "ppl commons init (-id ID -terms BUILTIN|FILE -root KEY... [-threshold N] | -next PREVIOUS) -issued TIME -expires TIME -o DRAFT"
	fs := newFlags("commons init", syn)
	id := fs.String("id", "", "the commons id")
	name := fs.String("name", "", "display name")
	homepage := fs.String("homepage", "", "homepage URL")
	repo := fs.String("repository", "", "repository URL")
	terms := fs.String("terms", "", "built-in terms id or a terms file")
	var roots multiFlag
	fs.Var(&roots, "root", "a root key (repeat)")
	threshold := fs.Int("threshold", 1, "root keys required to sign")
	next := fs.String("next", "", "start the next version of this draft or envelope")
	var issued, expires timeFlag
	fs.Var(&issued, "issued", "issue time")
	fs.Var(&expires, "expires", "expiry time")
	o := fs.String("o", "", "write the draft to FILE")
	if err := parse(fs, args, out, syn); err != nil {
		return err
	}
	if *o == "" || issued.t.IsZero() || expires.t.IsZero() {
		return usage("commons init: -issued, -expires and -o are required")
	}
	var m *manifest.Manifest
	if *next != "" {
		prev, _, err := readManifest(*next)
		if err != nil {
			return refused("commons init: -next: %v", err)
		}
		m = prev
		m.Version++
	} else {
		if *id == "" || *terms == "" || len(roots) == 0 {
			return usage("commons init: -id, -terms and at least one -root are required (or -next)")
		}
		m = &manifest.Manifest{ID: *id, Version: 1, Roles: manifest.Roles{RootThreshold: *threshold}}
		t, err := termsRef(*terms)
		if err != nil {
			return usage("commons init: -terms: %v", err)
		}
		m.Terms = t
		for _, r := range roots {
			k, err := manifestKey(r)
			if err != nil {
				return usage("commons init: -root %s: %v", r, err)
			}
			m.Roles.Root = append(m.Roles.Root, k)
		}
	}
	if set(fs, "name") {
		m.Name = *name
	}
	if set(fs, "homepage") {
		m.Homepage = *homepage
	}
	if set(fs, "repository") {
		m.Repository = *repo
	}
	m.IssuedAt, m.Expires = issued.t, expires.t
	return writeDraft(m, *o, out)
}

func termsRef(ref string) (manifest.Terms, error) {
	if slices.Contains(license.Builtins(), ref) {
		return manifest.BuiltinTerms(ref)
	}
	data, err := os.ReadFile(ref)
	if err != nil {
		return manifest.Terms{}, fmt.Errorf("%q is neither a built-in ('ppl terms list') nor a file: %v", ref, err)
	}
	t, err := license.Parse(data)
	if err != nil {
		return manifest.Terms{}, err
	}
	return manifest.InlineTerms(t)
}

func roleKeys(m *manifest.Manifest, role string) (*[]manifest.Key, error) {
	switch role {
	case "root":
		return &m.Roles.Root, nil
	case "steward":
		return &m.Roles.Stewards, nil
	case "registrar":
		return &m.Roles.Registrars, nil
	case "grant-signer":
		return &m.Roles.GrantSigners, nil
	case "revoker":
		return &m.Roles.Revokers, nil
	case "payout-signer":
		if m.Payout == nil {
			return nil, errors.New("the manifest has no payout plan")
		}
		return &m.Payout.Signers, nil
	}
	return nil, fmt.Errorf("role %q: want root, steward, registrar, grant-signer, revoker or payout-signer", role)
}

func commonsAddKey(args []string, out io.Writer) error {
	const syn = "ppl commons add-key -role ROLE [-from TIME] [-until TIME] [-remove] DRAFT KEY..."
	fs := newFlags("commons add-key", syn)
	role := fs.String("role", "", "root, steward, registrar, grant-signer, revoker or payout-signer")
	var from, until timeFlag
	fs.Var(&from, "from", "the key holds the role from TIME")
	fs.Var(&until, "until", "the key holds the role until TIME")
	remove := fs.Bool("remove", false, "remove the keys from the role instead")
	if err := parse(fs, args, out, syn); err != nil {
		return err
	}
	if fs.NArg() < 2 {
		return usage("commons add-key: give the draft and at least one key")
	}
	m, err := readDraft("commons add-key", fs.Arg(0))
	if err != nil {
		return err
	}
	ks, err := roleKeys(m, *role)
	if err != nil {
		return usage("commons add-key: %v", err)
	}
	for _, ref := range fs.Args()[1:] {
		k, err := manifestKey(ref)
		if err != nil {
			return usage("commons add-key: %s: %v", ref, err)
		}
		i := slices.IndexFunc(*ks, func(x manifest.Key) bool { return x.Public.Equal(k.Public) })
		switch {
		case *remove && i < 0:
			return usage("commons add-key: %s (%s) is not a %s", ref, k.ID(), *role)
		case *remove:
			*ks = slices.Delete(*ks, i, i+1)
		case i >= 0:
			return usage("commons add-key: %s (%s) is already a %s", ref, k.ID(), *role)
		default:
			k.From, k.Until = from.t, until.t
			*ks = append(*ks, k)
		}
	}
	return writeDraft(m, fs.Arg(0), out)
}

func commonsRecognise(args []string, out io.Writer) error {
	const syn = "ppl commons recognise -commons ID (-version N | -manifest DIGEST|ENVELOPE) -weight W [-remove] DRAFT"
	fs := newFlags("commons recognise", syn)
	id := fs.String("commons", "", "the commons recognised")
	version := fs.Int64("version", 0, "the least version of its manifest accepted")
	digest := fs.String("manifest", "", "a digest of its manifest, or an envelope of it")
	weight := fs.String("weight", "", "its weight, a decimal with at most three places (0.5)")
	remove := fs.Bool("remove", false, "stop recognising it")
	if err := parse(fs, args, out, syn); err != nil {
		return err
	}
	if fs.NArg() != 1 || *id == "" {
		return usage("commons recognise: give -commons and one draft")
	}
	m, err := readDraft("commons recognise", fs.Arg(0))
	if err != nil {
		return err
	}
	i := slices.IndexFunc(m.Recognises, func(r manifest.Recognition) bool { return r.Commons == *id })
	if *remove {
		if i < 0 {
			return usage("commons recognise: %s does not recognise %q", fs.Arg(0), *id)
		}
		m.Recognises = slices.Delete(m.Recognises, i, i+1)
		return writeDraft(m, fs.Arg(0), out)
	}
	var w license.Milli
	if err := w.UnmarshalJSON([]byte(*weight)); err != nil {
		return usage("commons recognise: -weight %q: %v", *weight, err)
	}
	r := manifest.Recognition{Commons: *id, Version: *version, Weight: w}
	if *digest != "" {
		r.Manifest = *digest
		if !strings.HasPrefix(*digest, "sha256:") {
			other, env, err := readManifest(*digest)
			if err != nil || env == nil {
				return usage("commons recognise: -manifest %s: want a digest or a signed manifest (%v)", *digest, err)
			}
			if other.ID != *id {
				return usage("commons recognise: -manifest %s is of commons %q, not %q", *digest, other.ID, *id)
			}
			r.Manifest = attest.Digest(env.Payload)
		}
	}
	if r.Version == 0 && r.Manifest == "" {
		return usage("commons recognise: give -version or -manifest")
	}
	if i >= 0 {
		m.Recognises[i] = r
	} else {
		m.Recognises = append(m.Recognises, r)
	}
	return writeDraft(m, fs.Arg(0), out)
}

func commonsPayout(args []string, out io.Writer) error {
	const syn = "ppl commons payout -currency C [-association ID -association-bp N] [-window-days N] [-half-life-days N] [-kind-weight KIND=W...] [-include-recognised] [-minimum N] DRAFT"
	fs := newFlags("commons payout", syn)
	currency := fs.String("currency", "", "ISO 4217 currency of payments")
	assoc := fs.String("association", "", "the association's account or key id")
	bp := fs.Int64("association-bp", 0, "the association's share in basis points (1000 = 10%)")
	window := fs.Int("window-days", 365, "contributions counted over this many days")
	halfLife := fs.Int("half-life-days", 0, "decay half-life in days (0: none)")
	var kinds multiFlag
	fs.Var(&kinds, "kind-weight", "KIND=W, a kind's weight (repeat; none: every kind 1)")
	incl := fs.Bool("include-recognised", false, "count contributions to recognised commons at their weights")
	minimum := fs.Int64("minimum", 0, "smallest payout in minor units; less is carried over")
	if err := parse(fs, args, out, syn); err != nil {
		return err
	}
	if fs.NArg() != 1 || *currency == "" {
		return usage("commons payout: give -currency and one draft")
	}
	m, err := readDraft("commons payout", fs.Arg(0))
	if err != nil {
		return err
	}
	p := &manifest.Payout{Currency: *currency, Association: *assoc, AssociationBP: *bp, WindowDays: *window,
		HalfLifeDays: *halfLife, IncludeRecognised: *incl, MinimumPayout: *minimum}
	if m.Payout != nil {
		p.Signers = m.Payout.Signers
	}
	for _, kw := range kinds {
		k, w, ok := strings.Cut(kw, "=")
		var milli license.Milli
		if !ok || milli.UnmarshalJSON([]byte(w)) != nil {
			return usage("commons payout: -kind-weight %q: want KIND=W with W a decimal (docs=0.5)", kw)
		}
		if p.KindWeights == nil {
			p.KindWeights = map[string]license.Milli{}
		}
		p.KindWeights[k] = milli
	}
	m.Payout = p
	return writeDraft(m, fs.Arg(0), out)
}

// signerFor returns the signer of -key or -agent.
func signerFor(keyPath, agentPub string) (crypto.Signer, error) {
	switch {
	case keyPath != "" && agentPub != "":
		return nil, usage("give -key or -agent, not both")
	case keyPath != "":
		k, err := loadPrivateKey(keyPath)
		if err != nil {
			return nil, usage("-key: %v", err)
		}
		return k, nil
	case agentPub != "":
		pub, err := loadPublicKey(agentPub)
		if err != nil {
			return nil, usage("-agent: %v", err)
		}
		sock := os.Getenv("SSH_AUTH_SOCK")
		if sock == "" {
			return nil, usage("-agent: SSH_AUTH_SOCK is not set: start ssh-agent and ssh-add the key")
		}
		conn, err := net.Dial("unix", sock)
		if err != nil {
			return nil, refused("-agent: %v", err)
		}
		s, err := attest.AgentSigner(agent.NewClient(conn), pub)
		if err != nil {
			return nil, refused("-agent: %v", err)
		}
		return s, nil
	}
	return nil, usage("give -key FILE or -agent KEY.pub")
}

func commonsSign(args []string, out io.Writer) error {
	const syn = "ppl commons sign (-key FILE | -agent KEY.pub) [-add-to ENVELOPE] [-o OUT] DRAFT"
	fs := newFlags("commons sign", syn)
	keyPath := fs.String("key", "", "private key file")
	agentPub := fs.String("agent", "", "sign with this key held by ssh-agent")
	addTo := fs.String("add-to", "", "add the signature to this envelope of the same draft")
	o := fs.String("o", "", "write the envelope to OUT (default: -add-to's file, or stdout)")
	if err := parse(fs, args, out, syn); err != nil {
		return err
	}
	signer, err := signerFor(*keyPath, *agentPub)
	if err != nil {
		var ee *exitError
		if errors.As(err, &ee) {
			ee.msg = "commons sign: " + ee.msg
		}
		return err
	}
	if *addTo == "" {
		if fs.NArg() != 1 {
			return usage("commons sign: give one draft")
		}
		m, env, err := readManifest(fs.Arg(0))
		if err != nil {
			return refused("commons sign: %v", err)
		}
		if env != nil {
			return usage("commons sign: %s is already an envelope: use -add-to", fs.Arg(0))
		}
		e, err := manifest.Sign(m, signer)
		if err != nil {
			return refused("commons sign: %v", err)
		}
		return writeEnvelope(e, *o, out)
	}
	_, env, err := readManifest(*addTo)
	if err != nil || env == nil {
		return refused("commons sign: -add-to %s: not a signed manifest (%v)", *addTo, err)
	}
	if fs.NArg() == 1 {
		m, _, err := readManifest(fs.Arg(0))
		if err != nil {
			return refused("commons sign: %v", err)
		}
		st, err := m.Statement()
		if err != nil {
			return refused("commons sign: %v", err)
		}
		payload, err := st.Payload()
		if err != nil {
			return err
		}
		if !bytes.Equal(payload, env.Payload) {
			return refused("commons sign: %s is not the draft %s signs: compare them with 'ppl commons diff'", *addTo, fs.Arg(0))
		}
	}
	if env.SignedBy(signer.Public().(ed25519.PublicKey)) == nil {
		return usage("commons sign: %s is already signed by this key", *addTo)
	}
	if err := env.AddSignature(signer); err != nil {
		return err
	}
	if *o == "" {
		*o = *addTo
	}
	return writeEnvelope(env, *o, out)
}

func commonsVerify(args []string, out io.Writer) error {
	const syn = "ppl commons verify -at TIME [-pin DIGEST] ENVELOPE..."
	fs := newFlags("commons verify", syn)
	var at timeFlag
	fs.Var(&at, "at", "judge expiry at TIME")
	pin := fs.String("pin", "", "trust the first envelope because it has this digest (else it must be version 1)")
	if err := parse(fs, args, out, syn); err != nil {
		return err
	}
	if at.t.IsZero() || fs.NArg() == 0 {
		return usage("commons verify: give -at and the envelopes, version 1 (or the pinned one) first")
	}
	var envs [][]byte
	for _, p := range fs.Args() {
		data, err := os.ReadFile(p)
		if err != nil {
			return usage("commons verify: %v", err)
		}
		envs = append(envs, data)
	}
	c, err := manifest.Load(envs, *pin, at.t)
	if err != nil {
		return refused("commons verify: %v", err)
	}
	for _, v := range c.Versions() {
		fmt.Fprintf(out, "%s version %d %s: signed by %d root key(s)\n", v.Manifest.ID, v.Manifest.Version, v.Digest, len(v.Signers))
	}
	l := c.Latest().Manifest
	fmt.Fprintf(out, "OK: %s version %d in force until %s\n", l.ID, l.Version, l.Expires.UTC().Format("2006-01-02T15:04:05Z07:00"))
	return nil
}

// fingerprint is the line `ssh-keygen -l -f key.pub` prints for k.
func fingerprint(k manifest.Key) string {
	c := k.Comment
	if c == "" {
		c = "no comment"
	}
	s := fmt.Sprintf("256 %s %s (ED25519)", k.ID(), c)
	if !k.From.IsZero() || !k.Until.IsZero() {
		s += " " + window(k)
	}
	return s
}

func window(k manifest.Key) string {
	f, u := "…", "…"
	if !k.From.IsZero() {
		f = k.From.UTC().Format("2006-01-02T15:04:05Z")
	}
	if !k.Until.IsZero() {
		u = k.Until.UTC().Format("2006-01-02T15:04:05Z")
	}
	return "[" + f + ", " + u + ")"
}

func commonsShow(args []string, out io.Writer) error {
	const syn = "ppl commons show DRAFT|ENVELOPE"
	fs := newFlags("commons show", syn)
	if err := parse(fs, args, out, syn); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usage("commons show: give one draft or envelope")
	}
	m, env, err := readManifest(fs.Arg(0))
	if err != nil {
		return refused("commons show: %v", err)
	}
	fmt.Fprintf(out, "commons %s", m.ID)
	if m.Name != "" {
		fmt.Fprintf(out, " (%s)", m.Name)
	}
	fmt.Fprintf(out, " version %d\n", m.Version)
	if env != nil {
		fmt.Fprintf(out, "manifest %s, %d signature(s), not verified here ('ppl commons verify')\n", attest.Digest(env.Payload), len(env.Signatures))
	} else {
		fmt.Fprintln(out, "draft, unsigned")
	}
	for _, l := range [][2]string{{"homepage", m.Homepage}, {"repository", m.Repository}} {
		if l[1] != "" {
			fmt.Fprintf(out, "%s %s\n", l[0], l[1])
		}
	}
	fmt.Fprintf(out, "issued %s, expires %s\n", m.IssuedAt.UTC().Format("2006-01-02T15:04:05Z"), m.Expires.UTC().Format("2006-01-02T15:04:05Z"))
	if m.Terms.Builtin != "" {
		fmt.Fprintf(out, "terms %s (SPDX %s) %s\n", m.Terms.Builtin, m.Terms.SPDX, m.Terms.Digest)
	} else {
		fmt.Fprintf(out, "terms inline %q %s\n", m.Terms.Terms.Name, m.Terms.Digest)
	}
	for _, r := range m.RoleKeys() {
		if len(r.Keys) == 0 {
			continue
		}
		if r.Role == "root" {
			fmt.Fprintf(out, "%s (%d of %d):\n", r.Role, m.Roles.RootThreshold, len(r.Keys))
		} else {
			fmt.Fprintf(out, "%s:\n", r.Role)
		}
		for _, k := range r.Keys {
			fmt.Fprintf(out, "  %s\n", fingerprint(k))
		}
	}
	for _, r := range m.Recognises {
		fmt.Fprintf(out, "recognises %s at %s%s\n", r.Commons, r.Weight, pinText(r))
	}
	if p := m.Payout; p != nil {
		fmt.Fprintf(out, "payout %s: association %q keeps %d bp, minimum %d, window %d days, half-life %d days\n",
			p.Currency, p.Association, p.AssociationBP, p.MinimumPayout, p.WindowDays, p.HalfLifeDays)
	}
	fmt.Fprintf(out, "self-declared facts accepted: %v\n", m.AcceptSelfDeclared)
	return nil
}

func pinText(r manifest.Recognition) string {
	var s []string
	if r.Version > 0 {
		s = append(s, "version ≥ "+strconv.FormatInt(r.Version, 10))
	}
	if r.Manifest != "" {
		s = append(s, "through "+r.Manifest)
	}
	return " (" + strings.Join(s, ", ") + ")"
}

func commonsDiff(args []string, out io.Writer) error {
	const syn = "ppl commons diff OLD NEW"
	fs := newFlags("commons diff", syn)
	if err := parse(fs, args, out, syn); err != nil {
		return err
	}
	if fs.NArg() != 2 {
		return usage("commons diff: give the old and the new manifest")
	}
	a, _, err := readManifest(fs.Arg(0))
	if err != nil {
		return refused("commons diff: %v", err)
	}
	b, _, err := readManifest(fs.Arg(1))
	if err != nil {
		return refused("commons diff: %v", err)
	}
	var lines []string
	add := func(format string, args ...any) { lines = append(lines, fmt.Sprintf(format, args...)) }
	if a.ID != b.ID {
		add("! commons %s → %s: not versions of one commons", a.ID, b.ID)
	}
	if b.Version != a.Version+1 {
		add("! version %d → %d: a chain takes exactly one step", a.Version, b.Version)
	} else {
		add("version %d → %d", a.Version, b.Version)
	}
	if a.Terms.Digest != b.Terms.Digest {
		add("terms %s → %s", termsName(a), termsName(b))
	}
	if a.Roles.RootThreshold != b.Roles.RootThreshold {
		add("root threshold %d → %d", a.Roles.RootThreshold, b.Roles.RootThreshold)
	}
	ra, rb := a.RoleKeys(), b.RoleKeys()
	for _, r := range rb {
		var old []manifest.Key
		for _, o := range ra {
			if o.Role == r.Role {
				old = o.Keys
			}
		}
		for _, k := range old {
			i := slices.IndexFunc(r.Keys, func(x manifest.Key) bool { return x.Public.Equal(k.Public) })
			if i < 0 {
				add("- %s %s", r.Role, fingerprint(k))
			} else if window(r.Keys[i]) != window(k) {
				add("~ %s %s: %s → %s", r.Role, k.ID(), window(k), window(r.Keys[i]))
			}
		}
		for _, k := range r.Keys {
			if !slices.ContainsFunc(old, func(x manifest.Key) bool { return x.Public.Equal(k.Public) }) {
				add("+ %s %s", r.Role, fingerprint(k))
			}
		}
	}
	for _, r := range a.Recognises {
		i := slices.IndexFunc(b.Recognises, func(x manifest.Recognition) bool { return x.Commons == r.Commons })
		switch {
		case i < 0:
			add("- recognises %s at %s", r.Commons, r.Weight)
		case b.Recognises[i].Weight != r.Weight:
			add("~ recognises %s weight %s → %s", r.Commons, r.Weight, b.Recognises[i].Weight)
		}
	}
	for _, r := range b.Recognises {
		if !slices.ContainsFunc(a.Recognises, func(x manifest.Recognition) bool { return x.Commons == r.Commons }) {
			add("+ recognises %s at %s%s", r.Commons, r.Weight, pinText(r))
		}
	}
	if a.AcceptSelfDeclared != b.AcceptSelfDeclared {
		add("self-declared facts accepted %v → %v", a.AcceptSelfDeclared, b.AcceptSelfDeclared)
	}
	if !a.Expires.Equal(b.Expires) {
		add("expires %s → %s", a.Expires.UTC().Format("2006-01-02"), b.Expires.UTC().Format("2006-01-02"))
	}
	fmt.Fprintln(out, strings.Join(lines, "\n"))
	return nil
}

func termsName(m *manifest.Manifest) string {
	if m.Terms.Builtin != "" {
		return m.Terms.Builtin
	}
	return "inline " + m.Terms.Digest
}

// commonsImportTrust turns a trust file (ppl help trust) into a manifest
// draft. What a manifest cannot say is not carried over, and each such
// thing is named: rules about one entity, rules for another commons'
// stewards (their own manifest names them), peers, revocation files.
func commonsImportTrust(args []string, out io.Writer) error {
	const syn = "ppl commons import-trust -root KEY... [-threshold N] [-terms ID|FILE] -issued TIME -expires TIME -o DRAFT TRUSTFILE"
	fs := newFlags("commons import-trust", syn)
	var roots multiFlag
	fs.Var(&roots, "root", "a root key (repeat)")
	threshold := fs.Int("threshold", 1, "root keys required to sign")
	terms := fs.String("terms", "ppl-reciprocity", "built-in terms id or a terms file")
	var issued, expires timeFlag
	fs.Var(&issued, "issued", "issue time")
	fs.Var(&expires, "expires", "expiry time")
	o := fs.String("o", "", "write the draft to FILE")
	if err := parse(fs, args, out, syn); err != nil {
		return err
	}
	if fs.NArg() != 1 || *o == "" || len(roots) == 0 || issued.t.IsZero() || expires.t.IsZero() {
		return usage("commons import-trust: give -root, -issued, -expires, -o and one trust file")
	}
	path := fs.Arg(0)
	data, err := os.ReadFile(path)
	if err != nil {
		return usage("commons import-trust: %v", err)
	}
	var tf trustFile
	if err := decodeStrict(data, &tf); err != nil {
		return refused("commons import-trust: %s: %v", path, err)
	}
	dir := filepath.Dir(path)
	keyRef := func(ref string) (manifest.Key, error) {
		if !strings.HasPrefix(ref, "ssh-") && !filepath.IsAbs(ref) {
			ref = filepath.Join(dir, ref)
		}
		return manifestKey(ref)
	}
	id := tf.Commons.ID
	m := &manifest.Manifest{ID: id, Name: tf.Commons.Name, Version: 1, IssuedAt: issued.t, Expires: expires.t,
		Roles: manifest.Roles{RootThreshold: *threshold}, AcceptSelfDeclared: tf.AcceptSelfDeclared}
	if m.Terms, err = termsRef(*terms); err != nil {
		return usage("commons import-trust: -terms: %v", err)
	}
	for _, r := range roots {
		k, err := manifestKey(r)
		if err != nil {
			return usage("commons import-trust: -root %s: %v", r, err)
		}
		m.Roles.Root = append(m.Roles.Root, k)
	}
	note := func(format string, args ...any) { fmt.Fprintf(out, "not carried over: "+format+"\n", args...) }
	addTo := func(role *[]manifest.Key, k manifest.Key) {
		if i := slices.IndexFunc(*role, func(x manifest.Key) bool { return x.Public.Equal(k.Public) }); i >= 0 {
			if (*role)[i].From.IsZero() && (*role)[i].Until.IsZero() {
				(*role)[i] = k // the rule's window is the narrower
			}
			return
		}
		*role = append(*role, k)
	}
	for i, s := range tf.Commons.Stewards {
		if strings.HasPrefix(s, "SHA256:") {
			return refused("commons import-trust: %s: /commons/stewards/%d is a key id: a manifest needs the public key", path, i)
		}
		k, err := keyRef(s)
		if err != nil {
			return refused("commons import-trust: %s: /commons/stewards/%d: %v", path, i, err)
		}
		addTo(&m.Roles.Stewards, k)
	}
	registrarPreds := map[string]bool{contribution.EntityPredicateType: true, contribution.MembershipPredicateType: true,
		policy.FactPredicateType: true, policy.ControlPredicateType: true}
	for i, r := range tf.Rules {
		k, err := keyRef(r.Key)
		if err != nil {
			return refused("commons import-trust: %s: /rules/%d/key: %v", path, i, err)
		}
		if r.From != "" {
			if k.From, err = parseTime(r.From); err != nil {
				return refused("commons import-trust: %s: /rules/%d/from: %v", path, i, err)
			}
		}
		if r.Until != "" {
			if k.Until, err = parseTime(r.Until); err != nil {
				return refused("commons import-trust: %s: /rules/%d/until: %v", path, i, err)
			}
		}
		subjects := map[string]bool{}
		for _, s := range r.Subjects {
			subjects[s] = true
		}
		only := func(allowed ...string) bool {
			for s := range subjects {
				if !slices.Contains(allowed, s) {
					return false
				}
			}
			return true
		}
		for _, p := range r.Predicates {
			if full, ok := predicateNames[p]; ok {
				p = full
			}
			switch {
			case p == contribution.ContributionPredicateType && only("commons:"+id):
				addTo(&m.Roles.Stewards, k)
			case p == contribution.ContributionPredicateType:
				note("/rules/%d (contribution about %s): another commons' stewards come from its own manifest", i, strings.Join(r.Subjects, ", "))
			case registrarPreds[p] && only("entity:*", "statement:*"):
				addTo(&m.Roles.Registrars, k)
			case p == policy.GrantPredicateType && only("commons:"+id, "entity:*"):
				addTo(&m.Roles.GrantSigners, k)
			case p == attest.RevocationPredicateType:
				addTo(&m.Roles.Revokers, k)
				if !only("key:*", "statement:*") || len(subjects) < 2 {
					fmt.Fprintf(out, "widened: /rules/%d: a manifest's revokers may revoke any key and statement, not only %s\n", i, strings.Join(r.Subjects, ", "))
				}
			default:
				note("/rules/%d (%s about %s): a manifest gives roles over every entity, not one", i, p, strings.Join(r.Subjects, ", "))
			}
		}
	}
	for _, r := range tf.Commons.Recognises {
		m.Recognises = append(m.Recognises, manifest.Recognition{Commons: r.Commons, Version: 1, Weight: r.Weight})
	}
	for _, p := range tf.Peers {
		note("peer %s: its stewards come from its own manifest", p.ID)
	}
	for _, r := range tf.Revocations {
		note("revocation %s: keep applying it (ppl verify -trust) or sign it again with a revoker", r)
	}
	return writeDraft(m, *o, out)
}

package manifest

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/peerproduction/ppl/attest"
)

// Version is one verified manifest of a chain.
type Version struct {
	Manifest *Manifest
	// Digest is attest.Digest of the statement's payload: what a
	// recognising manifest or a pin names.
	Digest string
	// Signers are the root keys counted, this version's and, from version
	// 2 on, the previous version's (key ids, sorted, each once).
	Signers []string
	// Envelope is the envelope as it was given.
	Envelope []byte
}

// Chain is the verified history of one commons' manifests, version 1 (or
// a pinned version) to the latest, each signed by a threshold of the root
// keys of the one before and of its own. A Chain is not safe for
// concurrent Update; read it freely once built.
type Chain struct {
	versions []Version
}

// Open starts a chain from one manifest envelope. With pin empty it is
// trusted on first use and must be version 1; otherwise its digest must be
// pin, and it may be any version (a marketplace pins what it audited). In
// both cases it must be signed by a threshold of its own root keys.
func Open(envelope []byte, pin string) (*Chain, error) {
	v, err := verify(envelope, nil)
	if err != nil {
		return nil, err
	}
	m := v.Manifest
	switch {
	case pin != "" && v.Digest != pin:
		return nil, &Error{Err: ErrPin, Commons: m.ID, Version: m.Version, Digest: v.Digest, Detail: "pinned " + pin}
	case pin == "" && m.Version != 1:
		return nil, &Error{Err: ErrFirstVersion, Commons: m.ID, Version: m.Version, Digest: v.Digest, Pointer: "/version",
			Detail: "pin its digest, or start from version 1"}
	}
	return &Chain{versions: []Version{v}}, nil
}

// Load verifies a chain of envelopes, in version order from the first, as
// Open and Update do, and checks that the latest is in force at time at
// (Current). TUF's rule: intermediate versions may have expired, the one
// the chain ends on must not.
func Load(envelopes [][]byte, pin string, at time.Time) (*Chain, error) {
	if len(envelopes) == 0 {
		return nil, &Error{Err: ErrMalformed, Detail: "no manifests given"}
	}
	c, err := Open(envelopes[0], pin)
	if err != nil {
		return nil, err
	}
	for _, e := range envelopes[1:] {
		if err := c.Update(e); err != nil {
			return nil, err
		}
	}
	if _, err := c.Current(at); err != nil {
		return nil, err
	}
	return c, nil
}

// Update verifies the next version and appends it. It must be for the
// same commons, numbered exactly one more than the latest held, issued
// after it, and signed by a threshold of the latest's root keys and a
// threshold of its own (so root keys rotate: each version vouches for the
// next). The version already held, given again byte for byte in its
// payload, is accepted as a no-op; any other refusal leaves the chain as
// it was. Expiry is not judged here but by Current, at the time a caller
// uses the chain.
func (c *Chain) Update(envelope []byte) error {
	prev := c.Latest()
	v, err := verify(envelope, &prev)
	if errors.Is(err, errSame) {
		return nil
	}
	if err != nil {
		return err
	}
	c.versions = append(c.versions, v)
	return nil
}

// errSame marks the envelope of the version already held.
var errSame = errors.New("the version held")

// Latest returns the newest version held.
func (c *Chain) Latest() Version { return c.versions[len(c.versions)-1] }

// Versions returns every version held, oldest first. Do not modify it.
func (c *Chain) Versions() []Version { return c.versions }

// ID returns the id of the commons.
func (c *Chain) ID() string { return c.versions[0].Manifest.ID }

// Has reports whether the chain passes through the manifest with digest d.
func (c *Chain) Has(d string) bool {
	for _, v := range c.versions {
		if v.Digest == d {
			return true
		}
	}
	return false
}

// Current returns the latest version if it is in force at time at: issued
// at or before at and expiring after it. An expired latest version is
// refused (ErrExpired) rather than used: whoever withholds newer versions
// (a freeze attack) can only make a client stop, not keep it on stale keys.
func (c *Chain) Current(at time.Time) (Version, error) {
	v := c.Latest()
	m := v.Manifest
	switch {
	case at.Before(m.IssuedAt):
		return Version{}, &Error{Err: ErrNotYetIssued, Commons: m.ID, Version: m.Version, Digest: v.Digest, Pointer: "/issuedAt",
			Detail: fmt.Sprintf("issued %s, judged at %s", formatTime(m.IssuedAt), formatTime(at))}
	case !at.Before(m.Expires):
		return Version{}, &Error{Err: ErrExpired, Commons: m.ID, Version: m.Version, Digest: v.Digest, Pointer: "/expires",
			Detail: fmt.Sprintf("expired %s, judged at %s: fetch a newer version", formatTime(m.Expires), formatTime(at))}
	}
	return v, nil
}

// verify reads and verifies one manifest envelope, as the successor of
// prev when prev is not nil. The document is read before its signatures
// are checked only to refuse early (wrong commons, rollback, skip) with
// the better reason; nothing read is returned unless the signatures hold,
// and the signatures are over exactly the bytes read.
func verify(envelope []byte, prev *Version) (Version, error) {
	env, err := attest.ParseEnvelope(envelope)
	if err != nil {
		return Version{}, &Error{Err: ErrMalformed, Detail: err.Error(), Cause: err}
	}
	if env.PayloadType != attest.PayloadType {
		return Version{}, &Error{Err: ErrMalformed, Detail: fmt.Sprintf("payload type %q is not %q", env.PayloadType, attest.PayloadType)}
	}
	digest := attest.Digest(env.Payload)
	st, err := attest.ParseStatement(env.Payload)
	if err != nil {
		return Version{}, &Error{Err: ErrMalformed, Digest: digest, Detail: err.Error(), Cause: err}
	}
	if st.PredicateType != PredicateType {
		return Version{}, &Error{Err: ErrMalformed, Digest: digest, Detail: fmt.Sprintf("predicate type %q is not a commons manifest", st.PredicateType)}
	}
	m, err := Parse(st.Predicate)
	if err != nil {
		var e *Error
		if errors.As(err, &e) {
			e.Digest = digest
		}
		return Version{}, err
	}
	fail := func(sentinel error, ptr, format string, args ...any) (Version, error) {
		return Version{}, &Error{Err: sentinel, Commons: m.ID, Version: m.Version, Digest: digest, Pointer: ptr, Detail: fmt.Sprintf(format, args...)}
	}
	if len(st.Subject) != 1 || st.Subject[0].Name != "commons:"+m.ID {
		return fail(ErrWrongCommons, "", "the statement's subject must be commons:%s alone", m.ID)
	}
	if prev != nil {
		pm := prev.Manifest
		switch {
		case m.ID != pm.ID:
			return fail(ErrWrongCommons, "/id", "the chain is of commons %q", pm.ID)
		case digest == prev.Digest:
			return Version{}, errSame
		case m.Version == pm.Version:
			return fail(ErrFork, "/version", "version %d is held with digest %s", pm.Version, prev.Digest)
		case m.Version < pm.Version:
			return fail(ErrRollback, "/version", "version %d is held", pm.Version)
		case m.Version != pm.Version+1:
			return fail(ErrSkippedVersion, "/version", "version %d is held: give every version from %d on, in order", pm.Version, pm.Version+1)
		case !m.IssuedAt.After(pm.IssuedAt):
			return fail(ErrRollback, "/issuedAt", "issued %s, not after version %d (%s)", formatTime(m.IssuedAt), pm.Version, formatTime(pm.IssuedAt))
		}
	}
	signers := map[string]bool{}
	if prev != nil {
		// The previous version's root keys vouch for this one; judged at
		// this version's issue time, which is after the previous one's.
		if err := countRoot(envelope, prev.Manifest, m, digest, signers); err != nil {
			return Version{}, err
		}
	}
	if err := countRoot(envelope, m, m, digest, signers); err != nil {
		return Version{}, err
	}
	v := Version{Manifest: m, Digest: digest, Envelope: append([]byte(nil), envelope...)}
	for id := range signers {
		v.Signers = append(v.Signers, id)
	}
	slices.Sort(v.Signers)
	return v, nil
}

// countRoot checks that a threshold of by's distinct root keys signed the
// envelope of m, with a Trust made of those keys alone, scoped to manifests
// of this commons and to each key's window at m's issue time. attest counts
// distinct public keys, so one key signing twice, or listed under two ids,
// counts once.
func countRoot(envelope []byte, by, m *Manifest, digest string, signers map[string]bool) error {
	rules := make([]attest.Rule, len(by.Roles.Root))
	for i, k := range by.Roles.Root {
		rules[i] = attest.Rule{Key: k.Public, PredicateTypes: []string{PredicateType}, Subjects: []string{"commons:" + by.ID}, From: k.From, Until: k.Until}
	}
	trust, err := attest.NewTrust(rules...)
	if err != nil {
		return &Error{Err: ErrKey, Commons: m.ID, Version: m.Version, Digest: digest, Pointer: "/roles/root/keys", Detail: err.Error(), Cause: err}
	}
	v, err := trust.Verify(envelope, attest.VerifyOptions{Time: m.IssuedAt, FirstSeen: m.IssuedAt,
		PredicateTypes: []string{PredicateType}, Threshold: by.Roles.RootThreshold})
	if err != nil {
		whose := "its own"
		if by != m {
			whose = fmt.Sprintf("version %d's", by.Version)
		}
		e := &Error{Err: ErrThreshold, Commons: m.ID, Version: m.Version, Digest: digest, Pointer: "/roles/root",
			Detail: fmt.Sprintf("%d of %s root keys must sign: %v", by.Roles.RootThreshold, whose, err), Cause: err}
		var ve *attest.VerifyError
		if errors.As(err, &ve) {
			e.KeyID = ve.KeyID
		}
		return e
	}
	if v.Digest != digest {
		return &Error{Err: ErrMalformed, Commons: m.ID, Version: m.Version, Digest: digest, Detail: "verified payload differs from the one read"}
	}
	for _, id := range v.Signers {
		signers[id] = true
	}
	return nil
}

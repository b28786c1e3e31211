package policy

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/peerproduction/ppl/attest"
	"github.com/peerproduction/ppl/contribution"
)

// Use describes what the entity wants to do.
type Use struct {
	Commercial bool
	Purpose    string    // e.g. "production", "prototype", "personal"
	Seats      int64     // for per-seat prices; 0 counts as 1
	FirstUse   time.Time // when the entity first used the commons; zero: now
	Released   time.Time // when the version used was first released (BSL's conversion); zero: unknown
}

// Request is one question: may this entity use the commons this way at
// this time, and on what terms.
type Request struct {
	// Entity is who asks. Its ID is required; facts set here without
	// provenance are self-declared. Facts from verified entity statements
	// in Evidence take precedence.
	Entity contribution.Entity
	Use    Use
	// At is the time the decision is for. Required: there is no hidden
	// clock.
	At time.Time
	// Evidence holds DSSE envelopes (JSON) to verify with the evaluator's
	// Trust: entity facts, contributions, memberships, grants. Evidence
	// that fails verification is listed as ignored, with its reason, and
	// changes nothing else.
	Evidence [][]byte
	// Ledger, when set, answers reciprocity. Contributions and memberships
	// in Evidence are then not counted again (they are listed as ignored:
	// ingest them into the ledger instead).
	Ledger *contribution.Ledger
	// Context is what Ledger's reads run under (a store-backed ledger
	// queries its database with it): cancelling it abandons the decision
	// with its error. nil means context.Background().
	Context context.Context
	// Reciprocity, when set, is the answer to Evaluator.Query already
	// computed; it takes precedence over Ledger.
	Reciprocity *contribution.Reciprocity
	// Facts are further named facts the entity declares (self-declared).
	Facts []string
	// FirstUses are the first uses of other entities, by id. Where terms
	// count affiliates, a trial runs from the earliest first use in the
	// entity's group: one trial per company.
	FirstUses map[string]time.Time
	// NoticeAt is when the entity first received written notice of a
	// violation, if it did; with terms that give a cure period, a pay or
	// deny decision then says until when the entity may cure.
	NoticeAt time.Time
}

// requestDigest identifies the request: the commons, entity, use, time,
// the SHA-256 of each evidence envelope, the facts declared, the notice
// and first-use dates given, and the reciprocity counted. It hashes the
// canonical JSON of an object with those members, written directly;
// TestMarshalMatchesReference holds it to canonjson's encoding.
func (e *Evaluator) requestDigest(d *Decision) string {
	x := d.x()
	stamp := func(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }
	w := jsonWriter{b: make([]byte, 0, 512)}
	w.open('{')
	w.str("at", stamp(d.at))
	w.boolean("commercial", d.flags.has(flagCommercial))
	w.str("commons", e.commons.ID)
	w.str("entity", d.entity)
	if len(x.evidence) > 0 {
		w.key("evidence")
		w.open('[')
		for _, ev := range x.evidence {
			sum := sha256.Sum256(ev)
			w.sep()
			w.b = hex.AppendEncode(append(w.b, `"sha256:`...), sum[:])
			w.b = append(w.b, '"')
			w.comma = true
		}
		w.close(']')
	}
	if len(x.declared) > 0 {
		w.key("facts")
		w.strings(x.declared)
	}
	if !x.firstUse.IsZero() {
		w.str("firstUse", stamp(x.firstUse))
	}
	if len(x.firstUses) > 0 {
		uses := make([]string, 0, len(x.firstUses))
		for id, t := range x.firstUses {
			uses = append(uses, id+"@"+stamp(t))
		}
		slices.Sort(uses)
		w.key("firstUses")
		w.strings(uses)
	}
	if !x.noticeAt.IsZero() {
		w.str("noticeAt", stamp(x.noticeAt))
	}
	w.str("purpose", d.purpose)
	w.strOmit("reciprocity", d.pointsCounted())
	if !x.released.IsZero() {
		w.str("released", stamp(x.released))
	}
	w.integer("seats", d.seats)
	w.close('}')
	sum := sha256.Sum256(w.b)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// checkIDs refuses a request whose ids are outside attest's grammar
// (attest.CheckID, attest.CheckKeyID), with ErrRequest and the
// *attest.IDError naming the field. Of several bad FirstUses the least in
// byte order is named, so the same request gets the same error.
// context is r.Context, or the background context when none was set.
func (r *Request) context() context.Context {
	if r.Context != nil {
		return r.Context
	}
	return context.Background()
}

func (r *Request) checkIDs() error {
	if err := attest.CheckID(r.Entity.ID); err != nil {
		return requestIDError("Entity.ID", err)
	}
	if r.Entity.Key != "" {
		if err := attest.CheckKeyID(r.Entity.Key); err != nil {
			return requestIDError("Entity.Key", err)
		}
	}
	var bad []string
	for id := range r.FirstUses {
		if attest.CheckID(id) != nil {
			bad = append(bad, id)
		}
	}
	if len(bad) > 0 {
		id := slices.Min(bad)
		return requestIDError(fmt.Sprintf("FirstUses[%+q]", id), attest.CheckID(id))
	}
	return nil
}

// checkConfigIDs refuses a Config whose commons ids are outside attest's
// grammar, with ErrConfig and the *attest.IDError naming the field.
func checkConfigIDs(cfg *Config) error {
	check := func(where, id string) error {
		if err := attest.CheckID(id); err != nil {
			var ie *attest.IDError
			errors.As(err, &ie)
			ie.Where = where
			return fmt.Errorf("%w: %w", ErrConfig, ie)
		}
		return nil
	}
	if err := check("Commons.ID", cfg.Commons.ID); err != nil {
		return err
	}
	for i, rc := range cfg.Commons.Recognises {
		if err := check(fmt.Sprintf("Commons.Recognises[%d].Commons", i), rc.Commons); err != nil {
			return err
		}
	}
	for i, p := range cfg.Peers {
		if err := check(fmt.Sprintf("Peers[%d].ID", i), p.ID); err != nil {
			return err
		}
	}
	return nil
}

func requestIDError(where string, err error) error {
	var ie *attest.IDError
	errors.As(err, &ie)
	ie.Where = "Request." + where
	return fmt.Errorf("%w: %w", ErrRequest, ie)
}

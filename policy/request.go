package policy

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"time"

	"github.com/peerproduction/ppl/contribution"
	"github.com/peerproduction/ppl/internal/canonjson"
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

type requestWire struct {
	Commons    string   `json:"commons"`
	Entity     string   `json:"entity"`
	Commercial bool     `json:"commercial"`
	Purpose    string   `json:"purpose"`
	Seats      int64    `json:"seats"`
	FirstUse   string   `json:"firstUse,omitempty"`
	At         string   `json:"at"`
	Evidence   []string `json:"evidence,omitempty"`
	Facts      []string `json:"facts,omitempty"`
	Points     string   `json:"reciprocity,omitempty"`
	Released   string   `json:"released,omitempty"`
	NoticeAt   string   `json:"noticeAt,omitempty"`
	FirstUses  []string `json:"firstUses,omitempty"` // "entity@time", sorted
}

// requestDigest identifies the request: the commons, entity, use, time,
// the SHA-256 of each evidence envelope, the facts declared, the notice
// and first-use dates given, and the reciprocity counted.
func (e *Evaluator) requestDigest(d *Decision, points string) string {
	x := d.x()
	w := requestWire{Commons: e.commons.ID, Entity: d.entity, Commercial: d.flags.has(flagCommercial), Purpose: d.purpose,
		Seats: d.seats, At: d.at.UTC().Format(time.RFC3339Nano), Facts: x.declared, Points: points}
	if !x.firstUse.IsZero() {
		w.FirstUse = x.firstUse.UTC().Format(time.RFC3339Nano)
	}
	if !x.released.IsZero() {
		w.Released = x.released.UTC().Format(time.RFC3339Nano)
	}
	if !x.noticeAt.IsZero() {
		w.NoticeAt = x.noticeAt.UTC().Format(time.RFC3339Nano)
	}
	for id, t := range x.firstUses {
		w.FirstUses = append(w.FirstUses, id+"@"+t.UTC().Format(time.RFC3339Nano))
	}
	slices.Sort(w.FirstUses)
	for _, ev := range x.evidence {
		sum := sha256.Sum256(ev)
		w.Evidence = append(w.Evidence, "sha256:"+hex.EncodeToString(sum[:]))
	}
	b, err := canonjson.Marshal(w)
	if err != nil {
		return ""
	}
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}

package policy

import (
	"errors"
	"fmt"
	"hash/maphash"
	"slices"
	"time"

	"github.com/peerproduction/ppl/attest"
	"github.com/peerproduction/ppl/contribution"
	"github.com/peerproduction/ppl/internal/bounded"
	"github.com/peerproduction/ppl/internal/canonjson"
	"github.com/peerproduction/ppl/license"
)

// Config is what an Evaluator is compiled from.
type Config struct {
	// Terms are the commons' license terms.
	Terms *license.Terms
	// Commons is the commons the terms govern: its id and the commons it
	// recognises, with their weights.
	Commons contribution.Commons
	// Trust says whose statements count. Required when requests carry
	// envelopes; may be nil otherwise.
	Trust *attest.Trust
	// Peers are the records (with stewards) of the commons Commons
	// recognises, so contributions to them in a request's evidence can be
	// checked against their own stewards.
	Peers []contribution.Commons
	// Index adjusts money thresholds stated in a base year's money (e.g.
	// CPI-U annual averages for PolyForm's "USD 1,000,000 (2019)").
	Index license.IndexSeries
	// AcceptSelfDeclared lets facts an entity declares about itself (signed
	// with its own key, or passed in Request.Entity without provenance)
	// count. Decisions mark every fact used as attested or self-declared
	// either way; without this, self-declared facts are ignored.
	AcceptSelfDeclared bool
	// Manifests name the commons manifests the configuration was derived
	// from (package policy/manifest), so that each decision says what it
	// was decided with. Informational: nothing is checked against them.
	Manifests []ManifestRef
}

// ManifestRef names one version of a commons manifest.
type ManifestRef struct {
	Commons string
	Version int64
	Digest  string
}

// Evaluator decides requests against one set of terms. Compile it once; it
// is immutable and safe for concurrent use.
type Evaluator struct {
	terms       *license.Terms
	termsDigest string
	commons     contribution.Commons
	trust       *attest.Trust
	peers       []contribution.Commons
	selfOK      bool
	index       license.IndexSeries
	recip       *license.Reciprocity
	recipClause int // index of the clause holding the reciprocity rule, -1 if none
	kindWeights map[string]int64
	recognised  map[string]int64
	counting    []contribution.Recognition // the commons whose contributions count, for PathToFree
	obligations [][]license.Obligation     // by clause: the terms' own and the clause's
	// obligationsJSON is each clause's obligations as canonical JSON, for
	// MarshalJSON: long texts that are the same in every decision.
	obligationsJSON [][]byte
	decoded         *bounded.Map[string, *decoded]
	sets            *bounded.Map[uint64, *evidenceSet]
	seed            maphash.Seed // for evidence set keys
	manifests       []ManifestRef
}

// ErrConfig is returned by Compile for an unusable configuration.
var ErrConfig = errors.New("policy: invalid configuration")

// Compile checks cfg and precomputes what every evaluation needs: the
// terms digest and the ledger query for the terms' reciprocity rule.
func Compile(cfg Config) (*Evaluator, error) {
	if cfg.Terms == nil {
		return nil, fmt.Errorf("%w: Terms is nil", ErrConfig)
	}
	if err := checkConfigIDs(&cfg); err != nil {
		return nil, err
	}
	digest, err := cfg.Terms.Digest()
	if err != nil {
		return nil, fmt.Errorf("%w: terms digest: %v", ErrConfig, err)
	}
	e := &Evaluator{terms: cfg.Terms, termsDigest: digest, commons: cfg.Commons, trust: cfg.Trust, peers: cfg.Peers,
		selfOK: cfg.AcceptSelfDeclared, index: cfg.Index, decoded: bounded.New[string, *decoded](maxDecoded),
		sets: bounded.New[uint64, *evidenceSet](maxEvidenceSets), seed: maphash.MakeSeed(), recip: cfg.Terms.Reciprocity(), recipClause: -1,
		manifests: slices.Clone(cfg.Manifests)}
	e.obligations = make([][]license.Obligation, len(cfg.Terms.Clauses))
	e.obligationsJSON = make([][]byte, len(cfg.Terms.Clauses))
	for i, c := range cfg.Terms.Clauses {
		// Parse admits no other effect; terms built by hand might.
		if codeOf(Outcome(c.Effect)) == codeNone {
			return nil, fmt.Errorf("%w: /clauses/%d/effect: %q is not free, pay or deny", ErrConfig, i, c.Effect)
		}
		e.obligations[i] = cfg.Terms.Obligations
		if len(c.Obligations) > 0 {
			e.obligations[i] = append(slices.Clip(cfg.Terms.Obligations), c.Obligations...)
		}
		if len(e.obligations[i]) > 0 {
			if e.obligationsJSON[i], err = canonjson.Marshal(e.obligations[i]); err != nil {
				return nil, fmt.Errorf("%w: /clauses/%d/obligations: %v", ErrConfig, i, err)
			}
		}
	}
	if e.recip != nil {
		if len(e.recip.KindWeights) > 0 {
			e.kindWeights = make(map[string]int64, len(e.recip.KindWeights))
			for k, w := range e.recip.KindWeights {
				e.kindWeights[k] = int64(w)
			}
		}
		e.counting = []contribution.Recognition{{Commons: cfg.Commons.ID, Weight: 1000}}
		if e.recip.IncludeRecognised {
			e.recognised = cfg.Commons.RecognisedWeights()
			e.counting = append(e.counting, cfg.Commons.Recognises...)
		}
		for i, c := range cfg.Terms.Clauses {
			if c.When != nil && containsReciprocity(c.When) {
				e.recipClause = i
				break
			}
		}
	}
	return e, nil
}

func containsReciprocity(c *license.Condition) bool {
	if c == nil {
		return false
	}
	if c.Reciprocity != nil {
		return true
	}
	for _, s := range c.All {
		if containsReciprocity(s) {
			return true
		}
	}
	for _, s := range c.Any {
		if containsReciprocity(s) {
			return true
		}
	}
	return containsReciprocity(c.Not)
}

// Terms returns the terms the evaluator decides by.
func (e *Evaluator) Terms() *license.Terms { return e.terms }

// TermsDigest returns the digest of the terms.
func (e *Evaluator) TermsDigest() string { return e.termsDigest }

// Query returns the ledger query the terms' reciprocity rule asks for an
// entity at a time, and false when the terms have no reciprocity rule. A
// caller summarising reciprocity ahead of time (Request.Reciprocity) asks
// exactly this.
func (e *Evaluator) Query(entity string, at time.Time) (contribution.Query, bool) {
	if e.recip == nil {
		return contribution.Query{}, false
	}
	// A nil Recognised map asks for this commons alone.
	return contribution.Query{Entity: entity, Commons: e.commons.ID, At: at, Window: e.recip.Window(),
		HalfLife: e.recip.HalfLife(), KindWeights: e.kindWeights, Recognised: e.recognised}, true
}

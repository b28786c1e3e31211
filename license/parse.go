package license

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v5"

	"github.com/peerproduction/ppl/internal/canonjson"
	"github.com/peerproduction/ppl/internal/money"
)

//go:embed terms.schema.json
var schemaJSON []byte

// Sentinels for errors.Is on a Problem.
var (
	ErrSyntax          = errors.New("malformed JSON")
	ErrSchema          = errors.New("schema violation")
	ErrNoDefault       = errors.New("terms must end with a default clause (one without a condition)")
	ErrUnreachable     = errors.New("clause can never decide")
	ErrDuplicateClause = errors.New("duplicate clause id")
	ErrUnknownCurrency = errors.New("unknown ISO 4217 currency")
	ErrNegativePrice   = errors.New("negative price")
	ErrUnknownPrice    = errors.New("unknown price schedule")
	ErrBadTiers        = errors.New("invalid price tiers")
	ErrBadShare        = errors.New("invalid revenue share")
	ErrReciprocity     = errors.New("terms may hold only one reciprocity rule")
)

// Problem is one thing wrong with a terms document, at a JSON pointer.
type Problem struct {
	Pointer string
	Message string
	Err     error
}

func (p Problem) Error() string {
	ptr := p.Pointer
	if ptr == "" {
		ptr = "/"
	}
	return ptr + ": " + p.Message
}

func (p Problem) Unwrap() error { return p.Err }

// ParseError lists every problem Parse found, in document order.
type ParseError struct {
	Problems []Problem
}

func (e *ParseError) Error() string {
	msgs := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		msgs[i] = p.Error()
	}
	return fmt.Sprintf("license: %d problem(s) in terms: %s", len(e.Problems), strings.Join(msgs, "; "))
}

// Is reports whether any problem matches target, so errors.Is(err,
// ErrNoDefault) works on the whole ParseError.
func (e *ParseError) Is(target error) bool {
	for _, p := range e.Problems {
		if errors.Is(p.Err, target) {
			return true
		}
	}
	return false
}

var compiledSchema = sync.OnceValues(func() (*jsonschema.Schema, error) {
	c := jsonschema.NewCompiler()
	c.Draft = jsonschema.Draft2020
	if err := c.AddResource("terms.schema.json", bytes.NewReader(schemaJSON)); err != nil {
		return nil, err
	}
	return c.Compile("terms.schema.json")
})

// Schema returns the JSON Schema terms documents must satisfy.
func Schema() []byte { return bytes.Clone(schemaJSON) }

// Parse reads terms from JSON: strictly (no duplicate keys, no unknown
// fields), against the embedded JSON Schema, then with semantic checks —
// the last clause is the only one without a condition, no clause follows
// one that always holds, clause ids are unique, currencies are ISO 4217,
// prices are not negative, pay clauses name an existing schedule, revenue
// tiers ascend and end unbounded, at most one reciprocity rule. Every
// problem found is reported, each with its JSON pointer, in one
// *ParseError.
func Parse(data []byte) (*Terms, error) {
	if err := canonjson.Check(data, canonjson.Limits{}); err != nil {
		return nil, &ParseError{Problems: []Problem{fromCanon(err, ErrSyntax)}}
	}
	sch, err := compiledSchema()
	if err != nil {
		return nil, fmt.Errorf("license: embedded schema: %w", err)
	}
	var doc any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		return nil, &ParseError{Problems: []Problem{{Message: err.Error(), Err: ErrSyntax}}}
	}
	if err := sch.Validate(doc); err != nil {
		var ve *jsonschema.ValidationError
		if !errors.As(err, &ve) {
			return nil, err
		}
		return nil, &ParseError{Problems: schemaProblems(ve)}
	}
	var t Terms
	if err := canonjson.Decode(data, &t, canonjson.Limits{}); err != nil {
		return nil, &ParseError{Problems: []Problem{fromCanon(err, ErrSchema)}}
	}
	if probs := t.check(); len(probs) > 0 {
		return nil, &ParseError{Problems: probs}
	}
	// The digest is of the document as published; Check accepted it, so
	// canonicalising cannot fail.
	if t.doc, err = canonjson.Canonicalize(data); err != nil {
		return nil, &ParseError{Problems: []Problem{fromCanon(err, ErrSyntax)}}
	}
	if t.parsed, err = t.encode(); err != nil {
		return nil, fmt.Errorf("license: encoding parsed terms: %w", err)
	}
	return &t, nil
}

func fromCanon(err error, sentinel error) Problem {
	var ce *canonjson.Error
	if errors.As(err, &ce) {
		return Problem{Pointer: ce.Pointer, Message: err.Error(), Err: errors.Join(sentinel, ce.Err)}
	}
	return Problem{Message: err.Error(), Err: sentinel}
}

// schemaProblems flattens the validator's tree to its leaves, one problem
// per failing location, deduplicated and in pointer order.
func schemaProblems(ve *jsonschema.ValidationError) []Problem {
	var out []Problem
	seen := map[string]bool{}
	var visit func(e *jsonschema.ValidationError)
	visit = func(e *jsonschema.ValidationError) {
		if len(e.Causes) == 0 {
			key := e.InstanceLocation + "\x00" + e.Message
			if !seen[key] {
				seen[key] = true
				out = append(out, Problem{Pointer: e.InstanceLocation, Message: e.Message, Err: ErrSchema})
			}
			return
		}
		for _, c := range e.Causes {
			visit(c)
		}
	}
	visit(ve)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Pointer < out[j].Pointer })
	return out
}

// check runs the semantic checks the schema cannot express.
func (t *Terms) check() []Problem {
	var probs []Problem
	add := func(ptr string, err error, format string, args ...any) {
		probs = append(probs, Problem{Pointer: ptr, Message: err.Error() + ": " + fmt.Sprintf(format, args...), Err: err})
	}
	// The schema's pattern cannot say that a LicenseRef needs a name after
	// its prefix (RE2 has no lookahead).
	if t.SPDX == "LicenseRef-" || strings.HasPrefix(strings.ToLower(t.SPDX), "licenseref-") && !strings.HasPrefix(t.SPDX, "LicenseRef-") {
		add("/spdx", ErrSchema, "%q: a LicenseRef is \"LicenseRef-\" followed by a name", t.SPDX)
	}
	prices := map[string]bool{}
	for i, s := range t.Prices {
		ptr := fmt.Sprintf("/prices/%d", i)
		if prices[s.ID] {
			add(ptr+"/id", ErrDuplicateClause, "schedule id %q used twice", s.ID)
		}
		prices[s.ID] = true
		if err := money.Check(s.Currency); err != nil {
			add(ptr+"/currency", ErrUnknownCurrency, "%q", s.Currency)
		}
		if s.Amount < 0 {
			add(ptr+"/amount", ErrNegativePrice, "%d", s.Amount)
		}
		switch s.Kind {
		case RevenueTiers, HeadcountTiers:
			probs = append(probs, checkTiers(ptr, s)...)
		case RevenueShare:
			switch {
			case s.BasisPoints <= 0 || s.BasisPoints > 10000:
				add(ptr+"/basisPoints", ErrBadShare, "%d: a share is 1 to 10000 basis points (0.01%% to 100%%)", s.BasisPoints)
			case s.Minimum < 0:
				add(ptr+"/minimum", ErrNegativePrice, "%d", s.Minimum)
			case s.Maximum < 0 || s.Maximum > 0 && s.Maximum < s.Minimum:
				add(ptr+"/maximum", ErrBadShare, "%d is below the minimum %d", s.Maximum, s.Minimum)
			}
		}
		if s.Kind != RevenueShare && (s.BasisPoints != 0 || s.Minimum != 0 || s.Maximum != 0) {
			add(ptr, ErrBadShare, "basisPoints, minimum and maximum belong to a revenue-share schedule, not %s", s.Kind)
		}
		if s.Kind != RevenueTiers && s.Kind != HeadcountTiers && len(s.Tiers) > 0 {
			add(ptr+"/tiers", ErrBadTiers, "tiers belong to a revenue-tiers or headcount-tiers schedule, not %s", s.Kind)
		}
	}
	ids := map[string]bool{}
	recip := 0
	for i, c := range t.Clauses {
		ptr := fmt.Sprintf("/clauses/%d", i)
		if ids[c.ID] {
			add(ptr+"/id", ErrDuplicateClause, "%q", c.ID)
		}
		ids[c.ID] = true
		last := i == len(t.Clauses)-1
		if c.When == nil && !last {
			add(fmt.Sprintf("/clauses/%d", i+1), ErrUnreachable, "clause %q follows %q, which always holds", t.Clauses[i+1].ID, c.ID)
		}
		if c.When != nil && last {
			add(ptr+"/when", ErrNoDefault, "the last clause %q has a condition", c.ID)
		}
		switch {
		case c.Effect == Pay && c.Price == "":
			add(ptr+"/price", ErrUnknownPrice, "a pay clause must name a price schedule")
		case c.Price != "" && !prices[c.Price]:
			add(ptr+"/price", ErrUnknownPrice, "%q is not in /prices", c.Price)
		}
		c.When.walk(func(n *Condition) {
			if n.Reciprocity != nil {
				recip++
			}
			if n.RevenueBelow != nil && money.Check(n.RevenueBelow.Currency) != nil {
				add(ptr+"/when", ErrUnknownCurrency, "%q", n.RevenueBelow.Currency)
			}
		})
	}
	if recip > 1 {
		add("/clauses", ErrReciprocity, "found %d", recip)
	}
	return probs
}

// checkTiers checks a tiered schedule's bands: each bounded by the measure
// its kind names (and only that one), ascending, the last unbounded.
func checkTiers(ptr string, s Schedule) []Problem {
	var probs []Problem
	add := func(ptr string, err error, format string, args ...any) {
		probs = append(probs, Problem{Pointer: ptr, Message: err.Error() + ": " + fmt.Sprintf(format, args...), Err: err})
	}
	name, other := "revenueBelow", "headcountBelow"
	bound := func(t Tier) (*int64, *int64) { return t.RevenueBelow, t.HeadcountBelow }
	if s.Kind == HeadcountTiers {
		name, other = other, name
		bound = func(t Tier) (*int64, *int64) { return t.HeadcountBelow, t.RevenueBelow }
	}
	if len(s.Tiers) == 0 {
		add(ptr+"/tiers", ErrBadTiers, "a %s schedule needs tiers", s.Kind)
	}
	var prev int64 = -1
	for j, tier := range s.Tiers {
		tp := fmt.Sprintf("%s/tiers/%d", ptr, j)
		b, wrong := bound(tier)
		if tier.Amount < 0 {
			add(tp+"/amount", ErrNegativePrice, "%d", tier.Amount)
		}
		if wrong != nil {
			add(tp+"/"+other, ErrBadTiers, "a %s schedule bounds its tiers by %s", s.Kind, name)
		}
		last := j == len(s.Tiers)-1
		switch {
		case b == nil && !last:
			add(tp, ErrBadTiers, "only the last tier may be unbounded")
		case b != nil && last:
			add(tp, ErrBadTiers, "the last tier must be unbounded (omit %s)", name)
		case b != nil && *b <= prev:
			add(tp+"/"+name, ErrBadTiers, "bounds must ascend")
		}
		if b != nil {
			prev = *b
		}
	}
	return probs
}

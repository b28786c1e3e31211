package scan

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/github/go-spdx/v2/spdxexp"

	"github.com/peerproduction/ppl/contribution"
	"github.com/peerproduction/ppl/internal/money"
	"github.com/peerproduction/ppl/license"
	"github.com/peerproduction/ppl/policy"
)

// Outcome is what a component costs the entity: the policy outcomes, and
// Unknown for a license ppl has no terms for.
type Outcome string

// The outcomes, from best to worst: an expression's OR takes the first
// that an allowed branch reaches.
const (
	Free    Outcome = "free"
	Pay     Outcome = "pay"
	Unknown Outcome = "unknown" // no terms for the license, or no license stated: never silently free
	Deny    Outcome = "deny"
)

func (o Outcome) rank() int {
	switch o {
	case Free:
		return 0
	case Pay:
		return 1
	case Unknown:
		return 2
	}
	return 3
}

// MaxLicensesPerExpression bounds the licenses one expression may name:
// choosing the cheapest branch tries subsets of them.
const MaxLicensesPerExpression = 12

// Config says how licenses become decisions.
type Config struct {
	// Free lists SPDX license ids the company treats as free to use
	// without terms, such as the permissive open source licenses it
	// accepts (matched without regard to case; for "X WITH Y" the list may
	// name X WITH Y or X). Everything else without terms is Unknown.
	Free []string
	// Commons, when set, names the evaluator of the commons a component
	// is, for components a marketplace knows (from their manifests): that
	// commons' own terms then decide the component, with the query's
	// evidence, whatever license the SBOM states.
	Commons func(Component) (*policy.Evaluator, bool)
	// Index adjusts thresholds stated in a base year's money (PolyForm).
	Index license.IndexSeries
}

// Scanner decides SBOMs. Make it once with NewScanner; it is safe for
// concurrent use.
type Scanner struct {
	cfg   Config
	free  map[string]bool
	evals map[string]*policy.Evaluator // built-in id -> its evaluator
}

// NewScanner compiles the built-in terms once. Under built-in terms the
// entity's facts are taken as the query states them — this is a company
// asking what it owes, not a grant — and every fact used is marked
// self-declared in the decisions.
func NewScanner(cfg Config) (*Scanner, error) {
	s := &Scanner{cfg: cfg, free: map[string]bool{}, evals: map[string]*policy.Evaluator{}}
	for _, id := range cfg.Free {
		s.free[strings.ToLower(strings.TrimSpace(id))] = true
	}
	for _, id := range license.Builtins() {
		terms, err := license.Builtin(id)
		if err != nil {
			return nil, err
		}
		e, err := policy.Compile(policy.Config{Terms: terms, Commons: contribution.Commons{ID: id}, Index: cfg.Index, AcceptSelfDeclared: true})
		if err != nil {
			return nil, fmt.Errorf("scan: built-in %s: %w", id, err)
		}
		s.evals[id] = e
	}
	return s, nil
}

// Query is who asks and for what use.
type Query struct {
	Entity   contribution.Entity
	Use      policy.Use
	At       time.Time
	Evidence [][]byte // for the commons Config.Commons names
}

// LicenseDecision is how one license of a component decides.
type LicenseDecision struct {
	License string        `json:"license"`         // the SPDX id as the expression names it
	Terms   string        `json:"terms,omitempty"` // the built-in terms (or commons) that decided it; "" when none
	Outcome Outcome       `json:"outcome"`
	Clause  string        `json:"clause,omitempty"` // the deciding clause, under terms
	Price   *policy.Price `json:"-"`                // for Pay
	// Obligations are what the license asks of every user it admits
	// (attribution, share-alike, notice…); an AND owes them all.
	Obligations []license.ObligationKind `json:"obligations,omitempty"`
	Path        *policy.Path             `json:"-"`      // for Pay under reciprocity terms: what contribution would make it free
	Reason      string                   `json:"reason"` // why, in words
}

// Result is one component's answer.
type Result struct {
	Component Component `json:"component"`
	Outcome   Outcome   `json:"outcome"`
	// Licenses are the licenses of the branch taken, each decided: one
	// for a plain id, all of an AND, the cheapest allowed branch of an OR.
	Licenses []LicenseDecision `json:"licenses"`
	// Branches counts the sets of licenses that satisfy the expression;
	// more than one means an OR gave a choice, and the cheapest was taken
	// (free before pay before unknown before deny, then fewer payments,
	// then the smaller total).
	Branches int    `json:"branches"`
	Note     string `json:"note,omitempty"`
	// Obligations are the branch's licenses' obligations together, in
	// order of first appearance.
	Obligations []license.ObligationKind `json:"obligations,omitempty"`
}

// Owed is a total to pay, per currency and period.
type Owed struct {
	Currency string         `json:"currency"`
	Period   license.Period `json:"period"`
	Amount   int64          `json:"amount"` // minor units
	// Placeholders counts the prices in Amount that a license sets no
	// figure for (their amount is the commons' to set, often 0 here).
	Placeholders int `json:"placeholders"`
	Components   int `json:"components"`
}

// Step is one contribution that would remove a payment: the component,
// the points short under its terms, and the price it would save.
type Step struct {
	Component string
	Terms     string
	Shortfall contribution.Points
	Saves     policy.Price
}

// Report is an SBOM decided for one entity and use.
type Report struct {
	Results []Result `json:"results"`
	Owed    []Owed   `json:"owed"` // sorted by currency, then period
	// Unknown lists each license id ppl has no terms for (or "" for
	// components that state none), with how many components it holds back.
	Unknown []Count `json:"unknown"`
	Free    int     `json:"free"`
	Paid    int     `json:"paid"`
	Denied  int     `json:"denied"`
	// PathToFree lists the contributions that would remove payments,
	// smallest shortfall first: the cheapest way out of paying.
	PathToFree []Step `json:"pathToFree"`
}

// Count is a license id and the components that name it.
type Count struct {
	License    string `json:"license"`
	Components int    `json:"components"`
}

// Scan decides every component of sbom for q. progress, when not nil, is
// called as components are decided (for a terminal's progress line); ctx
// stops a long scan.
func (s *Scanner) Scan(ctx context.Context, sbom *SBOM, q Query, progress func(done, total int)) (*Report, error) {
	if sbom == nil {
		return nil, errors.New("scan: no SBOM")
	}
	if q.At.IsZero() {
		return nil, errors.New("scan: Query.At is required (no hidden clock)")
	}
	memo := scanMemo{licenses: map[string]LicenseDecision{}, expressions: map[string]Result{}}
	rep := &Report{Results: make([]Result, 0, len(sbom.Components))}
	for i, c := range sbom.Components {
		if i%256 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			if progress != nil {
				progress(i, len(sbom.Components))
			}
		}
		r, err := s.component(c, q, &memo)
		if err != nil {
			return nil, fmt.Errorf("scan: %s (%s): %w", c.Name, c.Pointer, err)
		}
		rep.Results = append(rep.Results, r)
	}
	if progress != nil {
		progress(len(sbom.Components), len(sbom.Components))
	}
	if err := rep.sum(); err != nil {
		return nil, err
	}
	return rep, nil
}

type scanMemo struct {
	licenses    map[string]LicenseDecision
	expressions map[string]Result // by expression, without the component
}

func (s *Scanner) component(c Component, q Query, memo *scanMemo) (Result, error) {
	if s.cfg.Commons != nil {
		if e, ok := s.cfg.Commons(c); ok {
			d, err := e.Evaluate(&policy.Request{Entity: q.Entity, Use: q.Use, At: q.At, Evidence: q.Evidence})
			if err != nil {
				return Result{}, err
			}
			ld := fromDecision(c.License, e.Terms().ID, d)
			ld.Reason = "decided by the commons' own terms: " + ld.Reason
			return Result{Component: c, Outcome: ld.Outcome, Licenses: []LicenseDecision{ld}, Branches: 1, Obligations: ld.Obligations}, nil
		}
	}
	if r, ok := memo.expressions[c.License]; ok {
		r.Component = c
		return r, nil
	}
	r, err := s.expression(c.License, q, memo)
	if err != nil {
		return Result{}, err
	}
	r.Obligations = obligationsOf(r.Licenses)
	memo.expressions[c.License] = r
	r.Component = c
	return r, nil
}

// expression decides a license expression: every set of its licenses
// that satisfies it is a branch the entity may take, and the cheapest is
// taken.
func (s *Scanner) expression(expr string, q Query, memo *scanMemo) (Result, error) {
	if strings.TrimSpace(expr) == "" {
		return Result{Outcome: Unknown, Licenses: []LicenseDecision{{Outcome: Unknown, Reason: "the SBOM states no license"}}, Note: "no license stated"}, nil
	}
	ids, err := spdxexp.ExtractLicenses(expr)
	if err != nil {
		return Result{Outcome: Unknown, Licenses: []LicenseDecision{{License: expr, Outcome: Unknown, Reason: "not an SPDX license expression: " + err.Error()}},
			Note: "unreadable license expression"}, nil
	}
	// ExtractLicenses returns its ids in map order: sorted, ties between
	// equally cheap branches break the same way on every run.
	slices.Sort(ids)
	ids = slices.Compact(ids)
	if len(ids) > MaxLicensesPerExpression {
		return Result{Outcome: Unknown, Licenses: []LicenseDecision{{License: expr, Outcome: Unknown,
			Reason: fmt.Sprintf("names %d licenses, more than the %d a branch is chosen among", len(ids), MaxLicensesPerExpression)}}}, nil
	}
	decided := make([]LicenseDecision, len(ids))
	for i, id := range ids {
		if decided[i], err = s.license(id, q, memo); err != nil {
			return Result{}, err
		}
	}
	if len(ids) == 1 {
		return Result{Outcome: decided[0].Outcome, Licenses: decided, Branches: 1}, nil
	}
	var best []int
	branches := 0
	// Every subset of the licenses is a candidate; cheaper breaks ties by
	// naming fewer licenses.
	for mask := 1; mask < 1<<len(ids); mask++ {
		var set []string
		var idx []int
		for i := range ids {
			if mask&(1<<i) != 0 {
				set, idx = append(set, ids[i]), append(idx, i)
			}
		}
		ok, err := spdxexp.Satisfies(expr, set)
		if err != nil || !ok {
			continue
		}
		// Only minimal branches: a superset of a branch is no new choice.
		if minimal := !slices.ContainsFunc(idx, func(i int) bool {
			ok, err := spdxexp.Satisfies(expr, without(set, ids[i]))
			return err == nil && ok
		}); !minimal {
			continue
		}
		branches++
		if best == nil || cheaper(decided, idx, best) {
			best = idx
		}
	}
	if best == nil {
		return Result{Outcome: Unknown, Licenses: []LicenseDecision{{License: expr, Outcome: Unknown, Reason: "no set of its licenses satisfies the expression"}}}, nil
	}
	r := Result{Branches: branches}
	for _, i := range best {
		r.Licenses = append(r.Licenses, decided[i])
		if decided[i].Outcome.rank() > r.Outcome.rank() || r.Outcome == "" {
			r.Outcome = decided[i].Outcome
		}
	}
	if branches > 1 {
		names := make([]string, len(best))
		for i, b := range best {
			names[i] = ids[b]
		}
		r.Note = fmt.Sprintf("%s: took %s, the cheapest of %d branches allowed (free before pay before unknown before deny)", expr, strings.Join(names, " AND "), branches)
	} else {
		r.Note = fmt.Sprintf("%s: every license of the expression applies", expr)
	}
	return r, nil
}

// cheaper reports whether branch a costs less than b: a better worst
// outcome, then fewer payments, then a smaller total where both pay in one
// currency and period, then fewer licenses.
func cheaper(d []LicenseDecision, a, b []int) bool {
	worst := func(br []int) (w int, pays int, total int64, unit string, mixed bool) {
		for _, i := range br {
			w = max(w, d[i].Outcome.rank())
			if p := d[i].Price; d[i].Outcome == Pay && p != nil {
				pays++
				u := p.Currency + "/" + string(p.Period)
				if unit != "" && u != unit {
					mixed = true
				}
				unit = u
				total += p.Amount
			}
		}
		return
	}
	wa, pa, ta, ua, ma := worst(a)
	wb, pb, tb, ub, mb := worst(b)
	if c := cmp.Compare(wa, wb); c != 0 {
		return c < 0
	}
	if c := cmp.Compare(pa, pb); c != 0 {
		return c < 0
	}
	if !ma && !mb && ua == ub && ta != tb {
		return ta < tb
	}
	return len(a) < len(b)
}

// license decides one license id of an expression.
func (s *Scanner) license(id string, q Query, memo *scanMemo) (LicenseDecision, error) {
	if d, ok := memo.licenses[id]; ok {
		return d, nil
	}
	d, err := s.decideLicense(id, q)
	if err == nil {
		memo.licenses[id] = d
	}
	return d, err
}

func (s *Scanner) decideLicense(id string, q Query) (LicenseDecision, error) {
	base, _, _ := strings.Cut(id, " WITH ")
	if s.free[strings.ToLower(id)] || s.free[strings.ToLower(base)] {
		return LicenseDecision{License: id, Outcome: Free, Reason: "listed as free in the scan's configuration"}, nil
	}
	terms, err := license.Builtin(base)
	if errors.Is(err, license.ErrUnknownBuiltin) {
		return LicenseDecision{License: id, Outcome: Unknown, Reason: "ppl has no terms for this license"}, nil
	}
	if err != nil {
		return LicenseDecision{}, err
	}
	d, err := s.evals[terms.ID].Evaluate(&policy.Request{Entity: q.Entity, Use: q.Use, At: q.At})
	if err != nil {
		return LicenseDecision{}, fmt.Errorf("%s: %w", id, err)
	}
	return fromDecision(id, terms.ID, d), nil
}

func fromDecision(id, terms string, d *policy.Decision) LicenseDecision {
	ld := LicenseDecision{License: id, Terms: terms, Outcome: Outcome(d.Outcome()), Clause: d.Clause()}
	for _, o := range d.Obligations() {
		if !slices.Contains(ld.Obligations, o.Kind) {
			ld.Obligations = append(ld.Obligations, o.Kind)
		}
	}
	for _, c := range d.Clauses() {
		if c.Held {
			ld.Reason = fmt.Sprintf("clause %q: %s", c.ID, c.Reason)
		}
	}
	if d.Outcome() == policy.Pay {
		p := d.Price()
		ld.Price = &p
		ld.Path = d.PathToFree()
	}
	return ld
}

// sum fills the report's totals from its results.
func (r *Report) sum() error {
	type unit struct {
		currency string
		period   license.Period
	}
	owed := map[unit]*Owed{}
	unknown := map[string]int{}
	for _, res := range r.Results {
		switch res.Outcome {
		case Free:
			r.Free++
		case Deny:
			r.Denied++
		}
		paid := false
		for _, l := range res.Licenses {
			switch l.Outcome {
			case Unknown:
				unknown[l.License]++
			case Pay:
				if l.Price == nil {
					continue
				}
				paid = true
				u := unit{l.Price.Currency, l.Price.Period}
				o := owed[u]
				if o == nil {
					o = &Owed{Currency: u.currency, Period: u.period}
					owed[u] = o
				}
				var err error
				if o.Amount, err = money.Add(o.Amount, l.Price.Amount); err != nil {
					return fmt.Errorf("scan: total owed in %s: %w", u.currency, err)
				}
				o.Components++
				if l.Price.Placeholder {
					o.Placeholders++
				}
				if l.Path != nil && l.Path.Shortfall > 0 {
					r.PathToFree = append(r.PathToFree, Step{Component: res.Component.Name, Terms: l.Terms, Shortfall: l.Path.Shortfall, Saves: *l.Price})
				}
			}
		}
		if paid {
			r.Paid++
		}
	}
	for _, o := range owed {
		r.Owed = append(r.Owed, *o)
	}
	slices.SortFunc(r.Owed, func(a, b Owed) int {
		return cmp.Or(cmp.Compare(a.Currency, b.Currency), cmp.Compare(a.Period, b.Period))
	})
	for id, n := range unknown {
		r.Unknown = append(r.Unknown, Count{id, n})
	}
	slices.SortFunc(r.Unknown, func(a, b Count) int {
		return cmp.Or(cmp.Compare(b.Components, a.Components), cmp.Compare(a.License, b.License))
	})
	slices.SortStableFunc(r.PathToFree, func(a, b Step) int {
		return cmp.Or(cmp.Compare(a.Shortfall, b.Shortfall), cmp.Compare(a.Component, b.Component))
	})
	return nil
}

func without(set []string, drop string) []string {
	out := make([]string, 0, len(set)-1)
	for _, s := range set {
		if s != drop {
			out = append(out, s)
		}
	}
	return out
}

// obligationsOf gathers the obligations of a branch's licenses: an AND
// owes what each of its licenses asks.
func obligationsOf(ls []LicenseDecision) []license.ObligationKind {
	var out []license.ObligationKind
	for _, l := range ls {
		for _, o := range l.Obligations {
			if !slices.Contains(out, o) {
				out = append(out, o)
			}
		}
	}
	return out
}

package policy

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/peerproduction/ppl/contribution"
	"github.com/peerproduction/ppl/internal/canonjson"
	"github.com/peerproduction/ppl/internal/money"
	"github.com/peerproduction/ppl/license"
)

type decisionWire struct {
	Commons       string               `json:"commons"`
	Entity        string               `json:"entity"`
	At            string               `json:"at"`
	Outcome       Outcome              `json:"outcome"`
	Price         *priceWire           `json:"price,omitempty"`
	Clause        string               `json:"clause"`
	Clauses       []clauseWire         `json:"clauses"`
	Obligations   []license.Obligation `json:"obligations,omitempty"`
	Facts         []factWire           `json:"facts,omitempty"`
	Reciprocity   *reciprocityWire     `json:"reciprocity,omitempty"`
	PathToFree    *pathWire            `json:"pathToFree,omitempty"`
	Counted       []countedWire        `json:"counted,omitempty"`
	Ignored       []ignoredWire        `json:"ignored,omitempty"`
	Grant         string               `json:"grant,omitempty"`
	Cure          *cureWire            `json:"cure,omitempty"`
	Group         []string             `json:"group,omitempty"`
	ValidUntil    string               `json:"validUntil,omitempty"`
	TermsDigest   string               `json:"termsDigest"`
	RequestDigest string               `json:"requestDigest"`
}

type cureWire struct {
	Notice   string `json:"notice"`
	Deadline string `json:"deadline"`
	Open     bool   `json:"open"`
}

type priceWire struct {
	Amount      int64          `json:"amount"`
	Currency    string         `json:"currency"`
	Period      license.Period `json:"period"`
	Schedule    string         `json:"schedule"`
	Placeholder bool           `json:"placeholder,omitempty"`
}

type clauseWire struct {
	ID     string         `json:"id"`
	Effect license.Effect `json:"effect"`
	Held   bool           `json:"held"`
	Reason string         `json:"reason"`
}

type factWire struct {
	Name         string `json:"name"`
	Value        string `json:"value"`
	SelfDeclared bool   `json:"selfDeclared"`
	By           string `json:"by,omitempty"`
	Statement    string `json:"statement,omitempty"`
}

type shareWire struct {
	Key    string `json:"key"`
	Points string `json:"points"`
}

type reciprocityWire struct {
	Total     string      `json:"total"`
	ByCommons []shareWire `json:"byCommons,omitempty"`
	ByMember  []shareWire `json:"byMember,omitempty"`
	ByKind    []shareWire `json:"byKind,omitempty"`
}

type pathWire struct {
	Threshold string         `json:"threshold"`
	Current   string         `json:"current"`
	Shortfall string         `json:"shortfall"`
	Counting  []countingWire `json:"counting"`
	FreeUntil string         `json:"freeUntil,omitempty"`
	Window    string         `json:"window"`
	HalfLife  string         `json:"halfLife,omitempty"`
}

type countingWire struct {
	Commons string `json:"commons"`
	Weight  string `json:"weight"`
}

type countedWire struct {
	Statement     string   `json:"statement"`
	PredicateType string   `json:"predicateType"`
	Signers       []string `json:"signers"`
	Points        string   `json:"points,omitempty"`
}

type ignoredWire struct {
	Envelope  string `json:"envelope,omitempty"`
	Statement string `json:"statement,omitempty"`
	KeyID     string `json:"keyid,omitempty"`
	Reason    string `json:"reason"`
}

func shares(in []contribution.Share) []shareWire {
	out := make([]shareWire, len(in))
	for i, s := range in {
		out[i] = shareWire{Key: s.Key, Points: s.Points.String()}
	}
	return out
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// ErrNoDecision is returned when rendering a Decision no evaluation made
// (the zero Decision).
var ErrNoDecision = errors.New("policy: the zero Decision decides nothing")

// MarshalJSON writes the decision as canonical JSON (RFC 8785): the same
// decision always gives the same bytes.
func (d *Decision) MarshalJSON() ([]byte, error) {
	if d.eval == nil {
		return nil, ErrNoDecision
	}
	w := decisionWire{Commons: d.Commons(), Entity: d.entity, At: stamp(d.at), Outcome: d.Outcome(), Clause: d.Clause(),
		Obligations: d.Obligations(), ValidUntil: stamp(d.validUntil), TermsDigest: d.TermsDigest(), RequestDigest: d.RequestDigest()}
	if d.outcome == codePay {
		p := d.Price()
		w.Price = &priceWire{Amount: p.Amount, Currency: p.Currency, Period: p.Period, Schedule: p.Schedule, Placeholder: p.Placeholder}
	}
	for _, c := range d.Clauses() {
		w.Clauses = append(w.Clauses, clauseWire(c))
	}
	for _, f := range d.FactsUsed() {
		w.Facts = append(w.Facts, factWire(f))
	}
	if r := d.recip; r != nil {
		w.Reciprocity = &reciprocityWire{Total: r.Total.String(), ByCommons: shares(r.ByCommons), ByMember: shares(r.ByMember), ByKind: shares(r.ByKind)}
	}
	if p := d.PathToFree(); p != nil {
		pw := &pathWire{Threshold: p.Threshold.String(), Current: p.Current.String(), Shortfall: p.Shortfall.String(),
			FreeUntil: stamp(p.FreeUntil), Window: days(p.Window)}
		if p.HalfLife > 0 {
			pw.HalfLife = days(p.HalfLife)
		}
		for _, c := range p.Counting {
			pw.Counting = append(pw.Counting, countingWire{Commons: c.Commons, Weight: license.Milli(c.Weight).String()})
		}
		w.PathToFree = pw
	}
	x := d.x()
	for _, c := range x.counted {
		cw := countedWire{Statement: c.Statement, PredicateType: c.PredicateType, Signers: c.Signers}
		if c.PredicateType == contribution.ContributionPredicateType {
			cw.Points = c.Points.String()
		}
		w.Counted = append(w.Counted, cw)
	}
	for _, ig := range x.ignored {
		w.Ignored = append(w.Ignored, ignoredWire{Envelope: ig.Envelope, Statement: ig.Statement, KeyID: ig.KeyID, Reason: ig.Reason})
	}
	if x.grant != nil {
		w.Grant = x.grant.Statement
	}
	w.Group = x.group
	if c := d.Cure(); c != nil {
		w.Cure = &cureWire{Notice: stamp(c.Notice), Deadline: stamp(c.Deadline), Open: c.Open}
	}
	return canonjson.Marshal(w)
}

// Explain renders the decision as a few lines of text for a terminal.
func (d *Decision) Explain() string {
	if d.eval == nil {
		return ""
	}
	var b strings.Builder
	switch d.Outcome() {
	case Pay:
		p := d.Price()
		fmt.Fprintf(&b, "%s: PAY %s per %s", d.entity, money.Format(p.Amount, p.Currency), p.Period)
		if p.Placeholder {
			b.WriteString(" (placeholder: the license sets no price)")
		}
	case Free:
		fmt.Fprintf(&b, "%s: FREE", d.entity)
	default:
		fmt.Fprintf(&b, "%s: DENIED", d.entity)
	}
	fmt.Fprintf(&b, " — clause %q of %s\n", d.Clause(), d.eval.terms.Name)
	for _, c := range d.Clauses() {
		mark := "✗"
		if c.Held {
			mark = "✓"
		}
		fmt.Fprintf(&b, "  %s %-18s %s\n", mark, c.ID, c.Reason)
	}
	if r := d.recip; r != nil && r.Total > 0 {
		parts := make([]string, len(r.ByCommons))
		for i, s := range r.ByCommons {
			parts[i] = s.Key + " " + s.Points.String()
		}
		fmt.Fprintf(&b, "  contributions: %s points (%s)\n", r.Total, strings.Join(parts, ", "))
	}
	if p := d.PathToFree(); p != nil {
		if p.Shortfall > 0 {
			names := make([]string, len(p.Counting))
			for i, c := range p.Counting {
				names[i] = c.Commons
				if c.Weight != 1000 {
					names[i] += " ×" + license.Milli(c.Weight).String()
				}
			}
			fmt.Fprintf(&b, "  path to free: %s more points of contribution to %s\n", p.Shortfall, strings.Join(names, ", "))
		} else if !p.FreeUntil.IsZero() {
			fmt.Fprintf(&b, "  free through contribution until %s unless more is contributed\n", p.FreeUntil.UTC().Format(time.DateOnly))
		}
	}
	x := d.x()
	if len(x.group) > 1 {
		fmt.Fprintf(&b, "  counted as a group: %s\n", strings.Join(x.group, ", "))
	}
	if c := d.Cure(); c != nil {
		if c.Open {
			fmt.Fprintf(&b, "  cure window open: comply by %s (notice of %s)\n", c.Deadline.UTC().Format(time.RFC3339), c.Notice.UTC().Format(time.DateOnly))
		} else {
			fmt.Fprintf(&b, "  cure window closed on %s (notice of %s)\n", c.Deadline.UTC().Format(time.RFC3339), c.Notice.UTC().Format(time.DateOnly))
		}
	}
	for _, o := range d.Obligations() {
		fmt.Fprintf(&b, "  owes: %s\n", o.Kind)
	}
	for _, ig := range x.ignored {
		fmt.Fprintf(&b, "  ignored: %s\n", ig.Reason)
	}
	if !d.validUntil.IsZero() {
		fmt.Fprintf(&b, "  valid until %s\n", d.validUntil.UTC().Format(time.RFC3339))
	}
	return b.String()
}

func days(d time.Duration) string { return fmt.Sprintf("%dd", d/(24*time.Hour)) }

package policy

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/peerproduction/ppl/contribution"
	"github.com/peerproduction/ppl/internal/canonjson"
	"github.com/peerproduction/ppl/internal/money"
	"github.com/peerproduction/ppl/license"
)

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
// decision always gives the same bytes. It writes the members directly,
// in canonical order; TestMarshalMatchesReference holds it to canonjson's
// encoding of the same decision through reflection.
func (d *Decision) MarshalJSON() ([]byte, error) {
	if d.eval == nil {
		return nil, ErrNoDecision
	}
	return d.appendJSON(make([]byte, 0, 1024)), nil
}

func (d *Decision) appendJSON(b []byte) []byte {
	w := jsonWriter{b: b}
	x := d.x()
	w.open('{')
	w.str("at", stamp(d.at))
	w.str("clause", d.Clause())
	w.key("clauses")
	if clauses := d.Clauses(); len(clauses) == 0 {
		w.null()
	} else {
		w.open('[')
		for _, c := range clauses {
			w.open('{')
			w.str("effect", string(c.Effect))
			w.boolean("held", c.Held)
			w.str("id", c.ID)
			w.str("reason", c.Reason)
			w.close('}')
		}
		w.close(']')
	}
	w.str("commons", d.Commons())
	if len(x.counted) > 0 {
		w.key("counted")
		w.open('[')
		for _, c := range x.counted {
			w.open('{')
			if c.PredicateType == contribution.ContributionPredicateType {
				w.str("points", c.Points.String())
			}
			w.str("predicateType", c.PredicateType)
			w.key("signers")
			w.strings(c.Signers)
			w.str("statement", c.Statement)
			w.close('}')
		}
		w.close(']')
	}
	if c := d.Cure(); c != nil {
		w.key("cure")
		w.open('{')
		w.str("deadline", stamp(c.Deadline))
		w.str("notice", stamp(c.Notice))
		w.boolean("open", c.Open)
		w.close('}')
	}
	w.str("entity", d.entity)
	if facts := d.FactsUsed(); len(facts) > 0 {
		w.key("facts")
		w.open('[')
		for _, f := range facts {
			w.open('{')
			w.strOmit("by", f.By)
			w.str("name", f.Name)
			w.boolean("selfDeclared", f.SelfDeclared)
			w.strOmit("statement", f.Statement)
			w.str("value", f.Value)
			w.close('}')
		}
		w.close(']')
	}
	if x.grant != nil {
		w.strOmit("grant", x.grant.Statement)
	}
	if len(x.group) > 0 {
		w.key("group")
		w.strings(x.group)
	}
	if len(x.ignored) > 0 {
		w.key("ignored")
		w.open('[')
		for _, ig := range x.ignored {
			w.open('{')
			w.strOmit("envelope", ig.Envelope)
			w.strOmit("keyid", ig.KeyID)
			w.str("reason", ig.Reason)
			w.strOmit("statement", ig.Statement)
			w.close('}')
		}
		w.close(']')
	}
	if ms := d.eval.manifests; len(ms) > 0 {
		w.key("manifests")
		w.open('[')
		for _, m := range ms {
			w.open('{')
			w.str("commons", m.Commons)
			w.str("digest", m.Digest)
			w.integer("version", m.Version)
			w.close('}')
		}
		w.close(']')
	}
	if o := d.eval.obligationsJSON[d.clause]; len(o) > 0 {
		w.key("obligations")
		w.raw(o)
	}
	w.str("outcome", string(d.Outcome()))
	if p := d.PathToFree(); p != nil {
		w.key("pathToFree")
		w.open('{')
		w.key("counting")
		if len(p.Counting) == 0 {
			w.null()
		} else {
			w.open('[')
			for _, c := range p.Counting {
				w.open('{')
				w.str("commons", c.Commons)
				w.str("weight", license.Milli(c.Weight).String())
				w.close('}')
			}
			w.close(']')
		}
		w.str("current", p.Current.String())
		w.strOmit("freeUntil", stamp(p.FreeUntil))
		if p.HalfLife > 0 {
			w.str("halfLife", days(p.HalfLife))
		}
		w.str("shortfall", p.Shortfall.String())
		w.str("threshold", p.Threshold.String())
		w.str("window", days(p.Window))
		w.close('}')
	}
	if d.outcome == codePay {
		p := d.Price()
		w.key("price")
		w.open('{')
		w.integer("amount", p.Amount)
		w.str("currency", p.Currency)
		w.str("period", string(p.Period))
		if p.Placeholder {
			w.boolean("placeholder", true)
		}
		w.str("schedule", p.Schedule)
		w.close('}')
	}
	if r := d.recip; r != nil {
		w.key("reciprocity")
		w.open('{')
		w.shares("byCommons", r.ByCommons)
		w.shares("byKind", r.ByKind)
		w.shares("byMember", r.ByMember)
		w.str("total", r.Total.String())
		w.close('}')
	}
	w.str("requestDigest", d.RequestDigest())
	w.str("termsDigest", d.TermsDigest())
	w.strOmit("validUntil", stamp(d.validUntil))
	w.close('}')
	return w.b
}

// jsonWriter writes canonical JSON of a shape known in advance: the caller
// writes members in RFC 8785 order (these keys are ASCII, so byte order)
// and keeps encoding/json's omitempty rules; strings and integers are
// written as canonjson.Marshal would write them.
type jsonWriter struct {
	b     []byte
	comma bool // a value was written at this level: the next needs a comma
}

func (w *jsonWriter) sep() {
	if w.comma {
		w.b = append(w.b, ',')
	}
}

func (w *jsonWriter) open(c byte) {
	w.sep()
	w.b = append(w.b, c)
	w.comma = false
}

func (w *jsonWriter) close(c byte) {
	w.b = append(w.b, c)
	w.comma = true
}

func (w *jsonWriter) key(k string) {
	w.sep()
	w.b = append(append(append(w.b, '"'), k...), '"', ':')
	w.comma = false
}

func (w *jsonWriter) value(v string) {
	w.sep()
	w.b = canonjson.AppendString(w.b, v)
	w.comma = true
}

func (w *jsonWriter) str(k, v string) {
	w.key(k)
	w.value(v)
}

// strOmit is str for a member tagged omitempty.
func (w *jsonWriter) strOmit(k, v string) {
	if v != "" {
		w.str(k, v)
	}
}

func (w *jsonWriter) boolean(k string, v bool) {
	w.key(k)
	w.b = strconv.AppendBool(w.b, v)
	w.comma = true
}

func (w *jsonWriter) integer(k string, v int64) {
	w.key(k)
	w.b = canonjson.AppendInt(w.b, v)
	w.comma = true
}

func (w *jsonWriter) null() {
	w.b = append(w.b, "null"...)
	w.comma = true
}

// raw writes canonical JSON made elsewhere.
func (w *jsonWriter) raw(v []byte) {
	w.b = append(w.b, v...)
	w.comma = true
}

// strings writes a []string member's value: null when nil, as
// encoding/json does.
func (w *jsonWriter) strings(list []string) {
	if list == nil {
		w.null()
		return
	}
	w.open('[')
	for _, s := range list {
		w.value(s)
	}
	w.close(']')
}

// shares writes a breakdown tagged omitempty.
func (w *jsonWriter) shares(k string, list []contribution.Share) {
	if len(list) == 0 {
		return
	}
	w.key(k)
	w.open('[')
	for _, s := range list {
		w.open('{')
		w.str("key", s.Key)
		w.str("points", s.Points.String())
		w.close('}')
	}
	w.close(']')
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
	for _, m := range d.eval.manifests {
		fmt.Fprintf(&b, "  decided with the manifest of %s version %d (%s)\n", m.Commons, m.Version, m.Digest)
	}
	return b.String()
}

func days(d time.Duration) string { return fmt.Sprintf("%dd", d/(24*time.Hour)) }

package attest

import "time"

// Span is the stretch of time [From, Until); a zero bound leaves that side
// open. A verification's Span says for how long its answer stands: at any
// instant in it, the same envelope under the same Trust generation gets
// the same answer, so a caller may keep the answer for that long.
type Span struct {
	From, Until time.Time
}

// Contains reports whether t is in s.
func (s Span) Contains(t time.Time) bool {
	return (s.From.IsZero() || !t.Before(s.From)) && (s.Until.IsZero() || t.Before(s.Until))
}

// Intersect returns the instants in both s and o.
func (s Span) Intersect(o Span) Span {
	if s.From.IsZero() || (!o.From.IsZero() && o.From.After(s.From)) {
		s.From = o.From
	}
	if s.Until.IsZero() || (!o.Until.IsZero() && o.Until.Before(s.Until)) {
		s.Until = o.Until
	}
	return s
}

// Around narrows s to the instants on the same side as at of each
// boundary b: a judgement that only compares at with the boundaries
// (at < b or at ≥ b) gives the same answer throughout the result. Zero
// boundaries are ignored.
func (s Span) Around(at time.Time, boundaries ...time.Time) Span {
	for _, b := range boundaries {
		switch {
		case b.IsZero():
		case at.Before(b):
			if s.Until.IsZero() || b.Before(s.Until) {
				s.Until = b
			}
		default:
			if s.From.IsZero() || b.After(s.From) {
				s.From = b
			}
		}
	}
	return s
}

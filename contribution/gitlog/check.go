package gitlog

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/peerproduction/ppl/attest"
	"github.com/peerproduction/ppl/contribution"
)

// Claim is a contribution as a statement states it, with the statement's
// digest.
type Claim struct {
	Statement string
	contribution.Contribution
}

// Overclaim is a statement that claims more than the history shows.
type Overclaim struct {
	Statement   string
	Commit      string
	Contributor string
	Claimed     contribution.Quantity // by this statement
	Shown       contribution.Quantity // what the history gives the contributor for the commit
	Reason      string
}

// ClaimOf reads the contribution a statement claims, without judging who
// signed it (that is Trust's business; a recheck asks only whether the
// history bears the claim out).
func ClaimOf(st attest.Statement, digest string) (Claim, error) {
	if st.PredicateType != contribution.ContributionPredicateType {
		return Claim{}, &Error{Err: ErrMalformed, Detail: fmt.Sprintf("statement %s is a %s, not a contribution", digest, st.PredicateType)}
	}
	var p struct {
		Commons     string   `json:"commons"`
		Contributor string   `json:"contributor"`
		Entity      string   `json:"entity"`
		Kind        string   `json:"kind"`
		Quantity    string   `json:"quantity"`
		Unit        string   `json:"unit"`
		From        string   `json:"from"`
		At          string   `json:"at"`
		Evidence    []string `json:"evidence"`
		ValidFrom   string   `json:"validFrom"`
		ValidUntil  string   `json:"validUntil"`
	}
	if err := st.DecodePredicate(&p); err != nil {
		return Claim{}, &Error{Err: ErrMalformed, Detail: fmt.Sprintf("statement %s: %v", digest, err)}
	}
	q, err := contribution.ParseQuantity(p.Quantity)
	if err != nil {
		return Claim{}, &Error{Err: ErrMalformed, Detail: fmt.Sprintf("statement %s: %v", digest, err)}
	}
	at, err := time.Parse(time.RFC3339, p.At)
	if err != nil {
		return Claim{}, &Error{Err: ErrMalformed, Detail: fmt.Sprintf("statement %s: at: %v", digest, err)}
	}
	c := Claim{Statement: digest, Contribution: contribution.Contribution{
		Commons: p.Commons, Contributor: p.Contributor, Entity: p.Entity, Kind: p.Kind,
		Quantity: q, Unit: p.Unit, At: at.UTC(), Evidence: p.Evidence, Statement: digest,
	}}
	return c, nil
}

type claimKey struct{ commit, contributor string }

// Recheck compares claims with what the history shows (an Import of the
// same repository under the same rules) and returns every statement that
// claims more: a commit the counted history does not hold or the rules do
// not credit to the contributor, another commons, kind, unit, rules or
// date than the history gives, an entity or a period (the history names
// neither), or a quantity above what the commit gives
// the contributor. Claims of one contributor on one commit are summed
// over distinct statements, so the same work cut into two statements is
// caught; a statement that alone claims more is named alone, beside the
// honest one for the same commit. Claims without gitCommit evidence are not this history's to
// judge, and are listed too.
func Recheck(shown *Result, rules *Rules, claims []Claim) []Overclaim {
	have := map[claimKey]contribution.Contribution{}
	for _, c := range shown.Contributions {
		have[claimKey{commitOf(c), c.Contributor}] = c
	}
	var out []Overclaim
	seen := map[string]bool{}
	sum := map[claimKey]contribution.Quantity{}
	var keys []claimKey
	byKey := map[claimKey][]Claim{}
	for _, c := range claims {
		if seen[c.Statement] {
			continue // the same statement twice is one claim
		}
		seen[c.Statement] = true
		commit := commitOf(c.Contribution)
		over := func(why string, shownQ contribution.Quantity) {
			out = append(out, Overclaim{Statement: c.Statement, Commit: commit, Contributor: c.Contributor, Claimed: c.Quantity, Shown: shownQ, Reason: why})
		}
		if commit == "" {
			over("names no gitCommit evidence", 0)
			continue
		}
		h, ok := have[claimKey{commit, c.Contributor}]
		switch {
		case !ok:
			over("the counted history does not credit this contributor for this commit", 0)
			continue
		case c.Commons != h.Commons || c.Kind != h.Kind || c.Unit != h.Unit || c.Entity != "":
			over(fmt.Sprintf("claims %s/%s in %s for commons %q (entity %q); the history gives %s/%s in %s for %q", c.Kind, c.Quantity, c.Unit, c.Commons, c.Entity, h.Kind, h.Quantity, h.Unit, h.Commons), h.Quantity)
			continue
		case !c.At.Equal(h.At) || !c.From.IsZero():
			over(fmt.Sprintf("dated %s; the commit's author date is %s", c.At.Format(time.RFC3339), h.At.Format(time.RFC3339)), h.Quantity)
			continue
		case !hasEvidence(c.Evidence, "gitRules:"+rules.Digest()):
			over("counted under other rules than "+rules.Digest(), h.Quantity)
			continue
		}
		k := claimKey{commit, c.Contributor}
		if _, ok := sum[k]; !ok {
			keys = append(keys, k)
		}
		sum[k] += c.Quantity
		byKey[k] = append(byKey[k], c)
	}
	for _, k := range keys {
		h := have[k]
		if sum[k] <= h.Quantity {
			continue
		}
		// A statement that alone claims more is at fault; the rest are
		// at fault together only if they still add up to more.
		var rest []Claim
		var restSum contribution.Quantity
		for _, c := range byKey[k] {
			if c.Quantity > h.Quantity {
				out = append(out, Overclaim{Statement: c.Statement, Commit: k.commit, Contributor: k.contributor, Claimed: c.Quantity, Shown: h.Quantity,
					Reason: fmt.Sprintf("claims %s %s; the history shows %s", c.Quantity, c.Unit, h.Quantity)})
				continue
			}
			rest = append(rest, c)
			restSum += c.Quantity
		}
		if restSum <= h.Quantity {
			continue
		}
		for _, c := range rest {
			out = append(out, Overclaim{Statement: c.Statement, Commit: k.commit, Contributor: k.contributor, Claimed: c.Quantity, Shown: h.Quantity,
				Reason: fmt.Sprintf("%d statements claim %s %s in all; the history shows %s", len(rest), restSum, c.Unit, h.Quantity)})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Statement < out[j].Statement })
	return out
}

func commitOf(c contribution.Contribution) string {
	for _, e := range c.Evidence {
		if id, ok := strings.CutPrefix(e, "gitCommit:"); ok {
			return id
		}
	}
	return ""
}

func hasEvidence(ev []string, want string) bool {
	for _, e := range ev {
		if e == want {
			return true
		}
	}
	return false
}

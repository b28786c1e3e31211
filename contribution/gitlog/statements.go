package gitlog

import (
	"github.com/peerproduction/ppl/attest"
	"github.com/peerproduction/ppl/contribution"
)

// Statements builds the contribution statement of each contribution, in
// order, ready for a steward to sign (attest.SignStatement). A statement
// is canonical JSON of its contribution alone, so the same commit counted
// under the same rules always gives the same statement digest, and a
// re-run finds nothing new.
func Statements(cs []contribution.Contribution) ([]attest.Statement, error) {
	out := make([]attest.Statement, 0, len(cs))
	for _, c := range cs {
		st, err := contribution.NewContributionStatement(c)
		if err != nil {
			return nil, err
		}
		out = append(out, st)
	}
	return out, nil
}

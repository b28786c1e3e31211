package gitlog

import (
	"runtime"
	"sync"

	"github.com/peerproduction/ppl/attest"
	"github.com/peerproduction/ppl/contribution"
)

// Statements builds the contribution statement of each contribution, in
// order, ready for a steward to sign (attest.SignStatement). A statement
// is canonical JSON of its contribution alone, so the same commit counted
// under the same rules always gives the same statement digest, and a
// re-run finds nothing new.
//
// The statements are built on every core (each is checked against the
// predicate's schema, which costs more than counting the commit).
func Statements(cs []contribution.Contribution) ([]attest.Statement, error) {
	out := make([]attest.Statement, len(cs))
	errs := make([]error, len(cs))
	w := runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	for k := 0; k < w; k++ {
		wg.Add(1)
		go func(k int) {
			defer wg.Done()
			for i := k; i < len(cs); i += w {
				out[i], errs[i] = contribution.NewContributionStatement(cs[i])
			}
		}(k)
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

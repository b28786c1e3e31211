package manifest

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/peerproduction/ppl/attest"
)

// LoadAll verifies the manifests of many commons given in any order —
// every version of each, as a directory of published envelopes holds them
// — and returns one Chain per commons, sorted by commons id. envelopes maps
// a name (a file's path, say) to an envelope; errors name it. Each chain
// is verified as Load does, with its first version trusted on first use;
// a caller that pins versions calls Load itself.
func LoadAll(envelopes map[string][]byte, at time.Time) ([]*Chain, error) {
	type version struct {
		n    int64
		data []byte
	}
	byCommons := map[string][]version{}
	for _, name := range slices.Sorted(maps.Keys(envelopes)) {
		data := envelopes[name]
		env, err := attest.ParseEnvelope(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		st, err := attest.ParseStatement(env.Payload)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if st.PredicateType != PredicateType {
			return nil, fmt.Errorf("%s: not a commons manifest (%s)", name, st.PredicateType)
		}
		m, err := Parse(st.Predicate)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		byCommons[m.ID] = append(byCommons[m.ID], version{m.Version, data})
	}
	var chains []*Chain
	for _, id := range slices.Sorted(maps.Keys(byCommons)) {
		vs := byCommons[id]
		slices.SortStableFunc(vs, func(a, b version) int { return cmp.Compare(a.n, b.n) })
		envs := make([][]byte, len(vs))
		for i, v := range vs {
			envs[i] = v.data
		}
		c, err := Load(envs, "", at)
		if err != nil {
			return nil, fmt.Errorf("commons %s: %w", id, err)
		}
		chains = append(chains, c)
	}
	return chains, nil
}

package main

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/peerproduction/ppl/attest"
	"github.com/peerproduction/ppl/policy/manifest"
)

// loadManifests verifies the manifests in dir — each commons' versions from
// the first, every chain in force at at — and derives the setup of the
// commons named (or of the only one), as `ppl decide -manifests` does.
// Version 1 of each chain is trusted on first use.
func loadManifests(dir, commonsID string, at time.Time) (setup, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*"))
	if err != nil {
		return setup{}, err
	}
	type version struct {
		n    int64
		data []byte
	}
	byCommons := map[string][]version{}
	for _, f := range files {
		if st, err := os.Stat(f); err != nil || st.IsDir() {
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			return setup{}, err
		}
		env, err := attest.ParseEnvelope(data)
		if err != nil {
			return setup{}, fmt.Errorf("%s: %w", f, err)
		}
		st, err := attest.ParseStatement(env.Payload)
		if err != nil {
			return setup{}, fmt.Errorf("%s: %w", f, err)
		}
		if st.PredicateType != manifest.PredicateType {
			return setup{}, fmt.Errorf("%s: not a commons manifest (%s)", f, st.PredicateType)
		}
		m, err := manifest.Parse(st.Predicate)
		if err != nil {
			return setup{}, fmt.Errorf("%s: %w", f, err)
		}
		byCommons[m.ID] = append(byCommons[m.ID], version{m.Version, data})
	}
	if len(byCommons) == 0 {
		return setup{}, fmt.Errorf("%s holds no manifests", dir)
	}
	ids := slices.Sorted(maps.Keys(byCommons))
	var chains []*manifest.Chain
	for _, id := range ids {
		vs := byCommons[id]
		slices.SortFunc(vs, func(a, b version) int { return cmp.Compare(a.n, b.n) })
		envs := make([][]byte, len(vs))
		for i, v := range vs {
			envs[i] = v.data
		}
		c, err := manifest.Load(envs, "", at)
		if err != nil {
			return setup{}, fmt.Errorf("commons %s: %w", id, err)
		}
		chains = append(chains, c)
	}
	if commonsID == "" {
		if len(ids) > 1 {
			return setup{}, fmt.Errorf("it holds manifests of %s: say which with -commons", strings.Join(ids, ", "))
		}
		commonsID = ids[0]
	}
	configs, derr := manifest.Derive(at, chains...)
	for _, c := range configs {
		if c.Commons.ID != commonsID {
			continue
		}
		eval, err := c.Evaluator()
		if err != nil {
			return setup{}, err
		}
		if c.Plan != nil {
			c.Plan.Commons = c.Commons
		}
		return setup{terms: c.Policy.Terms, commons: c.Commons, peers: c.Peers, trust: c.Trust, eval: eval, plan: c.Plan}, nil
	}
	if derr != nil {
		return setup{}, derr
	}
	return setup{}, errors.New("no manifest of commons " + commonsID + " in it (it holds " + strings.Join(ids, ", ") + ")")
}

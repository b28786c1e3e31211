package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

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
	envs := map[string][]byte{}
	for _, f := range files {
		if st, err := os.Stat(f); err != nil || st.IsDir() {
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			return setup{}, err
		}
		envs[f] = data
	}
	chains, err := manifest.LoadAll(envs, at)
	if err != nil {
		return setup{}, err
	}
	if len(chains) == 0 {
		return setup{}, fmt.Errorf("%s holds no manifests", dir)
	}
	ids := make([]string, len(chains))
	for i, c := range chains {
		ids[i] = c.ID()
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

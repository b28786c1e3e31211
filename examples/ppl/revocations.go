package main

import (
	"os"
	"time"

	"github.com/peerproduction/ppl/attest"
)

// evidenceFile is an envelope read from a file, kept with its name so that
// what is said about it names the file.
type evidenceFile struct {
	name string
	data []byte
}

// applyRevocations applies to cfg's trust, at at, the revocations the trust
// file lists and those among evidence, and returns the rest of the evidence.
// A listed revocation that does not verify is a configuration error; one in
// the evidence is refused naming its file: neither is skipped in silence,
// since a revocation left out would let what it withdraws count.
//
// The command line keeps no record of when it first saw a statement, so
// every statement counts as first seen at at: a key revoked from before at
// counts for nothing here (a ledger that records first-seen times keeps the
// statements it saw before the revocation).
func (cfg *config) applyRevocations(evidence []evidenceFile, at time.Time) ([]evidenceFile, error) {
	for _, path := range cfg.revocations {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, usage("trust file revocations: %v", err)
		}
		if _, err := cfg.trust.Revoke(data, at); err != nil {
			return nil, usage("trust file revocation %s: %v", path, err)
		}
	}
	rest := evidence[:0:0]
	for _, ev := range evidence {
		if !isRevocation(ev.data) {
			rest = append(rest, ev)
			continue
		}
		if _, err := cfg.trust.Revoke(ev.data, at); err != nil {
			return nil, refused("%s: revocation not applied: %v", ev.name, err)
		}
	}
	return rest, nil
}

// isRevocation reports whether data is an envelope carrying a revocation
// statement, before anything about it is verified: it only sorts the
// evidence, and Revoke verifies what it applies.
func isRevocation(data []byte) bool {
	env, err := attest.ParseEnvelope(data)
	if err != nil {
		return false
	}
	st, err := attest.ParseStatement(env.Payload)
	return err == nil && st.PredicateType == attest.RevocationPredicateType
}

// envelopes returns the evidence's bytes, in order.
func envelopes(evidence []evidenceFile) [][]byte {
	out := make([][]byte, len(evidence))
	for i, ev := range evidence {
		out[i] = ev.data
	}
	return out
}

package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/peerproduction/ppl/attest"
	"github.com/peerproduction/ppl/policy"
)

func (s *server) grantDigest(t *testing.T, grant []byte) string {
	t.Helper()
	g, err := policy.VerifyGrant(s.grantT, grant, clock)
	if err != nil {
		t.Fatal(err)
	}
	return g.Statement
}

// patternOf maps a concrete path to its route pattern.
func patternOf(path string) string {
	switch {
	case strings.HasPrefix(path, "/v1/grants/") && path != "/v1/grants/verify":
		return "/v1/grants/{digest}"
	case strings.HasPrefix(path, "/v1/payments/"):
		return "/v1/payments/{ref}"
	case strings.HasPrefix(path, "/v1/commons/"):
		return "/v1/commons/{id}/terms"
	}
	return path
}

func attestVerifyAt(at time.Time) attest.VerifyOptions {
	return attest.VerifyOptions{Time: at, PredicateTypes: attestationTypes}
}

// ingestEnvelope stores an envelope the way postAttestation does.
func (b *backend) ingestEnvelope(ctx context.Context, s *server, env []byte) (bool, error) {
	v, err := s.trust.Verify(env, attestVerifyAt(s.now()))
	if err != nil {
		return false, err
	}
	d, err := s.decode(v)
	if err != nil {
		return false, err
	}
	return b.ingest(ctx, v, env, d.contribution, d.membership)
}

package main

import (
	"crypto/ed25519"
	"crypto/sha256"
	"time"

	"github.com/peerproduction/ppl/attest"
	"github.com/peerproduction/ppl/contribution"
	"github.com/peerproduction/ppl/policy"
	"github.com/peerproduction/ppl/policy/manifest"
)

type pub = ed25519.PublicKey

// sample is the embedded world: two commons, each with the manifest its
// association signed, their stewards, a registrar, three entities and
// their members, and the signed evidence each presents.
type sample struct {
	keys      map[string]ed25519.PrivateKey
	manifests [][]byte // Alpha's and Beta's signed manifests, as published
	cases     []sampleCase
}

type sampleCase struct {
	title    string
	entity   string
	use      policy.Use
	evidence [][]byte
}

// sampleSeed derives a key from a label. SAMPLE ONLY: anyone can derive
// these keys, so statements they sign prove nothing outside this demo.
func sampleSeed(label string) ed25519.PrivateKey {
	seed := sha256.Sum256([]byte("ppl quickstart SAMPLE key, not secret: " + label))
	return ed25519.NewKeyFromSeed(seed[:])
}

func newSample(at time.Time) (*sample, error) {
	s := &sample{keys: map[string]ed25519.PrivateKey{}}
	for _, l := range []string{"alpha-root", "beta-root", "steward-alpha", "steward-beta", "registrar",
		"dana", "eli", "fay", "gus"} {
		s.keys[l] = sampleSeed(l)
	}
	id := func(l string) string { return attest.KeyID(s.pub(l)) }
	key := func(l string) manifest.Key { return manifest.Key{Public: s.pub(l), Comment: l} }

	// Each association publishes its manifest: Beta names its steward;
	// Alpha names its own, its registrar, and recognises Beta at 0.5.
	issued := at.AddDate(-1, 0, 0)
	beta, err := manifest.BuiltinTerms("ppl")
	if err != nil {
		return nil, err
	}
	alpha, err := manifest.BuiltinTerms("ppl-reciprocity")
	if err != nil {
		return nil, err
	}
	for _, m := range []*manifest.Manifest{
		{ID: "alpha", Name: "Alpha CAD library", Version: 1, IssuedAt: issued, Expires: at.AddDate(1, 0, 0), Terms: alpha,
			Roles: manifest.Roles{Root: []manifest.Key{key("alpha-root")}, RootThreshold: 1,
				Stewards: []manifest.Key{key("steward-alpha")}, Registrars: []manifest.Key{key("registrar")}},
			Recognises: []manifest.Recognition{{Commons: "beta", Version: 1, Weight: 500}}},
		{ID: "beta", Name: "Beta open hardware", Version: 1, IssuedAt: issued, Expires: at.AddDate(1, 0, 0), Terms: beta,
			Roles: manifest.Roles{Root: []manifest.Key{key("beta-root")}, RootThreshold: 1, Stewards: []manifest.Key{key("steward-beta")}}},
	} {
		env, err := manifest.Sign(m, s.keys[m.ID+"-root"])
		if err != nil {
			return nil, err
		}
		b, err := env.MarshalJSON()
		if err != nil {
			return nil, err
		}
		s.manifests = append(s.manifests, b)
	}

	sign := func(st attest.Statement, signers ...string) ([]byte, error) {
		env, err := attest.SignStatement(st)
		if err != nil {
			return nil, err
		}
		for _, l := range signers {
			if err := env.AddSignature(s.keys[l]); err != nil {
				return nil, err
			}
		}
		return env.MarshalJSON()
	}
	var errs []error
	must := func(b []byte, err error) []byte {
		if err != nil {
			errs = append(errs, err)
		}
		return b
	}
	registered := func(e contribution.Entity) []byte {
		e.AsOf = at.AddDate(0, -2, 0)
		st, err := contribution.NewEntityStatement(e)
		if err != nil {
			errs = append(errs, err)
			return nil
		}
		return must(sign(st, "registrar"))
	}
	member := func(entity, person string) []byte {
		st, err := contribution.NewMembershipStatement(contribution.Membership{Entity: entity, Role: "engineer", From: at.AddDate(-2, 0, 0)}, s.pub(person))
		if err != nil {
			errs = append(errs, err)
			return nil
		}
		return must(sign(st, "registrar", person)) // both must sign
	}
	// The steward names the entity the work was done for: in evidence a
	// contribution naming none is not counted, as the person's other
	// memberships are unknown (see policy's doc).
	contributed := func(steward, commons, entity, person, kind string, points int64, daysAgo int) []byte {
		st, err := contribution.NewContributionStatement(contribution.Contribution{Commons: commons, Contributor: id(person), Entity: entity, Kind: kind,
			Quantity: contribution.Quantity(points * 1000), Unit: "points", At: at.AddDate(0, 0, -daysAgo),
			Evidence: []string{"gitCommit:9fceb02d0ae598e95dc970b74767f19372d61af8"}})
		if err != nil {
			errs = append(errs, err)
			return nil
		}
		return must(sign(st, steward))
	}
	yes := contribution.BoolFact{Known: true, Value: true}
	no := contribution.BoolFact{Known: true, Value: false}
	s.cases = []sampleCase{
		{
			title: "Makers Co-op, a worker cooperative that shares its surplus, commercial use", entity: "makers-coop",
			use: policy.Use{Commercial: true, Seats: 12},
			evidence: [][]byte{registered(contribution.Entity{ID: "makers-coop", Name: "Makers Co-op",
				Kind: contribution.KindFact{Known: true, Value: contribution.KindWorkerCooperative}, WorkerOwned: yes, SurplusToWorkers: yes})},
		},
		{
			title: "Acme Ltd, a for-profit whose engineers contribute to Alpha and to Beta", entity: "acme",
			use: policy.Use{Commercial: true, Seats: 40},
			evidence: [][]byte{
				registered(contribution.Entity{ID: "acme", Name: "Acme Ltd", Kind: contribution.KindFact{Known: true, Value: contribution.KindForProfit}, WorkerOwned: no, SurplusToWorkers: no}),
				member("acme", "dana"), member("acme", "eli"),
				contributed("steward-alpha", "alpha", "acme", "dana", "code", 55, 20),
				contributed("steward-alpha", "alpha", "acme", "eli", "docs", 30, 60),
				contributed("steward-beta", "beta", "acme", "eli", "code", 90, 10),
			},
		},
		{
			title: "Globex Corp, a for-profit that has contributed little", entity: "globex",
			use: policy.Use{Commercial: true, Seats: 40},
			evidence: [][]byte{
				registered(contribution.Entity{ID: "globex", Name: "Globex Corp", Kind: contribution.KindFact{Known: true, Value: contribution.KindForProfit}, WorkerOwned: no, SurplusToWorkers: no}),
				member("globex", "fay"),
				contributed("steward-alpha", "alpha", "globex", "fay", "review", 24, 30),
				// Signed by Beta's steward for Alpha: out of its scope, so ignored.
				contributed("steward-beta", "alpha", "globex", "gus", "code", 500, 5),
			},
		},
	}
	if len(errs) > 0 {
		return nil, errs[0]
	}
	return s, nil
}

func (s *sample) pub(label string) ed25519.PublicKey {
	return s.keys[label].Public().(ed25519.PublicKey)
}

package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/peerproduction/ppl/attest"
	"github.com/peerproduction/ppl/contribution"
	"github.com/peerproduction/ppl/contribution/payout"
)

// cmdPayout allocates a payment among the commons' contributors, from the
// verified contributions given as evidence, and signs the allocation.
func cmdPayout(args []string, out, warn io.Writer) error {
	const syn = "ppl payout (-manifests DIR [-commons ID] | -trust FILE [-association ID -association-bp N -minimum N -window-days N -half-life-days N -recognised]) -key FILE -amount N -currency C -payer ID -reference REF -at TIME EVIDENCE|DIR..."
	fs := newFlags("payout", syn)
	setup := addSetupFlags(fs)
	keyPath := fs.String("key", "", "key that signs the payout statement")
	amount := fs.Int64("amount", 0, "payment in minor units (cents)")
	currency := fs.String("currency", "EUR", "ISO 4217 currency")
	payer := fs.String("payer", "", "the paying entity")
	ref := fs.String("reference", "", "payment reference (invoice, grant)")
	assoc := fs.String("association", "", "the for-benefit association's account")
	bp := fs.Int64("association-bp", 1000, "association share in basis points (1000 = 10%)")
	minimum := fs.Int64("minimum", 0, "minimum payout in minor units; smaller shares are carried over")
	windowDays := fs.Int("window-days", 365, "contributions older than this do not count")
	halfLife := fs.Int("half-life-days", 180, "decay half-life (0: none)")
	recognised := fs.Bool("recognised", true, "contributions to recognised commons share at their weight")
	explain := fs.String("explain", "", "also explain one recipient's share (key id)")
	outPath := fs.String("o", "", "write the signed payout here instead of stdout")
	force := fs.Bool("f", false, "overwrite the -o file if it exists")
	var at timeFlag
	fs.Var(&at, "at", "time of the payment")
	if err := parse(fs, args, out, syn); err != nil {
		return err
	}
	if *keyPath == "" || at.t.IsZero() {
		return usage("payout: -key and -at are required (usage: %s)", syn)
	}
	if err := checkIDs("payout", "-payer", *payer); err != nil {
		return err
	}
	if *amount <= 0 {
		return usage("payout: -amount %d: a payment is a positive amount in minor units", *amount)
	}
	if err := refuseOverwrite(*outPath, *force); err != nil {
		return err
	}
	cfg, err := setup.load("payout", at.t)
	if err != nil {
		return err
	}
	if cfg.policy != nil {
		// The manifest's payout plan is the commons' own: flags that would
		// set another are refused, not silently overridden.
		for _, f := range []string{"association", "association-bp", "minimum", "window-days", "half-life-days", "recognised"} {
			if set(fs, f) {
				return usage("payout: -%s goes with -trust: the manifest sets the payout plan", f)
			}
		}
		if cfg.plan == nil {
			return usage("payout: the manifest of %s has no payout plan", cfg.commons.ID)
		}
		if set(fs, "currency") && *currency != cfg.plan.Currency {
			return usage("payout: -currency %s, but the manifest pays out in %s", *currency, cfg.plan.Currency)
		}
		*currency = cfg.plan.Currency
	}
	key, err := loadPrivateKey(*keyPath)
	if err != nil {
		return usage("payout: -key: %v", err)
	}
	evidence, err := readEvidence(fs.Args())
	if err != nil {
		return usage("payout: %v", err)
	}
	if evidence, err = cfg.applyRevocations(evidence, at.t); err != nil {
		return err
	}
	ledger := contribution.NewLedger(nil)
	for _, c := range append([]contribution.Commons{cfg.commons}, cfg.peers...) {
		if err := ledger.AddCommons(c); err != nil {
			return usage("payout: %v", err)
		}
	}
	opts := attest.VerifyOptions{Time: at.t, PredicateTypes: []string{contribution.ContributionPredicateType}}
	for _, ev := range evidence {
		v, err := cfg.trust.Verify(ev.data, opts)
		if err == nil {
			_, err = ledger.Ingest(context.Background(), v)
		}
		if err != nil {
			fmt.Fprintf(warn, "ppl: payout: ignored %s: %v\n", ev.name, err)
		}
	}
	plan := cfg.plan
	if plan == nil {
		plan = &payout.Plan{Commons: cfg.commons, Currency: *currency, Association: *assoc, AssociationBP: *bp,
			Window: time.Duration(*windowDays) * 24 * time.Hour, HalfLife: time.Duration(*halfLife) * 24 * time.Hour,
			IncludeRecognised: *recognised, MinimumPayout: *minimum}
	}
	a, err := payout.Allocate(context.Background(), plan, ledger, payout.Payment{Commons: cfg.commons.ID, Payer: *payer, Amount: *amount,
		Currency: *currency, At: at.t, Reference: *ref}, "", nil)
	if err != nil {
		return usage("payout: %v", err)
	}
	if *explain != "" {
		fmt.Fprint(warn, a.Explain(*explain))
	}
	env, err := a.Sign(plan, key)
	if err != nil {
		return err
	}
	return writeEnvelopeTo(env, *outPath, *force, out)
}

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/peerproduction/ppl/contribution"
	"github.com/peerproduction/ppl/license"
	"github.com/peerproduction/ppl/policy"
	"github.com/peerproduction/ppl/policy/scan"
)

// permissive is what -free permissive stands for: licenses that let any
// entity use a work without payment (their obligations aside).
var permissive = []string{"0BSD", "Apache-2.0", "BSD-2-Clause", "BSD-3-Clause", "BSL-1.0", "CC0-1.0", "ISC", "MIT", "Unlicense", "Zlib"}

// cmdScan decides every component of an SBOM for one entity and use.
func cmdScan(args []string, out io.Writer) error {
	syn := "ppl scan -entity ID -at TIME [-commercial] [-purpose P] [-seats N] [-kind K] [-headcount N] [-revenue MINOR -currency C] [-free LIST|permissive] [-json] SBOM|-"
	fs := newFlags("scan", syn)
	entity := fs.String("entity", "", "the entity asking")
	commercial := fs.Bool("commercial", false, "the use is commercial")
	purpose := fs.String("purpose", "", "purpose of the use, e.g. production, internal, managed-service")
	seats := fs.Int64("seats", 1, "seats, for per-seat prices")
	kind := fs.String("kind", "", "the entity's kind (for-profit, worker-cooperative, nonprofit, …), as it states it")
	headcount := fs.Int64("headcount", -1, "the entity's headcount, as it states it")
	revenue := fs.Int64("revenue", -1, "the entity's annual revenue in minor units of -currency, as it states it")
	currency := fs.String("currency", "USD", "currency of -revenue (ISO 4217)")
	free := fs.String("free", "", `comma-separated SPDX ids to treat as free, or "permissive" for `+strings.Join(permissive, ", "))
	asJSON := fs.Bool("json", false, "print the report as JSON")
	var at timeFlag
	fs.Var(&at, "at", "time to decide at (required: there is no hidden clock)")
	if err := parse(fs, args, out, syn); err != nil {
		return err
	}
	if *entity == "" || at.t.IsZero() || fs.NArg() != 1 {
		return usage("scan: -entity, -at and one SBOM file (or - for stdin) are required (usage: %s)", syn)
	}
	if err := checkIDs("scan", "-entity", *entity); err != nil {
		return err
	}
	ent := contribution.Entity{ID: *entity}
	if *kind != "" {
		ent.Kind = contribution.KindFact{Known: true, Value: contribution.EntityKind(*kind)}
	}
	if *headcount >= 0 {
		ent.Headcount = contribution.IntFact{Known: true, Value: *headcount}
	}
	if *revenue >= 0 {
		if len(*currency) != 3 || strings.ToUpper(*currency) != *currency {
			return usage("scan: -currency %q: an ISO 4217 code such as USD or EUR", *currency)
		}
		ent.AnnualRevenue = contribution.MoneyFact{Known: true, Value: contribution.Money{Amount: *revenue, Currency: *currency}}
	}
	var freeIDs []string
	for _, id := range strings.Split(*free, ",") {
		switch id = strings.TrimSpace(id); id {
		case "":
		case "permissive":
			freeIDs = append(freeIDs, permissive...)
		default:
			freeIDs = append(freeIDs, id)
		}
	}
	data, err := readInput(fs.Arg(0))
	if err != nil {
		return usage("scan: %v", err)
	}
	sbom, err := scan.ReadSBOM(data)
	if err != nil {
		return refused("scan: %s: %v", fs.Arg(0), err)
	}
	s, err := scan.NewScanner(scan.Config{Free: freeIDs})
	if err != nil {
		return err
	}
	rep, err := s.Scan(context.Background(), sbom, scan.Query{Entity: ent, Use: policy.Use{Commercial: *commercial, Purpose: *purpose, Seats: *seats}, At: at.t}, progressLine(len(sbom.Components)))
	if err != nil {
		return refused("%v", err)
	}
	if *asJSON {
		b, err := json.MarshalIndent(rep, "", "  ")
		if err != nil {
			return err
		}
		if _, err := out.Write(append(b, '\n')); err != nil {
			return err
		}
	} else if err := writeScan(out, rep); err != nil {
		return err
	}
	if rep.Paid > 0 || rep.Denied > 0 {
		return refused("scan: %d component(s) must be paid for, %d denied", rep.Paid, rep.Denied)
	}
	return nil
}

// readInput reads a file, or standard input for "-".
func readInput(path string) ([]byte, error) {
	if path == "-" {
		return io.ReadAll(io.LimitReader(os.Stdin, scan.MaxSBOMBytes+1))
	}
	return os.ReadFile(path)
}

// progressLine shows progress on stderr when it is a terminal and the SBOM
// is large enough to wait for; otherwise it shows nothing.
func progressLine(total int) func(done, total int) {
	st, err := os.Stderr.Stat()
	if err != nil || st.Mode()&os.ModeCharDevice == 0 || total < 2000 {
		return nil
	}
	return func(done, total int) {
		fmt.Fprintf(os.Stderr, "\rdecided %d of %d components", done, total)
		if done == total {
			fmt.Fprintln(os.Stderr)
		}
	}
}

// writeScan writes the report for people: a line per component, then what
// is owed, the unknown licenses and the path to free.
func writeScan(out io.Writer, rep *scan.Report) error {
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "COMPONENT\tVERSION\tLICENSE\tOUTCOME\tPRICE\tWHY")
	for _, r := range rep.Results {
		lic := r.Component.License
		if lic == "" {
			lic = "(none stated)"
		}
		if r.Component.Detected {
			lic += " (detected)"
		}
		var prices, why []string
		for _, l := range r.Licenses {
			if l.Price != nil {
				prices = append(prices, priceText(*l.Price))
			}
			reason := l.Reason
			if l.License != "" && len(r.Licenses) > 1 {
				reason = l.License + ": " + reason
			}
			why = append(why, reason)
		}
		if r.Branches > 1 {
			why = append(why, r.Note)
		}
		price := strings.Join(prices, " + ")
		if price == "" {
			price = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.Component.Name, r.Component.Version, lic, strings.ToUpper(string(r.Outcome)), price, strings.Join(why, "; "))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(out, "\n%d components: %d free, %d to pay for, %d denied, %d with licenses ppl has no terms for\n",
		len(rep.Results), rep.Free, rep.Paid, rep.Denied, len(rep.Results)-rep.Free-rep.Paid-rep.Denied)
	for _, o := range rep.Owed {
		line := fmt.Sprintf("owed: %s per %s for %d component(s)", license.Money{Amount: o.Amount, Currency: o.Currency}, o.Period, o.Components)
		if o.Placeholders > 0 {
			line += fmt.Sprintf(", %d at a placeholder price the license does not set", o.Placeholders)
		}
		fmt.Fprintln(out, line)
	}
	for _, u := range rep.Unknown {
		id := u.License
		if id == "" {
			id = "(no license stated)"
		}
		fmt.Fprintf(out, "unknown: %s, %d component(s)\n", id, u.Components)
	}
	for _, st := range rep.PathToFree {
		fmt.Fprintf(out, "path to free: %s more points of contribution to %s (%s) would save %s\n", st.Shortfall, st.Component, st.Terms, priceText(st.Saves))
	}
	return nil
}

func priceText(p policy.Price) string {
	s := license.Money{Amount: p.Amount, Currency: p.Currency}.String() + "/" + string(p.Period)
	if p.Placeholder {
		s += " (placeholder)"
	}
	return s
}

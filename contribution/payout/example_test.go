package payout_test

import (
	"context"
	"fmt"
	"time"

	"github.com/peerproduction/ppl/contribution"
	"github.com/peerproduction/ppl/contribution/payout"
)

func ExampleAllocate() {
	at := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	alpha := contribution.Commons{ID: "alpha"}
	l := contribution.NewLedger(nil)
	l.AddCommons(alpha)
	for i, c := range []struct {
		who    string
		points int64
	}{{"SHA256:alice", 30}, {"SHA256:bob", 10}} {
		l.AddContribution(context.Background(), contribution.Contribution{Commons: "alpha", Contributor: c.who, Kind: "code",
			Quantity: contribution.Quantity(c.points * 1000), Unit: "points", At: at, Statement: fmt.Sprintf("sha256:%064d", i)})
	}
	plan := &payout.Plan{Commons: alpha, Currency: "EUR", Association: "alpha-association", AssociationBP: 1000,
		Window: 365 * 24 * time.Hour, MinimumPayout: 500}
	a, err := payout.Allocate(context.Background(), plan, l, payout.Payment{Commons: "alpha", Payer: "acme", Amount: 100_01, Currency: "EUR",
		At: at, Reference: "invoice-42"}, "", nil)
	if err != nil {
		panic(err)
	}
	fmt.Println("association:", a.Association)
	for _, s := range a.Shares {
		fmt.Println(s.Recipient, s.Points, s.Paid)
	}
	// Output:
	// association: 1000
	// SHA256:alice 30.000 6751
	// SHA256:bob 10.000 2250
}

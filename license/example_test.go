package license_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/peerproduction/ppl/license"
)

func ExampleBuiltin() {
	terms, err := license.Builtin("ppl-reciprocity")
	if err != nil {
		panic(err)
	}
	for _, c := range terms.Clauses {
		fmt.Printf("%-16s %-4s when %s\n", c.ID, c.Effect, c.When)
	}
	// Output:
	// noncommercial    free when non-commercial use
	// worker-owned     free when commercial use and entity is worker-owned with surplus to workers
	// reciprocity      free when reciprocity at least 100 points
	// private-license  pay  when always
}

func ExampleParse() {
	doc := []byte(`{
	  "id": "our-commons", "name": "Our commons terms", "version": "1",
	  "source": "https://example.org/terms",
	  "clauses": [
	    {"id": "coops", "effect": "free", "when": {"entityKindIn": ["worker-cooperative"]}, "text": "Worker co-ops use it free."},
	    {"id": "small", "effect": "pay", "price": "small", "when": {"headcountBelow": 50}, "text": "Small firms pay a little."},
	    {"id": "others", "effect": "pay", "price": "seats", "text": "Everyone else pays per seat."}
	  ],
	  "prices": [
	    {"id": "small", "kind": "flat", "currency": "EUR", "period": "year", "amount": 50000},
	    {"id": "seats", "kind": "per-seat", "currency": "EUR", "period": "month", "amount": 1500}
	  ]
	}`)
	terms, err := license.Parse(doc)
	if err != nil {
		panic(err)
	}
	f := license.Facts{At: time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC), Commercial: true, Kind: license.KindForProfit, Headcount: 300, HeadcountKnown: true}
	i, _ := terms.Evaluate(&f, nil)
	s, _ := terms.Schedule(terms.Clauses[i].Price)
	amount, _ := s.Compute(20, nil)
	fmt.Println(terms.Clauses[i].ID, license.Money{Amount: amount, Currency: s.Currency}, "per", s.Period)
	// Output: others 300.00 EUR per month
}

func ExampleParseError() {
	_, err := license.Parse([]byte(`{"id":"x","name":"x","version":"1","source":"https://x",
	  "clauses":[{"id":"a","effect":"free","when":{"commercial":false},"text":"t"}]}`))
	var pe *license.ParseError
	if errors.As(err, &pe) {
		for _, p := range pe.Problems {
			fmt.Println(p)
		}
	}
	fmt.Println(errors.Is(err, license.ErrNoDefault))
	// Output:
	// /clauses/0/when: terms must end with a default clause (one without a condition): the last clause "a" has a condition
	// true
}

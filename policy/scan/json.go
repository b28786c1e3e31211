package scan

import (
	"encoding/json"

	"github.com/peerproduction/ppl/policy"
)

// The JSON of a report names prices and points as decisions do: amounts
// in minor units with their currency, period and schedule; points as
// decimal strings.

type priceJSON struct {
	Amount      int64  `json:"amount"`
	Currency    string `json:"currency"`
	Period      string `json:"period"`
	Schedule    string `json:"schedule"`
	Placeholder bool   `json:"placeholder,omitempty"`
}

func toPriceJSON(p *policy.Price) *priceJSON {
	if p == nil {
		return nil
	}
	return &priceJSON{Amount: p.Amount, Currency: p.Currency, Period: string(p.Period), Schedule: p.Schedule, Placeholder: p.Placeholder}
}

// MarshalJSON writes the decision with its price and, for reciprocity
// terms, the points short of free.
func (d LicenseDecision) MarshalJSON() ([]byte, error) {
	type plain LicenseDecision
	w := struct {
		plain
		Price     *priceJSON `json:"price,omitempty"`
		Shortfall string     `json:"shortfall,omitempty"`
	}{plain: plain(d), Price: toPriceJSON(d.Price)}
	if d.Path != nil && d.Path.Shortfall > 0 {
		w.Shortfall = d.Path.Shortfall.String()
	}
	return json.Marshal(w)
}

// MarshalJSON writes the step with its points as a decimal string.
func (s Step) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Component string     `json:"component"`
		Terms     string     `json:"terms"`
		Shortfall string     `json:"shortfall"`
		Saves     *priceJSON `json:"saves"`
	}{s.Component, s.Terms, s.Shortfall.String(), toPriceJSON(&s.Saves)})
}

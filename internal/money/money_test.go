package money

import (
	"errors"
	"math"
	"testing"
)

func TestMinorUnits(t *testing.T) {
	for code, want := range map[string]int{"USD": 2, "EUR": 2, "JPY": 0, "BHD": 3, "KWD": 3, "CLP": 0, "UYW": 4} {
		if got, ok := MinorUnits(code); !ok || got != want {
			t.Errorf("%s: %d %v, want %d", code, got, ok, want)
		}
	}
	for _, bad := range []string{"usd", "XXX", "EURO", "", "BTC"} {
		if err := Check(bad); !errors.Is(err, ErrUnknownCurrency) {
			t.Errorf("Check(%q) = %v", bad, err)
		}
	}
}

func TestArithmetic(t *testing.T) {
	if v, err := Mul(150000, 12); err != nil || v != 1800000 {
		t.Fatal(v, err)
	}
	if _, err := Mul(math.MaxInt64/2+1, 2); !errors.Is(err, ErrOverflow) {
		t.Fatal("Mul overflow not caught")
	}
	if v, err := Mul(-3, 4); err != nil || v != -12 {
		t.Fatal(v, err)
	}
	if _, err := Add(math.MaxInt64, 1); !errors.Is(err, ErrOverflow) {
		t.Fatal("Add overflow not caught")
	}
	if _, err := Add(math.MinInt64, -1); !errors.Is(err, ErrOverflow) {
		t.Fatal("Add underflow not caught")
	}
	for _, c := range []struct {
		amt  int64
		code string
		want string
	}{{123456, "USD", "1234.56 USD"}, {5, "USD", "0.05 USD"}, {-5, "EUR", "-0.05 EUR"}, {500, "JPY", "500 JPY"}, {1234, "BHD", "1.234 BHD"}} {
		if got := Format(c.amt, c.code); got != c.want {
			t.Errorf("Format(%d, %s) = %s, want %s", c.amt, c.code, got, c.want)
		}
	}
}

// Package money holds what the module needs to treat money exactly:
// amounts are int64 counts of a currency's minor unit, currencies are ISO
// 4217 codes, and arithmetic refuses to overflow rather than wrap.
package money

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
)

// ErrUnknownCurrency and ErrOverflow are returned for errors.Is.
var (
	ErrUnknownCurrency = errors.New("unknown ISO 4217 currency code")
	ErrOverflow        = errors.New("amount overflows int64 minor units")
)

// MinorUnits returns the number of decimal places of the currency's minor
// unit (2 for USD, 0 for JPY, 3 for BHD) and whether code is an active ISO
// 4217 currency.
func MinorUnits(code string) (int, bool) {
	d, ok := iso4217[code]
	return int(d), ok
}

// Check returns an error unless code is an active ISO 4217 currency code.
func Check(code string) error {
	if _, ok := iso4217[code]; !ok {
		return fmt.Errorf("%w: %q", ErrUnknownCurrency, code)
	}
	return nil
}

// Mul returns a*b or ErrOverflow.
func Mul(a, b int64) (int64, error) {
	if a == 0 || b == 0 {
		return 0, nil
	}
	hi, lo := bits.Mul64(uint64(abs(a)), uint64(abs(b)))
	if hi != 0 || lo > math.MaxInt64 {
		return 0, ErrOverflow
	}
	r := int64(lo)
	if (a < 0) != (b < 0) {
		r = -r
	}
	return r, nil
}

// Add returns a+b or ErrOverflow.
func Add(a, b int64) (int64, error) {
	s := a + b
	if (a > 0 && b > 0 && s < 0) || (a < 0 && b < 0 && s >= 0) {
		return 0, ErrOverflow
	}
	return s, nil
}

func abs(a int64) int64 {
	if a < 0 {
		return -a
	}
	return a
}

// Format writes amount in major units with the currency's decimals, e.g.
// Format(123456, "USD") = "1234.56 USD".
func Format(amount int64, code string) string {
	d, ok := MinorUnits(code)
	if !ok || d == 0 {
		return fmt.Sprintf("%d %s", amount, code)
	}
	sign := ""
	u := uint64(amount)
	if amount < 0 {
		sign = "-"
		u = uint64(-amount)
	}
	p := uint64(1)
	for range d {
		p *= 10
	}
	return fmt.Sprintf("%s%d.%0*d %s", sign, u/p, d, u%p, code)
}

// iso4217 maps active ISO 4217 codes (SIX list, 2024) to minor-unit digits.
var iso4217 = map[string]uint8{
	"AED": 2, "AFN": 2, "ALL": 2, "AMD": 2, "ANG": 2, "AOA": 2, "ARS": 2, "AUD": 2, "AWG": 2, "AZN": 2,
	"BAM": 2, "BBD": 2, "BDT": 2, "BGN": 2, "BHD": 3, "BIF": 0, "BMD": 2, "BND": 2, "BOB": 2, "BRL": 2,
	"BSD": 2, "BTN": 2, "BWP": 2, "BYN": 2, "BZD": 2, "CAD": 2, "CDF": 2, "CHF": 2, "CLP": 0, "CNY": 2,
	"COP": 2, "CRC": 2, "CUP": 2, "CVE": 2, "CZK": 2, "DJF": 0, "DKK": 2, "DOP": 2, "DZD": 2, "EGP": 2,
	"ERN": 2, "ETB": 2, "EUR": 2, "FJD": 2, "FKP": 2, "GBP": 2, "GEL": 2, "GHS": 2, "GIP": 2, "GMD": 2,
	"GNF": 0, "GTQ": 2, "GYD": 2, "HKD": 2, "HNL": 2, "HTG": 2, "HUF": 2, "IDR": 2, "ILS": 2, "INR": 2,
	"IQD": 3, "IRR": 2, "ISK": 0, "JMD": 2, "JOD": 3, "JPY": 0, "KES": 2, "KGS": 2, "KHR": 2, "KMF": 0,
	"KPW": 2, "KRW": 0, "KWD": 3, "KYD": 2, "KZT": 2, "LAK": 2, "LBP": 2, "LKR": 2, "LRD": 2, "LSL": 2,
	"LYD": 3, "MAD": 2, "MDL": 2, "MGA": 2, "MKD": 2, "MMK": 2, "MNT": 2, "MOP": 2, "MRU": 2, "MUR": 2,
	"MVR": 2, "MWK": 2, "MXN": 2, "MYR": 2, "MZN": 2, "NAD": 2, "NGN": 2, "NIO": 2, "NOK": 2, "NPR": 2,
	"NZD": 2, "OMR": 3, "PAB": 2, "PEN": 2, "PGK": 2, "PHP": 2, "PKR": 2, "PLN": 2, "PYG": 0, "QAR": 2,
	"RON": 2, "RSD": 2, "RUB": 2, "RWF": 0, "SAR": 2, "SBD": 2, "SCR": 2, "SDG": 2, "SEK": 2, "SGD": 2,
	"SHP": 2, "SLE": 2, "SOS": 2, "SRD": 2, "SSP": 2, "STN": 2, "SVC": 2, "SYP": 2, "SZL": 2, "THB": 2,
	"TJS": 2, "TMT": 2, "TND": 3, "TOP": 2, "TRY": 2, "TTD": 2, "TWD": 2, "TZS": 2, "UAH": 2, "UGX": 0,
	"USD": 2, "UYU": 2, "UYW": 4, "UZS": 2, "VED": 2, "VES": 2, "VND": 0, "VUV": 0, "WST": 2, "XAF": 0,
	"XCD": 2, "XOF": 0, "XPF": 0, "YER": 2, "ZAR": 2, "ZMW": 2, "ZWG": 2,
}

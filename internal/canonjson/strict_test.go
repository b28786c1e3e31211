package canonjson

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"unsafe"
)

func TestCheckRefuses(t *testing.T) {
	deep := strings.Repeat("[", 65) + strings.Repeat("]", 65)
	tests := []struct {
		name    string
		in      string
		lim     Limits
		want    error
		pointer string
		offset  int64
	}{
		{"duplicate at depth 3", `{"a":[{"b":{"c":1,"c":2}}]}`, Limits{}, ErrDuplicateKey, "/a/0/b/c", 18},
		{"duplicate after unescaping", `{"k":1,"\u006b":2}`, Limits{}, ErrDuplicateKey, "/k", 7},
		{"duplicate at root reported at the later one", `{"z":1,"a":2,"z":3}`, Limits{}, ErrDuplicateKey, "/z", 13},
		{"pointer escapes ~ and /", `{"a/b":{"~":1,"~":1}}`, Limits{}, ErrDuplicateKey, "/a~1b/~0", 14},
		{"trailing value", `{} {}`, Limits{}, ErrTrailingData, "", 3},
		{"trailing garbage", `1x`, Limits{}, ErrTrailingData, "", 1},
		{"invalid utf-8", "[\"a\xffb\"]", Limits{}, ErrInvalidUTF8, "/0", 3},
		{"overlong utf-8", "\"\xc0\xaf\"", Limits{}, ErrInvalidUTF8, "", 1},
		{"lone high surrogate", `["\ud800"]`, Limits{}, ErrLoneSurrogate, "/0", 2},
		{"lone low surrogate", `{"x":"\udc00"}`, Limits{}, ErrLoneSurrogate, "/x", 6},
		{"high then non-low", `"\ud800\u0041"`, Limits{}, ErrLoneSurrogate, "", 1},
		{"number overflow", `{"n":1e400}`, Limits{}, ErrNumberRange, "/n", 5},
		{"too deep", deep, Limits{}, ErrTooDeep, "/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0", 64},
		{"too large", `"0123456789"`, Limits{MaxBytes: 8}, ErrTooLarge, "", 8},
		{"leading zero", `01`, Limits{}, ErrTrailingData, "", 1},
		{"bare control char", "\"a\tb\"", Limits{}, ErrSyntax, "", 2},
		{"single quotes", `{'a':1}`, Limits{}, ErrSyntax, "", 1},
		{"trailing comma", `[1,]`, Limits{}, ErrSyntax, "/1", 3},
		{"empty", ``, Limits{}, ErrSyntax, "", 0},
		{"NaN", `NaN`, Limits{}, ErrSyntax, "", 0},
		{"bad escape", `"\x"`, Limits{}, ErrSyntax, "", 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := Check([]byte(tc.in), tc.lim)
			if !errors.Is(err, tc.want) {
				t.Fatalf("Check(%q) = %v, want %v", tc.in, err, tc.want)
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %T is not *Error", err)
			}
			if e.Pointer != tc.pointer || e.Offset != tc.offset {
				t.Fatalf("pointer %q offset %d, want %q %d (%v)", e.Pointer, e.Offset, tc.pointer, tc.offset, err)
			}
			if _, err := Canonicalize([]byte(tc.in)); err == nil && tc.want != ErrTooLarge {
				t.Fatalf("Canonicalize accepted what Check refused")
			}
		})
	}
}

func TestDuplicateKeyMessageNamesPointer(t *testing.T) {
	err := Check([]byte(`{"a":{"b":{"c":{"d":1,"d":2}}}}`), Limits{})
	if err == nil || !strings.Contains(err.Error(), "/a/b/c/d") || !strings.Contains(err.Error(), `"d"`) {
		t.Fatalf("message does not name the duplicate and its pointer: %v", err)
	}
}

func TestCheckAccepts(t *testing.T) {
	for _, in := range []string{
		`0`, `-0`, `1.5e-3`, `"\ud83d\ude00"`, `"\u2028"`, ` {"a" : [ true , false , null ] } `,
		`{"a":{"a":{"a":1}}}`, // same key at different depths is fine
		strings.Repeat("[", 64) + strings.Repeat("]", 64),
	} {
		if err := Check([]byte(in), Limits{}); err != nil {
			t.Errorf("Check(%q) = %v", in, err)
		}
	}
}

type inner struct {
	Name  string `json:"name"`
	Count uint8  `json:"count,omitempty"`
}

type Embedded struct {
	Extra string `json:"extra"`
}

type outer struct {
	Embedded
	ID    string           `json:"id"`
	Items []inner          `json:"items"`
	ByKey map[string]inner `json:"byKey"`
	Raw   json.RawMessage  `json:"raw"`
	Skip  string           `json:"-"`
}

func TestDecode(t *testing.T) {
	var v outer
	in := `{"id":"x","extra":"e","items":[{"name":"a","count":3}],"byKey":{"k":{"name":"b"}},"raw":{"anything":{"goes":1}}}`
	if err := Decode([]byte(in), &v, Limits{}); err != nil {
		t.Fatal(err)
	}
	if v.ID != "x" || v.Extra != "e" || v.Items[0].Count != 3 || v.ByKey["k"].Name != "b" || string(v.Raw) != `{"anything":{"goes":1}}` {
		t.Fatalf("decoded %+v", v)
	}
}

func TestDecodeRefuses(t *testing.T) {
	tests := []struct {
		in      string
		want    error
		pointer string
	}{
		{`{"id":"x","ID":"y"}`, ErrCaseVariant, "/ID"},
		{`{"Id":"x"}`, ErrCaseVariant, "/Id"},
		{`{"by\u212aey":{}}`, ErrCaseVariant, "/by\u212aey"}, // KELVIN SIGN folds to k
		{`{"item\u017f":[]}`, ErrCaseVariant, "/item\u017f"}, // LONG S folds to s
		{`{"items":[{"NAME":"a"}]}`, ErrCaseVariant, "/items/0/NAME"},
		{`{"EXTRA":"e"}`, ErrCaseVariant, "/EXTRA"},
		{`{"items":[{"name":"a"},{"nmae":"b"}]}`, ErrUnknownField, "/items/1/nmae"},
		{`{"byKey":{"k":{"bogus":1}}}`, ErrUnknownField, "/byKey/k/bogus"},
		{`{"Skip":"s"}`, ErrUnknownField, "/Skip"},
		{`{"id":1}`, ErrType, "/id"},
		{`{"items":[{"name":"a","count":300}]}`, ErrNumberRange, "/items/count"},
		{`{"id":"x","id":"y"}`, ErrDuplicateKey, "/id"},
	}
	for _, tc := range tests {
		var v outer
		err := Decode([]byte(tc.in), &v, Limits{})
		var e *Error
		if !errors.Is(err, tc.want) || !errors.As(err, &e) || e.Pointer != tc.pointer {
			t.Errorf("Decode(%s) = %v, want %v at %q", tc.in, err, tc.want, tc.pointer)
		}
	}
	if err := Decode([]byte(`{}`), outer{}, Limits{}); !errors.Is(err, ErrType) {
		t.Errorf("Decode into a non-pointer = %v", err)
	}
}

func TestCanonicalizeOrdersByUTF16(t *testing.T) {
	// U+1F600 is a surrogate pair in UTF-16 (D83D DE00) and so sorts before
	// U+FB01 (FB01), although its UTF-8 bytes sort after.
	in := `{"\ufb01":1,"\ud83d\ude00":2,"a":3,"":4}`
	got, err := Canonicalize([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	want := "{\"\":4,\"a\":3,\"\U0001F600\":2,\"\uFB01\":1}"
	if string(got) != want {
		t.Fatalf("got %s want %s", got, want)
	}
}

func TestCanonicalizeStrings(t *testing.T) {
	in := `["\u0041\/\u001f\u007f\u2028\"\\\b\f\n\r\t", 1E2, -0.0, 1e21, 1e-7, 0.000001]`
	want := "[\"A/\\u001f\x7f\u2028\\\"\\\\\\b\\f\\n\\r\\t\",100,0,1e+21,1e-7,0.000001]"
	got, err := Canonicalize([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}

func TestMarshal(t *testing.T) {
	got, err := Marshal(map[string]any{"b": []int{3, 1}, "a": "<&>"})
	if err != nil {
		t.Fatal(err)
	}
	// encoding/json escapes <, > and & as \u003c...; the canonical form does not.
	if string(got) != `{"a":"<&>","b":[3,1]}` {
		t.Fatalf("got %s", got)
	}
}

func TestObjectArrayString(t *testing.T) {
	var keys []string
	err := Object([]byte(` {"b":[1,{"x":2}],"a":"\u00e9"} `), Limits{}, func(k, raw []byte) error {
		keys = append(keys, string(k)+"="+string(raw))
		return nil
	})
	if err != nil || len(keys) != 2 || keys[0] != `b=[1,{"x":2}]` || keys[1] != `a="\u00e9"` {
		t.Fatalf("Object: %v %q", err, keys)
	}
	if err := Object([]byte(`[1]`), Limits{}, nil); !errors.Is(err, ErrType) {
		t.Fatalf("Object on array: %v", err)
	}
	if err := Object([]byte(`{"a":1,"a":2}`), Limits{}, func(k, raw []byte) error { return nil }); !errors.Is(err, ErrDuplicateKey) {
		t.Fatalf("Object duplicate: %v", err)
	}
	var n int
	if err := Array([]byte(`[{"a":1},"s",[2]]`), Limits{}, func(i int, raw []byte) error { n++; return nil }); err != nil || n != 3 {
		t.Fatalf("Array: %v %d", err, n)
	}
	if s, err := String([]byte(`"\u00e9\n"`)); err != nil || s != "é\n" {
		t.Fatalf("String: %q %v", s, err)
	}
	for _, bad := range []string{`1`, `"a"x`, `"\ud800"`, `"`} {
		if _, err := String([]byte(bad)); err == nil {
			t.Errorf("String(%s) accepted", bad)
		}
	}
}

func TestUnquote(t *testing.T) {
	for raw, want := range map[string]string{`"abc"`: "abc", "\"a\\nb\"": "a\nb", `""`: ""} {
		if got, err := Unquote([]byte(raw)); err != nil || got != want {
			t.Errorf("Unquote(%s) = %q, %v", raw, got, err)
		}
	}
	if _, err := Unquote([]byte(`12`)); err == nil {
		t.Error("Unquote accepted a number")
	}
}

// The fast walks do not track paths; a refusal is located by a second read.
func TestObjectErrorsNamePointers(t *testing.T) {
	err := Object([]byte(`{"a":[{"b":1},{"c":{"d":1,"d":2}}]}`), Limits{}, func(k, raw []byte) error { return nil })
	var e *Error
	if !errors.As(err, &e) || e.Err != ErrDuplicateKey || e.Pointer != "/a/1/c/d" {
		t.Fatalf("Object: %v", err)
	}
	err = Array([]byte(`[1,{"x":"\ud800"}]`), Limits{}, func(int, []byte) error { return nil })
	if !errors.As(err, &e) || e.Err != ErrLoneSurrogate || e.Pointer != "/1/x" {
		t.Fatalf("Array: %v", err)
	}
	// An error from the callback is returned as it is.
	sentinel := errors.New("stop")
	if err := Object([]byte(`{"a":1}`), Limits{}, func(k, raw []byte) error { return sentinel }); err != sentinel {
		t.Fatalf("callback error: %v", err)
	}
}

// plain8 must agree with a byte-by-byte test on every byte value in every
// position.
func TestPlain8(t *testing.T) {
	plain := func(c byte) bool { return c >= 0x20 && c < 0x80 && c != '"' && c != '\\' }
	for pos := range 8 {
		for c := range 256 {
			var b [8]byte
			for i := range b {
				b[i] = 'a'
			}
			b[pos] = byte(c)
			w := uint64(0)
			for i := 7; i >= 0; i-- {
				w = w<<8 | uint64(b[i])
			}
			if got := plain8(w); got != plain(byte(c)) {
				t.Fatalf("byte %#x at %d: plain8 = %v", c, pos, got)
			}
		}
	}
}

// Object refuses a duplicate before its callback sees the second member,
// by pairwise comparison for small objects and a map for large ones, and
// compares keys as decoded ("a" and "\u0061" are the same key).
func TestObjectDuplicatesBeforeCallback(t *testing.T) {
	for _, n := range []int{2, smallObject, smallObject + 1, 100} {
		var b strings.Builder
		b.WriteString("{")
		for i := range n {
			fmt.Fprintf(&b, `"k%d":%d,`, i, i)
		}
		b.WriteString(`"k\u0030":0}`)
		seen := 0
		err := Object([]byte(b.String()), Limits{}, func(k, raw []byte) error { seen++; return nil })
		var e *Error
		if !errors.As(err, &e) || e.Err != ErrDuplicateKey || e.Pointer != "/k0" || seen != n {
			t.Errorf("%d keys: err %v, callback saw %d members", n, err, seen)
		}
	}
	if err := Object([]byte(`{"a":1} x`), Limits{}, func(k, raw []byte) error { return nil }); !errors.Is(err, ErrTrailingData) {
		t.Errorf("trailing data: %v", err)
	}
	inner := &Error{Err: ErrType, Pointer: "/inner"}
	if err := Array([]byte(`[1]`), Limits{}, func(int, []byte) error { return inner }); err != inner {
		t.Errorf("callback's *Error replaced: %v", err)
	}
}

// A walk with a capturing callback allocates nothing: the callback is
// called, never stored, so it stays on the caller's stack.
func TestWalkDoesNotAllocate(t *testing.T) {
	data := []byte(`{"a":"x","b":[1,2,{"c":true}],"d":null}`)
	var n int
	allocs := testing.AllocsPerRun(100, func() {
		_ = Object(data, Limits{}, func(k, raw []byte) error { n += len(k) + len(raw); return nil })
	})
	if allocs != 0 {
		t.Errorf("Object allocates %v times per walk", allocs)
	}
}

// TestPlain8Mixed checks plain8 on words mixing several kinds of bytes,
// where borrows between bytes could confuse a word-at-a-time test.
func TestPlain8Mixed(t *testing.T) {
	alphabet := []byte{0x00, 0x01, 0x1f, 0x20, 0x21, 0x22, 0x23, 0x5b, 0x5c, 0x5d, 0x7f, 0x80, 0x81, 0xa2, 0xdc, 0xff, 'a', 'z'}
	plain := func(c byte) bool { return c >= 0x20 && c < 0x80 && c != '"' && c != '\\' }
	rng := rand.New(rand.NewPCG(1, 2))
	for range 1_000_000 {
		var w uint64
		want := true
		for i := range 8 {
			c := alphabet[rng.IntN(len(alphabet))]
			w |= uint64(c) << (8 * i)
			want = want && plain(c)
		}
		if got := plain8(w); got != want {
			t.Fatalf("plain8(%#016x) = %v, want %v", w, got, want)
		}
	}
}

// TestUnquoteKnown: a known value comes back as the held string, without
// allocating; an escaped spelling of it, or an unknown value, is decoded.
func TestUnquoteKnown(t *testing.T) {
	held := strings.Repeat("x", 3) + "-type"
	known := map[string]string{"xxx-type": held}
	s, err := UnquoteKnown([]byte(`"xxx-type"`), known)
	if err != nil || s != held || unsafe.StringData(s) != unsafe.StringData(held) {
		t.Fatalf("known value: %q %v", s, err)
	}
	if n := testing.AllocsPerRun(100, func() { _, _ = UnquoteKnown([]byte(`"xxx-type"`), known) }); n != 0 {
		t.Errorf("known value allocates %v times", n)
	}
	if s, err := UnquoteKnown([]byte(`"xxx\u002dtype"`), known); err != nil || s != "xxx-type" {
		t.Errorf("escaped: %q %v", s, err)
	}
	if s, err := UnquoteKnown([]byte(`"other"`), known); err != nil || s != "other" {
		t.Errorf("unknown: %q %v", s, err)
	}
	if _, err := UnquoteKnown([]byte(`12`), known); err == nil {
		t.Error("a number accepted")
	}
}

// TestAstralKeys: names beyond the BMP share their first UTF-16 code unit
// (U+10000 and U+10001 are D800 DC00 and D800 DC01), so an order that
// looks only at the first unit calls them equal: duplicates then escape
// detection and the canonical order depends on input order.
func TestAstralKeys(t *testing.T) {
	refused := []struct {
		in     string
		offset int64
	}{
		{`{"𐀀":1,"𐀁":2,"𐀀":3}`, 19},
		{`{"𐀀":1,"\ud800\udc01":2,"\ud800\udc00":3}`, 27},
		{`{"a𐀁":1,"a𐀀":2,"a\ud800\udc01":3}`, 21},
	}
	for _, tc := range refused {
		for _, run := range []func([]byte) error{
			func(b []byte) error { return Check(b, Limits{}) },
			func(b []byte) error { _, err := Canonicalize(b); return err },
			func(b []byte) error { var m map[string]int; return Decode(b, &m, Limits{}) },
		} {
			err := run([]byte(tc.in))
			var e *Error
			if !errors.Is(err, ErrDuplicateKey) || !errors.As(err, &e) || e.Offset != tc.offset {
				t.Errorf("%s: %v, want a duplicate at offset %d", tc.in, err, tc.offset)
			}
		}
	}
	order := []struct{ in, want string }{
		{`{"𐀁":1,"𐀀":2}`, `{"𐀀":2,"𐀁":1}`},
		{`{"\ud83d\ude01":1,"\ud83d\ude00":2,"\ud800\udc00":3}`, `{"𐀀":3,"😀":2,"😁":1}`},
		// A supplementary character sorts before U+E000..U+FFFF and after
		// the rest of the BMP.
		{`{"\uffff":1,"𐀀":2,"\ud7ff":3}`, "{\"\ud7ff\":3,\"𐀀\":2,\"\uffff\":1}"},
	}
	for _, tc := range order {
		got, err := Canonicalize([]byte(tc.in))
		if err != nil || string(got) != tc.want {
			t.Errorf("Canonicalize(%s) = %s, %v; want %s", tc.in, got, err, tc.want)
		}
	}
}

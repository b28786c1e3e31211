package canonjson

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
)

// Default limits, used where a Limits field is zero.
const (
	DefaultMaxBytes = 1 << 20
	DefaultMaxDepth = 64
)

// Limits bound what Check and Decode accept. A zero field takes its default;
// a negative MaxBytes means no size limit.
type Limits struct {
	MaxBytes int
	MaxDepth int
}

func (l Limits) norm() Limits {
	if l.MaxBytes == 0 {
		l.MaxBytes = DefaultMaxBytes
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = DefaultMaxDepth
	}
	return l
}

func newParser(data []byte, lim Limits) (*parser, error) {
	if err := checkSize(data, lim); err != nil {
		return nil, err
	}
	return &parser{data: data, maxDepth: lim.norm().MaxDepth, track: true}, nil
}

func checkSize(data []byte, lim Limits) error {
	lim = lim.norm()
	if lim.MaxBytes > 0 && len(data) > lim.MaxBytes {
		return &Error{Err: ErrTooLarge, Offset: int64(lim.MaxBytes),
			Detail: quoteDetail("(%d bytes, limit %d)", len(data), lim.MaxBytes)}
	}
	return nil
}

// Check reports whether data is exactly one strictly valid JSON value: well
// formed, valid UTF-8 with no lone surrogate escapes, no duplicate object
// keys at any depth, every number representable as a float64, nesting and
// size within lim, and nothing but whitespace after the value.
func Check(data []byte, lim Limits) error {
	p, err := untracked(data, lim)
	if err != nil {
		return err
	}
	return p.document(nil)
}

// untracked returns a reader for data within lim that keeps no JSON
// pointer on the way; a refusal is located afterwards (parser.locate).
func untracked(data []byte, lim Limits) (parser, error) {
	if err := checkSize(data, lim); err != nil {
		return parser{}, err
	}
	return parser{data: data, maxDepth: lim.norm().MaxDepth}, nil
}

// Canonicalize returns the RFC 8785 (JCS) canonical form of the JSON text in
// data, after checking it as Check does with no size limit and the default
// depth limit.
func Canonicalize(data []byte) ([]byte, error) {
	return AppendCanonical(make([]byte, 0, len(data)), data)
}

// AppendCanonical appends the canonical form of data to dst.
func AppendCanonical(dst, data []byte) ([]byte, error) {
	p, _ := newParser(data, Limits{MaxBytes: -1})
	p.emit = true
	p.out = dst
	if err := p.document(nil); err != nil {
		return dst, err
	}
	return p.out, nil
}

// Marshal encodes v with encoding/json and returns its canonical form.
// Values must be representable in JSON (no NaN or infinities).
func Marshal(v any) ([]byte, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return Canonicalize(raw)
}

// Decode checks data as Check does, then decodes it into v, which must be a
// non-nil pointer. Object keys must match the target struct's JSON field
// names exactly: an unknown key, or one that differs only in case (which
// encoding/json would accept), is refused with ErrUnknownField. A value of
// the wrong type, or a number that does not fit its field, is refused with
// ErrType or ErrNumberRange naming the field's JSON pointer.
func Decode(data []byte, v any, lim Limits) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return &Error{Err: ErrType, Detail: "(Decode needs a non-nil pointer)"}
	}
	p, err := newParser(data, lim)
	if err != nil {
		return err
	}
	if err := p.document(rv.Type().Elem()); err != nil {
		return err
	}
	if err := json.Unmarshal(data, v); err != nil {
		return translate(err)
	}
	return nil
}

// translate turns encoding/json's errors into *Error. Syntax problems were
// already caught by the parser, so these are type mismatches.
func translate(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		ptr := ""
		if te.Field != "" {
			parts := strings.Split(te.Field, ".")
			for i, s := range parts {
				parts[i] = EscapePointerToken(s)
			}
			ptr = "/" + strings.Join(parts, "/")
		}
		sentinel := ErrType
		if strings.HasPrefix(te.Value, "number") && te.Type != nil && isNumeric(te.Type.Kind()) {
			sentinel = ErrNumberRange
		}
		return &Error{Err: sentinel, Offset: te.Offset, Pointer: ptr,
			Detail: quoteDetail("(JSON %s cannot be stored in Go %s)", te.Value, te.Type)}
	}
	return &Error{Err: ErrType, Detail: "(" + err.Error() + ")"}
}

var unmarshalerType = reflect.TypeFor[json.Unmarshaler]()

// customDecoder reports whether values of t decode themselves, in which case
// their keys are theirs to check.
func customDecoder(t reflect.Type) bool {
	return t.Implements(unmarshalerType) || reflect.PointerTo(t).Implements(unmarshalerType)
}

// structFields returns the exact JSON names of t's fields when t (through
// pointers) is a struct that does not decode itself.
func (p *parser) structFields(t reflect.Type) (map[string]reflect.Type, bool) {
	if t == nil {
		return nil, false
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || customDecoder(t) {
		return nil, false
	}
	if f, ok := p.fields[t]; ok {
		return f, true
	}
	if p.fields == nil {
		p.fields = map[reflect.Type]map[string]reflect.Type{}
	}
	f := map[string]reflect.Type{}
	collectFields(t, f, 0)
	p.fields[t] = f
	return f, true
}

func collectFields(t reflect.Type, into map[string]reflect.Type, depth int) {
	if depth > 8 {
		return
	}
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		tag := sf.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if sf.Anonymous && name == "" {
			et := sf.Type
			if et.Kind() == reflect.Pointer {
				et = et.Elem()
			}
			if et.Kind() == reflect.Struct {
				collectFields(et, into, depth+1)
				continue
			}
		}
		if !sf.IsExported() {
			continue
		}
		if name == "" {
			name = sf.Name
		}
		if _, seen := into[name]; !seen || depth == 0 {
			into[name] = sf.Type
		}
	}
}

func isNumeric(k reflect.Kind) bool {
	return k >= reflect.Int && k <= reflect.Float64
}

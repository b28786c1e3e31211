package canonjson

import (
	"bytes"
	"encoding/binary"
	"reflect"
	"slices"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// parser is a single-pass strict JSON reader. It always validates; when emit
// is set it also writes the RFC 8785 form of what it read to out, and when a
// target type is given it checks object keys against that type's fields.
type parser struct {
	data     []byte
	pos      int
	maxDepth int
	depth    int
	path     []segment
	emit     bool
	out      []byte
	fields   map[reflect.Type]map[string]reflect.Type
	reorder  []byte
	fieldErr *Error // first unknown-field error; syntax errors still win
	// fromCallback marks an error as a walk callback's own, not a refusal
	// to be located again.
	fromCallback bool
	// track keeps the JSON Pointer path as the reader descends. The fast
	// walks leave it off and, on a refusal, read the input again with it on
	// to name where (errors are rare; paths on every member are not free).
	track bool
}

type member struct {
	key   []byte
	start int // offset in out of the member's canonical bytes
	end   int
	off   int // offset of the key in the input
}

func (p *parser) fail(err error, off int, detail string) *Error {
	return &Error{Err: err, Offset: int64(off), Pointer: renderPointer(p.path), Detail: detail}
}

func (p *parser) skipWS() {
	for p.pos < len(p.data) {
		switch p.data[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

// document reads exactly one JSON value surrounded by optional whitespace.
// Without path tracking, a refusal is located by a second, tracking read.
func (p *parser) document(t reflect.Type) error {
	return p.locate(p.documentOnce(t), t)
}

// locate turns a refusal by an untracked read into one that names its JSON
// pointer, by reading the input again with tracking on (t as before). An
// error that is not the reader's own (a walk callback's) is returned as it
// is.
func (p *parser) locate(err error, t reflect.Type) error {
	perr, ok := err.(*Error)
	if !ok || p.track || p.fromCallback {
		return err
	}
	again := parser{data: p.data, maxDepth: p.maxDepth, track: true}
	if aerr, ok := again.documentOnce(t).(*Error); ok && aerr.Err == perr.Err && aerr.Offset == perr.Offset {
		return aerr
	}
	return err
}

func (p *parser) documentOnce(t reflect.Type) error {
	p.skipWS()
	if err := p.value(t); err != nil {
		return err
	}
	p.skipWS()
	if p.pos != len(p.data) {
		return p.fail(ErrTrailingData, p.pos, "")
	}
	if p.fieldErr != nil {
		return p.fieldErr
	}
	return nil
}

func (p *parser) value(t reflect.Type) error {
	if p.pos >= len(p.data) {
		return p.fail(ErrSyntax, p.pos, "(unexpected end of input)")
	}
	switch c := p.data[p.pos]; {
	case c == '{':
		return p.object(t)
	case c == '[':
		return p.array(t)
	case c == '"':
		start := p.pos
		s, err := p.str()
		if err != nil {
			return err
		}
		if p.emit {
			if p.plain(start, p.pos) {
				p.out = append(p.out, p.data[start:p.pos]...)
			} else {
				p.out = appendString(p.out, s)
			}
		}
		return nil
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number()
	case c == 't':
		return p.literal("true")
	case c == 'f':
		return p.literal("false")
	case c == 'n':
		return p.literal("null")
	default:
		return p.fail(ErrSyntax, p.pos, quoteDetail("(unexpected character %q)", rune(c)))
	}
}

func (p *parser) literal(lit string) error {
	if !bytes.HasPrefix(p.data[p.pos:], []byte(lit)) {
		return p.fail(ErrSyntax, p.pos, "(invalid literal)")
	}
	p.pos += len(lit)
	if p.emit {
		p.out = append(p.out, lit...)
	}
	return nil
}

func (p *parser) enter() error {
	p.depth++
	if p.depth > p.maxDepth {
		return p.fail(ErrTooDeep, p.pos, quoteDetail("(more than %d levels)", p.maxDepth))
	}
	return nil
}

func (p *parser) object(t reflect.Type) error {
	if err := p.enter(); err != nil {
		return err
	}
	fields, checked := p.structFields(t)
	p.pos++ // '{'
	start := len(p.out)
	var stack [16]member
	members := stack[:0]
	p.skipWS()
	if p.pos < len(p.data) && p.data[p.pos] == '}' {
		p.pos++
		p.depth--
		if p.emit {
			p.out = append(p.out, '{', '}')
		}
		return nil
	}
	for {
		keyOff, key, err := p.memberKey()
		if err != nil {
			return err
		}
		keyEnd := p.pos
		if err := p.colon(); err != nil {
			return err
		}
		if p.track {
			p.path = append(p.path, segment{key: key, isKey: true})
		}
		var ft reflect.Type
		if checked {
			var ok bool
			ft, ok = fields[string(key)]
			if !ok && p.fieldErr == nil {
				p.fieldErr = p.unknownField(keyOff, key, fields)
			}
		} else if t != nil && t.Kind() == reflect.Map {
			ft = t.Elem()
		}
		mstart := len(p.out)
		if p.emit {
			if p.plain(keyOff, keyEnd) {
				p.out = append(p.out, p.data[keyOff:keyEnd]...)
			} else {
				p.out = appendString(p.out, key)
			}
			p.out = append(p.out, ':')
		}
		if err := p.value(ft); err != nil {
			return err
		}
		if p.track {
			p.path = p.path[:len(p.path)-1]
		}
		members = append(members, member{key: key, start: mstart, end: len(p.out), off: keyOff})
		more, err := p.next('}', "object")
		if err != nil {
			return err
		}
		if !more {
			break
		}
	}
	p.depth--
	if len(members) > 1 {
		if !slices.IsSortedFunc(members, cmpMember) {
			slices.SortStableFunc(members, cmpMember)
		}
		for i := 1; i < len(members); i++ {
			if bytes.Equal(members[i-1].key, members[i].key) {
				dup := members[i]
				if members[i-1].off > dup.off {
					dup = members[i-1]
				}
				p.path = append(p.path, segment{key: dup.key, isKey: true})
				err := p.fail(ErrDuplicateKey, dup.off, quoteDetail("%q", dup.key))
				p.path = p.path[:len(p.path)-1]
				return err
			}
		}
	}
	if p.emit {
		p.reorder = append(p.reorder[:0], p.out[start:]...)
		p.out = append(p.out[:start], '{')
		for i, m := range members {
			if i > 0 {
				p.out = append(p.out, ',')
			}
			p.out = append(p.out, p.reorder[m.start-start:m.end-start]...)
		}
		p.out = append(p.out, '}')
	}
	return nil
}

// unknownField refuses key, which names no field of the struct being
// decoded: as a case variant when it folds to a field's name, since
// encoding/json, which Decode hands the document to, would store it in
// that field.
func (p *parser) unknownField(off int, key []byte, fields map[string]reflect.Type) *Error {
	var names []string
	for name := range fields {
		if foldEqual(key, name) {
			names = append(names, name)
		}
	}
	if len(names) == 0 {
		return p.fail(ErrUnknownField, off, quoteDetail("%q", key))
	}
	slices.Sort(names) // one answer however the map iterates
	return p.fail(ErrCaseVariant, off, quoteDetail("(%q is not %q)", key, names[0]))
}

func cmpMember(a, b member) int { return compareUTF16(a.key, b.key) }

// compareUTF16 orders two UTF-8 strings by their UTF-16 code units, as RFC
// 8785 requires. It differs from byte order only when a supplementary
// character (a surrogate pair in UTF-16) meets a character in U+E000–U+FFFF.
func compareUTF16(a, b []byte) int {
	n := min(len(a), len(b))
	i := 0
	for i < n && a[i] == b[i] {
		i++
	}
	if i == n {
		return len(a) - len(b)
	}
	if a[i] < utf8.RuneSelf && b[i] < utf8.RuneSelf {
		return int(a[i]) - int(b[i])
	}
	// Back up to the start of the rune that differs.
	for i > 0 && !utf8.RuneStart(a[i]) {
		i--
	}
	ra, _ := utf8.DecodeRune(a[i:])
	rb, _ := utf8.DecodeRune(b[i:])
	// The runes differ. Two supplementary characters differ in their
	// surrogate pairs as they do in value (the encoding is monotonic), but
	// often not in the first unit alone; one supplementary character
	// against a BMP one is decided by its high surrogate, which no BMP
	// character in valid UTF-8 equals.
	if ra >= 0x10000 && rb >= 0x10000 {
		return int(ra) - int(rb)
	}
	return int(utf16First(ra)) - int(utf16First(rb))
}

// utf16First maps a rune to the first UTF-16 code unit that encodes it.
func utf16First(r rune) rune {
	if r >= 0x10000 {
		hi, _ := utf16.EncodeRune(r)
		return hi
	}
	return r
}

func (p *parser) array(t reflect.Type) error {
	if err := p.enter(); err != nil {
		return err
	}
	var et reflect.Type
	if t != nil {
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		if (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) && !customDecoder(t) {
			et = t.Elem()
		}
	}
	p.pos++ // '['
	if p.emit {
		p.out = append(p.out, '[')
	}
	p.skipWS()
	if p.pos < len(p.data) && p.data[p.pos] == ']' {
		p.pos++
		p.depth--
		if p.emit {
			p.out = append(p.out, ']')
		}
		return nil
	}
	for i := 0; ; i++ {
		p.skipWS()
		if p.track {
			p.path = append(p.path, segment{index: i})
		}
		if err := p.value(et); err != nil {
			return err
		}
		if p.track {
			p.path = p.path[:len(p.path)-1]
		}
		p.skipWS()
		if p.pos >= len(p.data) {
			return p.fail(ErrSyntax, p.pos, "(unterminated array)")
		}
		if p.data[p.pos] == ',' {
			p.pos++
			if p.emit {
				p.out = append(p.out, ',')
			}
			continue
		}
		if p.data[p.pos] == ']' {
			p.pos++
			break
		}
		return p.fail(ErrSyntax, p.pos, "(expected ',' or ']' in array)")
	}
	p.depth--
	if p.emit {
		p.out = append(p.out, ']')
	}
	return nil
}

func (p *parser) number() error {
	start := p.pos
	d := p.data
	i := p.pos
	if d[i] == '-' {
		i++
	}
	if i >= len(d) {
		return p.fail(ErrSyntax, i, "(incomplete number)")
	}
	switch {
	case d[i] == '0':
		i++
	case d[i] >= '1' && d[i] <= '9':
		for i < len(d) && d[i] >= '0' && d[i] <= '9' {
			i++
		}
	default:
		return p.fail(ErrSyntax, i, "(invalid number)")
	}
	integer := true
	if i < len(d) && d[i] == '.' {
		integer = false
		i++
		j := i
		for i < len(d) && d[i] >= '0' && d[i] <= '9' {
			i++
		}
		if i == j {
			return p.fail(ErrSyntax, i, "(digit expected after decimal point)")
		}
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		integer = false
		i++
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		j := i
		for i < len(d) && d[i] >= '0' && d[i] <= '9' {
			i++
		}
		if i == j {
			return p.fail(ErrSyntax, i, "(digit expected in exponent)")
		}
	}
	p.pos = i
	lit := d[start:i]
	// Small integers are already in canonical form; skip the float round trip.
	if integer && len(lit) <= 15 && !(len(lit) == 2 && lit[0] == '-' && lit[1] == '0') {
		if p.emit {
			p.out = append(p.out, lit...)
		}
		return nil
	}
	f, err := strconv.ParseFloat(string(lit), 64)
	if err != nil {
		return p.fail(ErrNumberRange, start, quoteDetail("(%s does not fit a 64-bit float)", lit))
	}
	if p.emit {
		p.out = AppendNumber(p.out, f)
	}
	return nil
}

// plain reports whether the string token data[off:end] (quotes included)
// is already in canonical form, so it can be copied as it is.
func (p *parser) plain(off, end int) bool {
	for _, c := range p.data[off+1 : end-1] {
		if c == '\\' || c < 0x20 {
			return false
		}
	}
	return true
}

// str reads a string token at p.pos and returns its unescaped bytes. The
// result aliases the input when the token holds no escapes.
func (p *parser) str() ([]byte, error) {
	d := p.data
	p.pos++ // opening quote
	start := p.pos
	i := start
	for i < len(d) {
		// Skip eight plain ASCII bytes at a time: none a quote, a
		// backslash, a control character or a non-ASCII byte.
		for i+16 <= len(d) && plain8(binary.LittleEndian.Uint64(d[i:])) && plain8(binary.LittleEndian.Uint64(d[i+8:])) {
			i += 16
		}
		for i+8 <= len(d) && plain8(binary.LittleEndian.Uint64(d[i:])) {
			i += 8
		}
		if i >= len(d) {
			break
		}
		c := d[i]
		if c == '"' {
			p.pos = i + 1
			return d[start:i], nil
		}
		if c == '\\' {
			break
		}
		if c < 0x20 {
			return nil, p.fail(ErrSyntax, i, "(control character in string)")
		}
		if c < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRune(d[i:])
		if r == utf8.RuneError && size == 1 {
			return nil, p.fail(ErrInvalidUTF8, i, "")
		}
		i += size
	}
	if i >= len(d) {
		return nil, p.fail(ErrSyntax, i, "(unterminated string)")
	}
	// Slow path: the string holds escapes.
	buf := make([]byte, 0, i-start+16)
	buf = append(buf, d[start:i]...)
	for i < len(d) {
		c := d[i]
		switch {
		case c == '"':
			p.pos = i + 1
			return buf, nil
		case c == '\\':
			if i+1 >= len(d) {
				return nil, p.fail(ErrSyntax, i, "(unterminated escape)")
			}
			e := d[i+1]
			switch e {
			case '"', '\\', '/':
				buf = append(buf, e)
				i += 2
			case 'b':
				buf = append(buf, '\b')
				i += 2
			case 'f':
				buf = append(buf, '\f')
				i += 2
			case 'n':
				buf = append(buf, '\n')
				i += 2
			case 'r':
				buf = append(buf, '\r')
				i += 2
			case 't':
				buf = append(buf, '\t')
				i += 2
			case 'u':
				r, ok := hex4(d, i+2)
				if !ok {
					return nil, p.fail(ErrSyntax, i, "(invalid \\u escape)")
				}
				i += 6
				if utf16.IsSurrogate(r) {
					if r >= 0xDC00 {
						return nil, p.fail(ErrLoneSurrogate, i-6, quoteDetail("(\\u%04x)", r))
					}
					lo, ok := rune(0), false
					if i+1 < len(d) && d[i] == '\\' && d[i+1] == 'u' {
						lo, ok = hex4(d, i+2)
					}
					if !ok || lo < 0xDC00 || lo > 0xDFFF {
						return nil, p.fail(ErrLoneSurrogate, i-6, quoteDetail("(\\u%04x)", r))
					}
					r = utf16.DecodeRune(r, lo)
					i += 6
				}
				buf = utf8.AppendRune(buf, r)
			default:
				return nil, p.fail(ErrSyntax, i, quoteDetail("(invalid escape \\%c)", e))
			}
		case c < 0x20:
			return nil, p.fail(ErrSyntax, i, "(control character in string)")
		case c < utf8.RuneSelf:
			buf = append(buf, c)
			i++
		default:
			r, size := utf8.DecodeRune(d[i:])
			if r == utf8.RuneError && size == 1 {
				return nil, p.fail(ErrInvalidUTF8, i, "")
			}
			buf = append(buf, d[i:i+size]...)
			i += size
		}
	}
	return nil, p.fail(ErrSyntax, i, "(unterminated string)")
}

const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// plain8 reports whether none of the eight bytes in w needs attention in
// a string: no '"', no '\\', none below 0x20 and none at or above 0x80.
func plain8(w uint64) bool {
	// A byte at or above 0x80 sets its own high bit in w. When none does,
	// every byte of w, of w^'"' and of w^'\\' is below 0x80, so subtracting
	// 1 (or 0x20) sets a byte's high bit only when that byte is 0 (below
	// 0x20), or by a borrow from a lower byte that already was: exact as a
	// yes/no answer, with no masking per term.
	special := (w ^ (ones * '"') - ones) | (w ^ (ones * '\\') - ones) | (w - ones*0x20) | w
	return special&highs == 0
}

func hex4(d []byte, i int) (rune, bool) {
	if i+4 > len(d) {
		return 0, false
	}
	var r rune
	for _, c := range d[i : i+4] {
		r <<= 4
		switch {
		case c >= '0' && c <= '9':
			r |= rune(c - '0')
		case c >= 'a' && c <= 'f':
			r |= rune(c - 'a' + 10)
		case c >= 'A' && c <= 'F':
			r |= rune(c - 'A' + 10)
		default:
			return 0, false
		}
	}
	return r, true
}

// next reads what follows a member or element: ',' (more follow, true),
// the closing bracket (false), or anything else, refused.
func (p *parser) next(closing byte, what string) (bool, error) {
	p.skipWS()
	switch {
	case p.pos >= len(p.data):
		return false, p.fail(ErrSyntax, p.pos, "(unterminated "+what+")")
	case p.data[p.pos] == ',':
		p.pos++
		return true, nil
	case p.data[p.pos] == closing:
		p.pos++
		return false, nil
	}
	return false, p.fail(ErrSyntax, p.pos, "(expected ',' or '"+string(closing)+"' in "+what+")")
}

// memberKey reads an object member's key: its offset and unescaped bytes.
func (p *parser) memberKey() (int, []byte, error) {
	p.skipWS()
	if p.pos >= len(p.data) || p.data[p.pos] != '"' {
		return p.pos, nil, p.fail(ErrSyntax, p.pos, "(expected a string as object key)")
	}
	off := p.pos
	key, err := p.str()
	return off, key, err
}

// colon reads the ':' between a key and its value.
func (p *parser) colon() error {
	p.skipWS()
	if p.pos >= len(p.data) || p.data[p.pos] != ':' {
		return p.fail(ErrSyntax, p.pos, "(expected ':' after object key)")
	}
	p.pos++
	p.skipWS()
	return nil
}

package canonjson

import (
	"bytes"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Object checks data strictly, as Check does, requires it to be a JSON
// object, and calls fn with each member's name and the raw bytes of its
// value, in input order. Names are handed over unescaped ("valid\u0055ntil"
// arrives as validUntil), so a switch on them reads what any other JSON
// reader reads. Names are unique (duplicates, compared after unescaping,
// are refused before fn sees a second one). An error from fn stops the
// walk and is returned.
//
// A reader that picks out members by name and ignores the rest should use
// Members instead, so that a case variant of a name it reads is refused
// rather than ignored.
//
// The top level is walked here rather than by the recursive reader so that
// fn is only ever called, never stored: a closure passed as fn can then
// stay on its caller's stack.
func Object(data []byte, lim Limits, fn func(key, raw []byte) error) error {
	return Members(data, lim, nil, fn)
}

// Members is Object for a reader whose member names are known: a member
// whose name equals one of known under Unicode simple case folding (the
// matching encoding/json applies to struct fields) without being
// byte-equal to it is refused with ErrCaseVariant, at that member's
// pointer, before fn sees it. Where encoding/json would read
// {"PredicateType":...} as the predicateType a caller ignores as
// unknown, the two would read one signed document differently; refusing
// it keeps one reading.
func Members(data []byte, lim Limits, known []string, fn func(key, raw []byte) error) error {
	p, err := untracked(data, lim)
	if err != nil {
		return err
	}
	return p.locate(p.walkObject(known, fn), nil)
}

// caseVariant returns the name in known that key equals under case
// folding without being equal to it, if any.
func caseVariant(key []byte, known []string) (string, bool) {
	for _, name := range known {
		if string(key) == name {
			return "", false
		}
	}
	for _, name := range known {
		if foldEqual(key, name) {
			return name, true
		}
	}
	return "", false
}

// foldEqual reports whether key and name are equal under simple case
// folding, which is what encoding/json's field matching amounts to
// (bytes.EqualFold; "\u212a" is a K, "\u017f" an s).
func foldEqual(key []byte, name string) bool {
	if isASCII(key) && isASCII(name) {
		// An ASCII letter folds only to ASCII letters, so lengths match.
		if len(key) != len(name) {
			return false
		}
		for i, c := range key {
			if lowerASCII(c) != lowerASCII(name[i]) {
				return false
			}
		}
		return true
	}
	return strings.EqualFold(string(key), name)
}

func isASCII[S ~string | ~[]byte](s S) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// foldsToASCII holds the UTF-8 of every non-ASCII character that simple
// case folding maps to an ASCII letter (the Kelvin sign and the long s).
var foldsToASCII = func() [][]byte {
	var out [][]byte
	for c := rune('a'); c <= 'z'; c++ {
		for r := unicode.SimpleFold(c); r != c; r = unicode.SimpleFold(r) {
			if r >= utf8.RuneSelf {
				out = append(out, utf8.AppendRune(nil, r))
			}
		}
	}
	return out
}()

// MayHold reports whether data might hold a member whose name, unescaped,
// equals one of names under case folding. False is certain: no name
// occurs ignoring ASCII case, and data holds no escape and no character
// that folds to ASCII. It lets a reader skip a walk for documents that
// cannot hold what it looks for without missing a spelling another reader
// would accept. A name that is not ASCII always means maybe.
func MayHold(data []byte, names ...string) bool {
	if bytes.IndexByte(data, '\\') >= 0 {
		return true
	}
	for _, name := range names {
		if !isASCII(name) {
			return true
		}
	}
	for _, name := range names {
		if containsFoldASCII(data, name) {
			return true
		}
	}
	for _, seq := range foldsToASCII {
		if bytes.Contains(data, seq) {
			return true
		}
	}
	return false
}

func containsFoldASCII(data []byte, name string) bool {
	if name == "" {
		return true
	}
	lo, up := lowerASCII(name[0]), name[0]
	if 'a' <= lo && lo <= 'z' {
		up = lo - ('a' - 'A')
	}
	for i := 0; i+len(name) <= len(data); {
		j := bytes.IndexByte(data[i:len(data)-len(name)+1], lo)
		if up != lo {
			if k := bytes.IndexByte(data[i:len(data)-len(name)+1], up); k >= 0 && (j < 0 || k < j) {
				j = k
			}
		}
		if j < 0 {
			return false
		}
		i += j
		if foldEqual(data[i:i+len(name)], name) {
			return true
		}
		i++
	}
	return false
}

// Array is Object for a JSON array: fn sees each element's raw bytes.
func Array(data []byte, lim Limits, fn func(i int, raw []byte) error) error {
	p, err := untracked(data, lim)
	if err != nil {
		return err
	}
	return p.locate(p.walkArray(fn), nil)
}

// open reads the top level's opening bracket; done is true when the walk
// is over, an empty object or array read to the end, or a refusal.
func (p *parser) open(opening, closing byte, what string) (done bool, err error) {
	p.skipWS()
	if p.pos >= len(p.data) || p.data[p.pos] != opening {
		return true, p.fail(ErrType, p.pos, "(want a JSON "+what+")")
	}
	if err := p.enter(); err != nil {
		return true, err
	}
	p.pos++
	p.skipWS()
	if p.pos < len(p.data) && p.data[p.pos] == closing {
		p.pos++
		return true, p.end()
	}
	return false, nil
}

// smallObject is how many keys are compared pairwise for duplicates before
// a map takes over.
const smallObject = 16

func (p *parser) walkObject(known []string, fn func(key, raw []byte) error) error {
	if done, err := p.open('{', '}', "object"); done {
		return err
	}
	var stack [smallObject][]byte
	keys := stack[:0]
	var seen map[string]struct{}
	for {
		keyOff, key, err := p.memberKey()
		if err != nil {
			return err
		}
		dup := false
		if seen == nil {
			for _, k := range keys {
				if bytes.Equal(k, key) {
					dup = true
					break
				}
			}
			if keys = append(keys, key); len(keys) > smallObject {
				seen = make(map[string]struct{}, 2*smallObject)
				for _, k := range keys {
					seen[string(k)] = struct{}{}
				}
			}
		} else {
			_, dup = seen[string(key)]
			seen[string(key)] = struct{}{}
		}
		if dup {
			return p.fail(ErrDuplicateKey, keyOff, quoteDetail("%q", key))
		}
		if name, ok := caseVariant(key, known); ok {
			// The general reader knows no names, so locate could not
			// find this refusal: it is placed here, one level down.
			return &Error{Err: ErrCaseVariant, Offset: int64(keyOff), Pointer: "/" + EscapePointerToken(string(key)),
				Detail: quoteDetail("(%q is not %q)", key, name)}
		}
		if err := p.colon(); err != nil {
			return err
		}
		vstart := p.pos
		if err := p.value(nil); err != nil {
			return err
		}
		if err := fn(key, p.data[vstart:p.pos]); err != nil {
			p.fromCallback = true
			return err
		}
		more, err := p.next('}', "object")
		if err != nil {
			return err
		}
		if !more {
			return p.end()
		}
	}
}

func (p *parser) walkArray(fn func(i int, raw []byte) error) error {
	if done, err := p.open('[', ']', "array"); done {
		return err
	}
	for i := 0; ; i++ {
		p.skipWS()
		vstart := p.pos
		if err := p.value(nil); err != nil {
			return err
		}
		if err := fn(i, p.data[vstart:p.pos]); err != nil {
			p.fromCallback = true
			return err
		}
		more, err := p.next(']', "array")
		if err != nil {
			return err
		}
		if !more {
			return p.end()
		}
	}
}

// end finishes a top-level walk: nothing but whitespace may follow.
func (p *parser) end() error {
	p.depth--
	p.skipWS()
	if p.pos != len(p.data) {
		return p.fail(ErrTrailingData, p.pos, "")
	}
	return nil
}

// String decodes raw, which must be exactly one JSON string token (as
// Object and Array hand out), into a Go string.
func String(raw []byte) (string, error) {
	p := &parser{data: raw, maxDepth: 1}
	if len(raw) == 0 || raw[0] != '"' {
		return "", p.fail(ErrType, 0, "(want a JSON string)")
	}
	s, err := p.str()
	if err != nil {
		return "", err
	}
	if p.pos != len(raw) {
		return "", p.fail(ErrTrailingData, p.pos, "")
	}
	return string(s), nil
}

// Unquote decodes raw, a JSON string token that Object or Array handed out
// (and so already checked), without checking it again: a token with no
// escapes is sliced, one with escapes is decoded by String.
func Unquote(raw []byte) (string, error) {
	if len(raw) >= 2 && raw[0] == '"' && raw[len(raw)-1] == '"' && bytes.IndexByte(raw, '\\') < 0 {
		return string(raw[1 : len(raw)-1]), nil
	}
	return String(raw)
}

// UnquoteKnown is Unquote that returns the string already held in known
// when the token, unescaped, is one of its keys: no allocation for values
// a caller sees again and again (type URIs, key ids).
func UnquoteKnown(raw []byte, known map[string]string) (string, error) {
	if n := len(raw); n >= 2 && raw[0] == '"' && raw[n-1] == '"' {
		if s, ok := known[string(raw[1:n-1])]; ok && bytes.IndexByte(raw, '\\') < 0 {
			return s, nil
		}
	}
	return Unquote(raw)
}

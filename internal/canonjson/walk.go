package canonjson

import "bytes"

// Object checks data strictly, as Check does, requires it to be a JSON
// object, and calls fn with each member's key and the raw bytes of its
// value, in input order. Keys are unique (duplicates are refused before fn
// sees a second one). It lets a parser pick out members by exact name
// without reflection; an error from fn stops the walk and is returned.
//
// The top level is walked here rather than by the recursive reader so that
// fn is only ever called, never stored: a closure passed as fn can then
// stay on its caller's stack.
func Object(data []byte, lim Limits, fn func(key, raw []byte) error) error {
	p, err := untracked(data, lim)
	if err != nil {
		return err
	}
	return p.locate(p.walkObject(fn), nil)
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

func (p *parser) walkObject(fn func(key, raw []byte) error) error {
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

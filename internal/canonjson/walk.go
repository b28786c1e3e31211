package canonjson

import "bytes"

// Object checks data strictly, as Check does, requires it to be a JSON
// object, and calls fn with each member's key and the raw bytes of its
// value, in input order. Keys are unique (duplicates are refused before fn
// sees a second one). It lets a parser pick out members by exact name
// without reflection; an error from fn stops the walk and is returned.
func Object(data []byte, lim Limits, fn func(key, raw []byte) error) error {
	if err := checkSize(data, lim); err != nil {
		return err
	}
	p := parser{data: data, maxDepth: lim.norm().MaxDepth}
	p.skipWS()
	if p.pos >= len(data) || data[p.pos] != '{' {
		return p.fail(ErrType, p.pos, "(want a JSON object)")
	}
	p.onMember = fn
	return p.document(nil)
}

// Array is Object for a JSON array: fn sees each element's raw bytes.
func Array(data []byte, lim Limits, fn func(i int, raw []byte) error) error {
	if err := checkSize(data, lim); err != nil {
		return err
	}
	p := parser{data: data, maxDepth: lim.norm().MaxDepth}
	p.skipWS()
	if p.pos >= len(data) || data[p.pos] != '[' {
		return p.fail(ErrType, p.pos, "(want a JSON array)")
	}
	p.onElement = fn
	return p.document(nil)
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

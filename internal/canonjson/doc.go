// Package canonjson reads JSON strictly and writes it canonically.
//
// Every parser in this module reads external JSON through Check or Decode.
// Signed data must mean one thing only, so the reader refuses what lenient
// decoders accept silently: duplicate object keys at any depth (compared
// after unescaping; encoding/json keeps the last one), data after the value,
// invalid UTF-8 and lone UTF-16 surrogates in \u escapes (which encoding/json
// replaces with U+FFFD), numbers that overflow a float64 or their target Go
// type, nesting deeper than a bound and input larger than a caller-set limit.
// Decode also refuses object keys that match no field of the target struct
// exactly: ErrCaseVariant for a key equal to a field's name under Unicode
// case folding (which encoding/json would store in that field), and
// ErrUnknownField for any other. Every refusal is an *Error carrying a
// sentinel for errors.Is, the byte offset and the JSON Pointer (RFC 6901)
// of the offending value.
//
// # One reading
//
// Whatever another JSON reader would read from a document this package
// accepts, a caller reads the same, or the document is refused. Member
// names are always compared after unescaping ("valid\u0055ntil" is
// validUntil), for duplicates and wherever a name is handed to a caller.
// Hand-written readers walk objects with Members, naming the members they
// read: a case variant of one of those names (PredicateType, "\u212aeyid"
// with a Kelvin sign), which encoding/json would read as the member and a
// reader matching exactly would ignore, is refused. MayHold lets such a
// reader skip documents that cannot hold a name in any spelling.
//
// Canonicalize writes the RFC 8785 JSON Canonicalization Scheme (JCS) form:
// no insignificant whitespace; object members sorted by the UTF-16 code
// units of their names (all of them: U+10000 and U+10001 share their first
// unit); strings with only '"', '\\' and control characters
// escaped (\b \t \n \f \r, others as lowercase \u00xx); numbers as
// ECMAScript formats them (the shortest round-tripping decimal, fixed
// notation within [1e-6, 1e21), exponential outside, "-0" as "0"). The
// output is a function of the JSON value alone, so hashing it identifies a
// document independent of its formatting.
//
// The reader is a single pass over the input that validates and, when
// canonicalising, writes at the same time; integers of up to 15 digits are
// copied without a float round trip since they are already canonical.
package canonjson

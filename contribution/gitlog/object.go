package gitlog

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Kind is the type of a git object this package reads.
type Kind string

// The object kinds that carry signatures.
const (
	KindCommit Kind = "commit"
	KindTag    Kind = "tag"
)

// Ident is an author, committer or tagger line: "Name <email> seconds zone".
type Ident struct {
	Name, Email string
	Time        time.Time // in UTC; the zone written is not kept
}

// Object is a commit or tag object split as git splits it to verify it:
// Payload is what was signed (the object without its signature), Signature
// the armored signature ("" when unsigned).
type Object struct {
	Kind      Kind
	ID        string // hex object id, when known
	Raw       []byte
	Payload   []byte
	Signature []byte

	// Commit fields.
	Tree      string
	Parents   []string
	Author    Ident
	Committer Ident
	// Tag fields.
	Target, TargetType, Tag string
	Tagger                  Ident

	Message []byte
}

// sigHeaders are the commit headers git treats as signatures: it takes
// the one for the repository's hash and drops the others from the payload
// (commit.c parse_buffer_signed_by_header).
var sigHeaders = []string{"gpgsig", "gpgsig-sha256"}

// ParseObject reads a raw commit or tag object (what `git cat-file commit
// ID` prints) for a SHA-1 repository. The signature is split off exactly as
// git does before it hands the rest to ssh-keygen: for a commit the
// "gpgsig" header with its continuation lines (each starting with a space),
// other signature headers dropped; for a tag the signature block from the
// last line that begins a signature. A commit with two gpgsig headers is
// refused: git would concatenate them and one verifier's reading is a
// guess.
func ParseObject(kind Kind, id string, raw []byte) (*Object, error) {
	o := &Object{Kind: kind, ID: id, Raw: raw}
	switch kind {
	case KindCommit:
		if err := o.splitCommit(); err != nil {
			return nil, err
		}
	case KindTag:
		o.splitTag()
	default:
		return nil, &Error{Commit: id, Err: ErrMalformed, Detail: fmt.Sprintf("object kind %q carries no signature", kind)}
	}
	if err := o.parseHeaders(); err != nil {
		return nil, err
	}
	return o, nil
}

func (o *Object) splitCommit() error {
	raw := o.Raw
	payload := make([]byte, 0, len(raw))
	var sig []byte
	inSig, other, seen := false, false, 0
	for line := 0; len(raw) > 0; line++ {
		n := bytes.IndexByte(raw, '\n') + 1
		if n == 0 {
			n = len(raw)
		}
		l := raw[:n]
		switch {
		case len(l) > 0 && l[0] == '\n':
			// The headers end at the first empty line; the message is payload.
			payload = append(payload, raw...)
			raw = nil
			continue
		case inSig && l[0] == ' ':
			sig = append(sig, l[1:]...)
		case bytes.HasPrefix(l, []byte(sigHeaders[0]+" ")):
			if seen++; seen > 1 {
				return &Error{Commit: o.ID, Line: line + 1, Err: ErrMalformed, Detail: "two gpgsig headers"}
			}
			sig = append(sig, l[len(sigHeaders[0])+1:]...)
			inSig, other = true, false
		case bytes.HasPrefix(l, []byte("gpgsig")):
			inSig, other = false, true
		case other && l[0] == ' ':
			// a continuation of a signature for another hash: dropped
		default:
			inSig, other = false, false
			payload = append(payload, l...)
		}
		raw = raw[n:]
	}
	o.Payload, o.Signature = payload, sig
	return nil
}

// sigBegin are the first lines of the signatures git recognises
// (gpg-interface.c); the last line of a tag starting with one of them
// starts its signature.
var sigBegin = []string{
	"-----BEGIN PGP SIGNATURE-----",
	"-----BEGIN PGP MESSAGE-----",
	"-----BEGIN SIGNED MESSAGE-----",
	"-----BEGIN SSH SIGNATURE-----",
}

func (o *Object) splitTag() {
	raw := o.Raw
	match := len(raw)
	for off := 0; off < len(raw); {
		for _, b := range sigBegin {
			if bytes.HasPrefix(raw[off:], []byte(b)) {
				match = off
			}
		}
		n := bytes.IndexByte(raw[off:], '\n')
		if n < 0 {
			break
		}
		off += n + 1
	}
	o.Payload, o.Signature = raw[:match], raw[match:]
}

func (o *Object) parseHeaders() error {
	p := o.Payload
	end := bytes.Index(p, []byte("\n\n"))
	if end < 0 {
		end = len(p)
		o.Message = nil
	} else {
		o.Message = p[end+2:]
	}
	for i, line := range strings.Split(string(p[:end]), "\n") {
		name, value, _ := strings.Cut(line, " ")
		if strings.HasPrefix(line, " ") {
			continue // a continuation line (mergetag and the like)
		}
		var err error
		switch name {
		case "tree":
			o.Tree = value
		case "parent":
			o.Parents = append(o.Parents, value)
		case "author":
			o.Author, err = parseIdent(value)
		case "committer":
			o.Committer, err = parseIdent(value)
		case "object":
			o.Target = value
		case "type":
			o.TargetType = value
		case "tag":
			o.Tag = value
		case "tagger":
			o.Tagger, err = parseIdent(value)
		}
		if err != nil {
			return &Error{Commit: o.ID, Line: i + 1, Err: ErrMalformed, Detail: fmt.Sprintf("%s: %v", name, err)}
		}
	}
	switch o.Kind {
	case KindCommit:
		if o.Tree == "" || o.Committer.Email == "" && o.Committer.Name == "" {
			return &Error{Commit: o.ID, Err: ErrMalformed, Detail: "commit without tree or committer"}
		}
	case KindTag:
		if o.Target == "" || o.Tag == "" {
			return &Error{Commit: o.ID, Err: ErrMalformed, Detail: "tag without object or tag name"}
		}
	}
	return nil
}

// SignedAt is the time git verifies the signature at: the committer's
// date for a commit, the tagger's for a tag (gpg-interface.c passes it to
// ssh-keygen as -Overify-time). It is zero when the object has none, and
// git then lets ssh-keygen use the current time; Verify needs a time then.
func (o *Object) SignedAt() time.Time {
	if o.Kind == KindTag {
		return o.Tagger.Time
	}
	return o.Committer.Time
}

// parseIdent reads "Name <email> 1700000000 +0100".
func parseIdent(v string) (Ident, error) {
	lt := strings.IndexByte(v, '<')
	gt := strings.LastIndexByte(v, '>')
	if lt < 0 || gt < lt {
		return Ident{}, fmt.Errorf("no <email> in %q", v)
	}
	id := Ident{Name: strings.TrimSpace(v[:lt]), Email: v[lt+1 : gt]}
	rest := strings.Fields(v[gt+1:])
	if len(rest) >= 1 {
		sec, err := strconv.ParseInt(rest[0], 10, 64)
		if err != nil {
			return Ident{}, fmt.Errorf("date %q is not seconds since the epoch", rest[0])
		}
		id.Time = time.Unix(sec, 0).UTC()
	}
	return id, nil
}

package gitlog

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/peerproduction/ppl/attest"
	"github.com/peerproduction/ppl/contribution"
	"github.com/peerproduction/ppl/internal/canonjson"
)

// RulesVersion is the only version of the rules document this package
// reads.
const RulesVersion = 1

// Rules say which commits of a repository count as contributions and what
// each is worth. They are data a commons publishes (in its manifest or a
// file it names) so that anyone with a clone can recount:
//
//	{
//	  "version": 1,
//	  "kind": "code",
//	  "refs": {"branches": ["main"], "tags": ["v*"], "tagSigners": ["release@example.org"]},
//	  "worth": {"per": "line", "quantity": "0.01", "cap": "5"},
//	  "weights": [{"path": "docs/**", "weight": "0.5"}, {"path": "vendor/**", "weight": "0"}],
//	  "countMerges": false,
//	  "excludeAuthors": ["*[bot]@users.noreply.github.com", "ci@*"],
//	  "coAuthors": "split",
//	  "unsigned": "exclude"
//	}
//
// refs: commits reachable from any listed branch (refs/heads/<name>), or
// from an annotated tag whose name matches a pattern and whose signature
// verifies as Good against the allowed_signers list, by a key whose line
// names one of tagSigners literally (a release tag signed by a
// maintainer: any contributor can sign a tag, and a tag decides what
// counts); at least one branch or tag pattern, and tagSigners whenever
// there are tag patterns.
//
// worth.per is "commit" (quantity per commit), "file" (per changed file,
// times the file's weight) or "line" (per line added or deleted, times the
// weight; a binary file counts as one line). quantity and cap are decimal
// strings with at most three decimals, as contribution quantities are;
// cap, when present and not "0", bounds what one commit is worth before
// it is split. The unit of the contributions is "commit", "file" or
// "line" unless worth.unit names another.
//
// weights: the first entry whose path glob matches a changed file gives
// its weight ("0.5" is ×0.5, "0" excludes the file); other files weigh 1.
// In a glob, * matches within one path segment, ** any number of whole
// segments, ? one byte other than /; nothing else is special.
//
// countMerges: merge commits (more than one parent) are excluded unless
// true; a merge's worth is per commit only, since git shows it no diff.
//
// excludeAuthors: patterns (* and ? only, as in OpenSSH) over the author's
// "Name <email>" (mailmapped); matching authors and co-authors count
// nothing.
//
// coAuthors: "split" divides a commit among its author and each distinct
// "Co-authored-by: Name <email>" trailer, ⌊q/k⌋ each and one thousandth
// more to the first q mod k, so the parts add up; "ignore" credits the
// author alone.
//
// unsigned: "exclude" counts only commits whose SSH signature verifies as
// Good and was made by their author (the signer is the committer, so the
// committer must be the author or the vouching principal the author's
// address); "steward" counts unsigned ones too, on the word of the steward
// who signs the statements. A commit whose signature fails (B) never
// counts.
type Rules struct {
	Version int    `json:"version"`
	Kind    string `json:"kind"`
	Refs    struct {
		Branches   []string `json:"branches"`
		Tags       []string `json:"tags"`
		TagSigners []string `json:"tagSigners"`
	} `json:"refs"`
	Worth struct {
		Per      string `json:"per"`
		Quantity string `json:"quantity"`
		Cap      string `json:"cap"`
		Unit     string `json:"unit"`
	} `json:"worth"`
	Weights []struct {
		Path   string `json:"path"`
		Weight string `json:"weight"`
	} `json:"weights"`
	CountMerges    bool     `json:"countMerges"`
	ExcludeAuthors []string `json:"excludeAuthors"`
	CoAuthors      string   `json:"coAuthors"`
	Unsigned       string   `json:"unsigned"`

	// Compiled by ParseRules.
	quantity, cap contribution.Quantity
	weights       []weight
	digest        string
}

type weight struct {
	glob []string // segments
	w    contribution.Quantity
}

// ErrRules marks a rules document that cannot be used; the *Error carries
// the JSON pointer of the offending value.
var ErrRules = errors.New("invalid contribution rules")

var (
	kindRE   = regexp.MustCompile(`^[a-z][a-z0-9-]{0,63}$`)
	branchRE = regexp.MustCompile(`^[A-Za-z0-9._/-]{1,255}$`)
)

// rulesLimits bounds a rules document: it is small, and read from
// repositories anyone may publish.
var rulesLimits = canonjson.Limits{MaxBytes: 64 << 10, MaxDepth: 8}

// ParseRules reads a rules document strictly (no duplicate or unknown
// members, no trailing data) and checks every value; a refusal is an
// *Error wrapping ErrRules with the JSON pointer of what is wrong.
func ParseRules(data []byte) (*Rules, error) {
	var r Rules
	if err := canonjson.Decode(data, &r, rulesLimits); err != nil {
		e := &Error{Err: ErrRules, Pointer: "/", Detail: err.Error()}
		var ce *canonjson.Error
		if errors.As(err, &ce) {
			e.Err = fmt.Errorf("%w: %w", ErrRules, ce.Err)
			if ce.Pointer != "" {
				e.Pointer = ce.Pointer
			}
		}
		return nil, e
	}
	if err := r.compile(); err != nil {
		return nil, err
	}
	canon, err := canonjson.Canonicalize(data)
	if err != nil {
		return nil, &Error{Err: ErrRules, Pointer: "/", Detail: err.Error()}
	}
	sum := sha256.Sum256(canon)
	r.digest = "sha256:" + hex.EncodeToString(sum[:])
	return &r, nil
}

// Digest identifies the rules: the SHA-256 of their canonical JSON (RFC
// 8785), so a reformatted file has the same digest. Every contribution
// made under them names it in its evidence ("gitRules:<digest>").
func (r *Rules) Digest() string { return r.digest }

// Unit is the unit of the contributions the rules produce.
func (r *Rules) Unit() string {
	if r.Worth.Unit != "" {
		return r.Worth.Unit
	}
	return r.Worth.Per
}

func rulesErr(ptr, format string, args ...any) error {
	return &Error{Err: ErrRules, Pointer: ptr, Detail: fmt.Sprintf(format, args...)}
}

func (r *Rules) compile() error {
	if r.Version != RulesVersion {
		return rulesErr("/version", "must be %d, got %d", RulesVersion, r.Version)
	}
	if !kindRE.MatchString(r.Kind) {
		return rulesErr("/kind", "%q must be lower-case letters, digits and dashes, like \"code\"", r.Kind)
	}
	if len(r.Refs.Branches) == 0 && len(r.Refs.Tags) == 0 {
		return rulesErr("/refs", "name at least one branch or tag pattern")
	}
	for i, b := range r.Refs.Branches {
		if !branchRE.MatchString(b) || strings.Contains(b, "..") || strings.HasPrefix(b, "-") || strings.HasPrefix(b, "/") {
			return rulesErr(fmt.Sprintf("/refs/branches/%d", i), "%q is not a plain branch name", b)
		}
	}
	for i, p := range r.Refs.Tags {
		if p == "" || len(p) > 255 || strings.ContainsAny(p, " \t\n\x00") {
			return rulesErr(fmt.Sprintf("/refs/tags/%d", i), "%q is not a tag name pattern", p)
		}
	}
	if len(r.Refs.Tags) > 0 && len(r.Refs.TagSigners) == 0 {
		return rulesErr("/refs/tagSigners", "name the principals whose signed tags count")
	}
	for i, p := range r.Refs.TagSigners {
		if p == "" || strings.ContainsAny(p, "*?!, \t") {
			return rulesErr(fmt.Sprintf("/refs/tagSigners/%d", i), "%q must be one principal as allowed_signers names it, not a pattern", p)
		}
	}
	switch r.Worth.Per {
	case "commit", "file", "line":
	default:
		return rulesErr("/worth/per", "%q must be \"commit\", \"file\" or \"line\"", r.Worth.Per)
	}
	var err error
	if r.quantity, err = contribution.ParseQuantity(r.Worth.Quantity); err != nil || r.quantity == 0 {
		return rulesErr("/worth/quantity", "%q must be a positive decimal with at most three decimals", r.Worth.Quantity)
	}
	if r.Worth.Cap != "" {
		if r.cap, err = contribution.ParseQuantity(r.Worth.Cap); err != nil {
			return rulesErr("/worth/cap", "%q must be a decimal with at most three decimals", r.Worth.Cap)
		}
	}
	if r.Worth.Unit != "" && (len(r.Worth.Unit) > 64 || strings.TrimSpace(r.Worth.Unit) != r.Worth.Unit) {
		return rulesErr("/worth/unit", "%q must be 1 to 64 characters without surrounding space", r.Worth.Unit)
	}
	for i, w := range r.Weights {
		ptr := fmt.Sprintf("/weights/%d", i)
		if w.Path == "" || len(w.Path) > 1024 || strings.HasPrefix(w.Path, "/") || strings.Contains(w.Path, "//") {
			return rulesErr(ptr+"/path", "%q must be a relative path glob like \"docs/**\"", w.Path)
		}
		q, err := contribution.ParseQuantity(w.Weight)
		if err != nil || q > 1000*1000 {
			return rulesErr(ptr+"/weight", "%q must be a decimal from 0 to 1000 with at most three decimals", w.Weight)
		}
		r.weights = append(r.weights, weight{glob: strings.Split(w.Path, "/"), w: q})
	}
	for i, a := range r.ExcludeAuthors {
		if a == "" || len(a) > 1024 {
			return rulesErr(fmt.Sprintf("/excludeAuthors/%d", i), "a pattern must be 1 to 1024 bytes")
		}
	}
	switch r.CoAuthors {
	case "split", "ignore":
	default:
		return rulesErr("/coAuthors", "%q must be \"split\" or \"ignore\"", r.CoAuthors)
	}
	switch r.Unsigned {
	case "exclude", "steward":
	default:
		return rulesErr("/unsigned", "%q must be \"exclude\" or \"steward\"", r.Unsigned)
	}
	return nil
}

// weightOf is the weight of path in thousandths: the first matching glob's,
// else 1000.
func (r *Rules) weightOf(path string) contribution.Quantity {
	if len(r.weights) == 0 {
		return 1000
	}
	segs := strings.Split(path, "/")
	for _, w := range r.weights {
		if matchGlob(w.glob, segs) {
			return w.w
		}
	}
	return 1000
}

// excluded reports whether an author "Name <email>" matches one of the
// excludeAuthors patterns.
func (r *Rules) excluded(name, email string) bool {
	who := name + " <" + email + ">"
	for _, p := range r.ExcludeAuthors {
		if attest.MatchPattern(who, p) {
			return true
		}
	}
	return false
}

// matchGlob matches path segments against glob segments, where "**"
// matches any run of whole segments (none too) and other segments are
// matched by matchSegment. It runs a table over (glob, path) positions, so
// its cost is O(len(glob)·len(path)) segment matches whatever the pattern.
func matchGlob(glob, path []string) bool {
	// cur[j]: glob[:i] matches path[:j].
	cur := make([]bool, len(path)+1)
	cur[0] = true
	for _, g := range glob {
		next := make([]bool, len(path)+1)
		for j := 0; j <= len(path); j++ {
			if g == "**" {
				next[j] = cur[j] || (j > 0 && next[j-1])
			} else if j > 0 {
				next[j] = cur[j-1] && matchSegment(path[j-1], g)
			}
		}
		cur = next
	}
	return cur[len(path)]
}

// matchSegment matches one path segment: * any run of bytes, ? one byte.
func matchSegment(s, p string) bool { return attest.MatchPattern(s, p) }

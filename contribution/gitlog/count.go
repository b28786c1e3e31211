package gitlog

import (
	"bytes"
	"fmt"
	"math/bits"
	"sort"
	"strings"
	"time"

	"github.com/peerproduction/ppl/attest"
	"github.com/peerproduction/ppl/contribution"
)

// FileStat is one changed file of a commit, as `git log --numstat` shows
// it; Binary files show no line counts.
type FileStat struct {
	Path           string
	Added, Deleted int64
	Binary         bool
}

// Commit is what the counting needs of one commit: the parsed object (for
// its signature, author and trailers), the files it changed against its
// first parent, and the author's address after the repository's mailmap.
type Commit struct {
	Object      *Object
	Files       []FileStat
	MailmapName string // "" when the same as the object's
	MailmapMail string
}

// Skip says why a commit, or one person's share of it, was not counted.
type Skip struct {
	Commit string
	Who    string // "Name <email>" when the skip concerns one person
	Reason string
}

// Counter applies Rules to commits. It holds no mutable state and is safe
// for concurrent use.
type Counter struct {
	Rules          *Rules
	AllowedSigners attest.AllowedSigners
	Commons        string
}

// Count applies the rules to one commit and returns its contributions,
// one per credited person in the order author, co-authors, and what was
// left out. Same commit, same rules, same list: same contributions.
func (c *Counter) Count(cm *Commit) ([]contribution.Contribution, []Skip) {
	o := cm.Object
	r := c.Rules
	skip := func(who, format string, args ...any) []Skip {
		return []Skip{{Commit: o.ID, Who: who, Reason: fmt.Sprintf(format, args...)}}
	}
	if len(o.Parents) > 1 && !r.CountMerges {
		return nil, skip("", "merge commit")
	}
	name, email := o.Author.Name, o.Author.Email
	if cm.MailmapMail != "" {
		email = cm.MailmapMail
	}
	if cm.MailmapName != "" {
		name = cm.MailmapName
	}
	author := ident(name, email)
	// A bot stays excluded whichever name the mailmap gives it.
	if r.excluded(name, email) || r.excluded(o.Author.Name, o.Author.Email) {
		return nil, skip(author, "author excluded by the rules")
	}
	var signer string // the author's key id when the author signed it
	var skips []Skip
	if len(o.Signature) > 0 {
		v, err := Verify(o, c.AllowedSigners)
		switch st := StatusOf(err); {
		case st == Good:
			// The signer is whoever ran git commit -S; the key is the
			// author's only when its line names the author's address.
			ps := c.AllowedSigners.FindPrincipals(v.Key, o.SignedAt())
			if literalIn(o.Author.Email, ps) || literalIn(email, ps) {
				signer = v.KeyID
			} else {
				skips = append(skips, Skip{Commit: o.ID, Who: author, Reason: fmt.Sprintf("signed by %s (%s), whose allowed_signers line does not name the author", v.Principal, v.KeyID)})
			}
		case st == Bad:
			return nil, skip(author, "signature refused: %v", err)
		default:
			skips = append(skips, Skip{Commit: o.ID, Who: author, Reason: fmt.Sprintf("signature not counted (%c): %v", st, err)})
		}
	}
	if signer == "" && r.Unsigned == "exclude" {
		return nil, append(skips, Skip{Commit: o.ID, Who: author, Reason: "not signed by its author and the rules count only signed commits"})
	}

	total := c.worth(cm)
	if total == 0 {
		return nil, append(skips, Skip{Commit: o.ID, Who: author, Reason: "worth nothing under the rules"})
	}
	type person struct{ name, email, key string }
	people := []person{{name, email, signer}}
	if r.CoAuthors == "split" {
		seen := map[string]bool{strings.ToLower(email): true, strings.ToLower(o.Author.Email): true}
		for _, ca := range coAuthors(o.Message) {
			low := strings.ToLower(ca.Email)
			if seen[low] {
				continue
			}
			seen[low] = true
			if r.excluded(ca.Name, ca.Email) {
				skips = append(skips, Skip{Commit: o.ID, Who: ident(ca.Name, ca.Email), Reason: "co-author excluded by the rules"})
				continue
			}
			people = append(people, person{ca.Name, ca.Email, ""})
		}
	}
	k := contribution.Quantity(len(people))
	share, extra := total/k, total%k
	var out []contribution.Contribution
	for i, p := range people {
		q := share
		if contribution.Quantity(i) < extra {
			q++
		}
		key := p.key
		if key == "" && i == 0 {
			// The address in the object first: the .mailmap is a file
			// in the tree that any commit may change, so it must not
			// take a key's credit from the address that names it.
			key = c.keyByEmail(o.Author.Email, o.Author.Time)
			if key == "" && email != o.Author.Email {
				key = c.keyByEmail(email, o.Author.Time)
			}
		} else if key == "" {
			key = c.keyByEmail(p.email, o.Author.Time)
		}
		if key == "" {
			skips = append(skips, Skip{Commit: o.ID, Who: ident(p.name, p.email), Reason: fmt.Sprintf("no key for %s in allowed_signers; its share %s is not counted", p.email, q)})
			continue
		}
		if q == 0 {
			continue
		}
		out = append(out, contribution.Contribution{
			Commons:     c.Commons,
			Contributor: key,
			Kind:        r.Kind,
			Quantity:    q,
			Unit:        r.Unit(),
			At:          o.Author.Time,
			Evidence:    []string{"gitCommit:" + o.ID, "gitRules:" + r.Digest()},
		})
	}
	// One person with two addresses (two trailers) gets one contribution.
	out = mergeByContributor(out)
	return out, skips
}

func ident(name, email string) string { return name + " <" + email + ">" }

func mergeByContributor(cs []contribution.Contribution) []contribution.Contribution {
	if len(cs) < 2 {
		return cs
	}
	idx := map[string]int{}
	out := cs[:0]
	for _, c := range cs {
		if i, ok := idx[c.Contributor]; ok {
			out[i].Quantity += c.Quantity
			continue
		}
		idx[c.Contributor] = len(out)
		out = append(out, c)
	}
	return out
}

// keyByEmail finds the key of the first allowed_signers line that names
// email literally among its principals (a pattern such as *@example.com
// vouches for signatures, it does not say whose key is whose), allows the
// "git" namespace and is valid at t.
func (c *Counter) keyByEmail(email string, t time.Time) string {
	if email == "" {
		return ""
	}
	sec := t.Unix()
	for _, s := range c.AllowedSigners {
		if s.Namespaces != nil && !literalIn(Namespace, s.Namespaces) {
			continue
		}
		if !s.ValidAfter.IsZero() && sec < s.ValidAfter.Unix() || !s.ValidBefore.IsZero() && sec > s.ValidBefore.Unix() {
			continue
		}
		if literalIn(email, s.Principals) && !negated(email, s.Principals) {
			return attest.KeyID(s.Key)
		}
	}
	return ""
}

func literalIn(s string, list []string) bool {
	for _, p := range list {
		if p == s {
			return true
		}
	}
	return false
}

func negated(s string, list []string) bool {
	for _, p := range list {
		if strings.HasPrefix(p, "!") && attest.MatchPattern(s, p[1:]) {
			return true
		}
	}
	return false
}

// worth is what the commit is worth before it is split, capped.
func (c *Counter) worth(cm *Commit) contribution.Quantity {
	r := c.Rules
	var total contribution.Quantity
	switch {
	case r.Worth.Per == "commit" || len(cm.Object.Parents) > 1:
		total = r.quantity
	default:
		for _, f := range cm.Files {
			w := r.weightOf(f.Path)
			n := uint64(1)
			if r.Worth.Per == "line" && !f.Binary {
				n = uint64(f.Added) + uint64(f.Deleted)
			}
			total = addSat(total, mulSat(mulSat(contribution.Quantity(n), r.quantity), w)/1000)
		}
	}
	if r.cap > 0 && total > r.cap {
		total = r.cap
	}
	return total
}

// mulSat and addSat saturate at MaxQuantity, which a cap then lowers: a
// commit of a billion lines is worth the most a quantity can say, not a
// wrapped-around number.
func mulSat(a, b contribution.Quantity) contribution.Quantity {
	hi, lo := bits.Mul64(uint64(a), uint64(b))
	if hi != 0 || lo > uint64(contribution.MaxQuantity)*1000 {
		return contribution.MaxQuantity * 1000
	}
	return contribution.Quantity(lo)
}

func addSat(a, b contribution.Quantity) contribution.Quantity {
	if s := a + b; s <= contribution.MaxQuantity && s >= a {
		return s
	}
	return contribution.MaxQuantity
}

// coAuthors reads the "Co-authored-by: Name <email>" trailers of the last
// paragraph of a commit message, as git interpret-trailers finds trailers:
// a key is matched case-insensitively.
func coAuthors(msg []byte) []Ident {
	msg = bytes.TrimRight(msg, "\n")
	if i := bytes.LastIndex(msg, []byte("\n\n")); i >= 0 {
		msg = msg[i+2:]
	} else {
		return nil // a message of one paragraph is its subject, not trailers
	}
	var out []Ident
	for _, line := range strings.Split(string(msg), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok || !strings.EqualFold(strings.TrimSpace(k), "co-authored-by") {
			continue
		}
		v = strings.TrimSpace(v)
		lt, gt := strings.IndexByte(v, '<'), strings.LastIndexByte(v, '>')
		if lt < 0 || gt < lt || gt != len(v)-1 {
			continue
		}
		out = append(out, Ident{Name: strings.TrimSpace(v[:lt]), Email: v[lt+1 : gt]})
	}
	return out
}

// sortContributions orders contributions by date, then commit, then
// contributor, so output does not depend on the order git walked in.
func sortContributions(cs []contribution.Contribution) {
	sort.SliceStable(cs, func(i, j int) bool {
		a, b := cs[i], cs[j]
		if !a.At.Equal(b.At) {
			return a.At.Before(b.At)
		}
		if a.Evidence[0] != b.Evidence[0] {
			return a.Evidence[0] < b.Evidence[0]
		}
		return a.Contributor < b.Contributor
	})
}

package gitlog

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/peerproduction/ppl/attest"
)

// TestVerifyAgreesWithGit builds a repository with the real git, signing
// commits and tags with gpg.format=ssh, and asks `git verify-commit` (or
// verify-tag) and `git log --format=%G?` about each object: Verify must
// reach the same verdict on every row.
func TestVerifyAgreesWithGit(t *testing.T) {
	r := newRepo(t)
	keys := map[string]sshKey{}
	for _, n := range []string{"alice", "bob", "carol", "dave", "erin", "frank", "grace"} {
		keys[n] = newSSHKey(t, r.dir, n)
	}
	asFile := filepath.Join(r.dir, "allowed_signers")
	asText := strings.Join([]string{
		"alice@example.com " + keys["alice"].line,
		// bob is nobody's: his key is unknown.
		`carol@example.com valid-before="20230101Z" ` + keys["carol"].line,
		`dave@example.com valid-after="20300101Z" ` + keys["dave"].line,
		`erin@example.com namespaces="file" ` + keys["erin"].line,
		`frank@example.com valid-before="20240301120000Z" ` + keys["frank"].line,
		`grace@example.com valid-before="20240301115959Z" ` + keys["grace"].line,
	}, "\n") + "\n"
	if err := os.WriteFile(asFile, []byte(asText), 0o644); err != nil {
		t.Fatal(err)
	}
	as, err := attest.ParseAllowedSigners([]byte(asText))
	if err != nil {
		t.Fatal(err)
	}
	when := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)

	type row struct {
		name, id string
		kind     Kind
	}
	var rows []row
	commit := func(name, signer string) string {
		r.write("f.txt", name+"\n")
		r.git(nil, "add", "f.txt")
		args := []string{"commit", "-q", "-m", name}
		if signer != "" {
			args = append(append(signWith(keys[signer], asFile), "commit", "-q", "-S"), "-m", name)
		}
		r.git(at(when), args...)
		id := strings.TrimSpace(r.git(nil, "rev-parse", "HEAD"))
		rows = append(rows, row{name, id, KindCommit})
		return id
	}
	good := commit("good", "alice")
	commit("unknown key", "bob")
	commit("expired key", "carol")
	commit("key not yet valid", "dave")
	commit("namespace not allowed", "erin")
	commit("valid-before at the second", "frank")
	commit("valid-before a second early", "grace")
	commit("unsigned", "")

	// Tampered: the good commit's bytes with its message changed, and its
	// signature grafted onto another commit's payload.
	raw := r.git(nil, "cat-file", "commit", good)
	forge := func(name, text string) {
		out, errOut, err := r.try([]byte(text), nil, "hash-object", "-t", "commit", "-w", "--stdin")
		if err != nil {
			t.Fatalf("hash-object: %v %s", err, errOut)
		}
		rows = append(rows, row{name, strings.TrimSpace(out), KindCommit})
	}
	forge("tampered message", strings.Replace(raw, "\ngood\n", "\nevil\n", 1))
	forge("tampered author", strings.Replace(raw, "author Alice <alice@", "author Mallory <alice@", 1))
	o, err := ParseObject(KindCommit, good, []byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	unsignedRaw := r.git(nil, "cat-file", "commit", "HEAD")
	hdrEnd := strings.Index(unsignedRaw, "\n\n")
	graft := unsignedRaw[:hdrEnd] + "\ngpgsig " + strings.ReplaceAll(strings.TrimSuffix(string(o.Signature), "\n"), "\n", "\n ") + unsignedRaw[hdrEnd:]
	forge("signature grafted", graft)

	tag := func(name, signer, target string) {
		r.git(at(when), append(signWith(keys[signer], asFile), "tag", "-s", "-m", name, strings.ReplaceAll(name, " ", "-"), target)...)
		rows = append(rows, row{"tag " + name, strings.TrimSpace(r.git(nil, "rev-parse", strings.ReplaceAll(name, " ", "-"))), KindTag})
	}
	tag("v1", "alice", good)
	tag("v2 unknown", "bob", good)
	tag("v3 expired", "carol", good)
	tagRaw := r.git(nil, "cat-file", "tag", "v1")
	out, errOut, err := r.try([]byte(strings.Replace(tagRaw, "tag v1\n", "tag v9\n", 1)), nil, "hash-object", "-t", "tag", "-w", "--stdin")
	if err != nil {
		t.Fatalf("hash-object: %v %s", err, errOut)
	}
	rows = append(rows, row{"tag tampered", strings.TrimSpace(out), KindTag})

	verifyCfg := []string{"-c", "gpg.ssh.allowedSignersFile=" + asFile}
	t.Logf("%-30s %-4s %-4s %s", "object", "git", "ours", "ours says")
	for _, row := range rows {
		verb := "verify-commit"
		if row.kind == KindTag {
			verb = "verify-tag"
		}
		_, _, gitErr := r.try(nil, nil, append(verifyCfg, verb, row.id)...)
		raw := r.git(nil, "cat-file", string(row.kind), row.id)
		obj, err := ParseObject(row.kind, row.id, []byte(raw))
		if err != nil {
			t.Fatalf("%s: %v", row.name, err)
		}
		v, ourErr := Verify(obj, as)
		if (gitErr == nil) != (ourErr == nil) {
			t.Errorf("%s: git %s ok=%v, Verify: %v", row.name, verb, gitErr == nil, ourErr)
		}
		ours := StatusOf(ourErr)
		gitStatus := "-"
		if row.kind == KindCommit {
			f := strings.Split(r.git(nil, append(verifyCfg, "log", "-1", "--no-walk", "--format=%G?%n%GF", row.id)...), "\n")
			gitStatus = f[0]
			if f[0] != string(ours) {
				t.Errorf("%s: git %%G? = %s, StatusOf = %c (%v)", row.name, f[0], ours, ourErr)
			}
			if ours == Good && f[1] != v.KeyID {
				t.Errorf("%s: git %%GF = %s, Verify key %s", row.name, f[1], v.KeyID)
			}
		}
		why := "ok"
		if ourErr != nil {
			why = ourErr.Error()
		}
		t.Logf("%-30s %-4s %-4c %s", row.name, gitStatus, ours, why)
	}
}

func TestStatusSentinels(t *testing.T) {
	o, err := ParseObject(KindCommit, "x", []byte("tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\ncommitter A <a@x> 1700000000 +0000\n\nmsg\n"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = Verify(o, nil)
	if !errors.Is(err, ErrUnsigned) || StatusOf(err) != Unsigned {
		t.Fatalf("unsigned commit: %v", err)
	}
}

package gitlog

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sort"
	"strings"
	"testing"

	"github.com/peerproduction/ppl/attest"
)

// TestRealRepositoryAgreesWithGit compares StatusOf with git's %G? on
// every commit of a real repository, when one is named:
//
//	PPL_GITLOG_REPO=/path/to/clone PPL_GITLOG_ALLOWED_SIGNERS=file go test -run RealRepository ./contribution/gitlog
//
// (it is skipped otherwise). git runs ssh-keygen once or twice per signed
// commit, so a history of thousands takes a minute.
func TestRealRepositoryAgreesWithGit(t *testing.T) {
	dir, asFile := os.Getenv("PPL_GITLOG_REPO"), os.Getenv("PPL_GITLOG_ALLOWED_SIGNERS")
	if dir == "" || asFile == "" {
		t.Skip("set PPL_GITLOG_REPO and PPL_GITLOG_ALLOWED_SIGNERS to compare with git on a real repository")
	}
	data, err := os.ReadFile(asFile)
	if err != nil {
		t.Fatal(err)
	}
	as, err := attest.ParseAllowedSigners(data)
	if err != nil {
		t.Fatal(err)
	}
	ref := os.Getenv("PPL_GITLOG_REF")
	if ref == "" {
		ref = "HEAD"
	}
	cmd := exec.Command("git", "-c", "gpg.ssh.allowedSignersFile="+asFile, "log", "--format=%H %G?", ref)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "TZ=UTC")
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	cat := exec.Command("git", "cat-file", "--batch")
	cat.Dir = dir
	var ids bytes.Buffer
	want := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		id, st, _ := strings.Cut(line, " ")
		want[id] = st
		ids.WriteString(id + "\n")
	}
	cat.Stdin = &ids
	objs, err := cat.Output()
	if err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(bytes.NewReader(objs))
	tally := map[string]int{}
	for range want {
		hdr, err := br.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		var id, typ string
		var size int
		fmt.Sscanf(hdr, "%s %s %d", &id, &typ, &size)
		raw := make([]byte, size+1)
		if _, err := io.ReadFull(br, raw); err != nil {
			t.Fatal(err)
		}
		o, err := ParseObject(KindCommit, id, raw[:size])
		if err != nil {
			t.Errorf("%s: %v", id, err)
			continue
		}
		_, verr := Verify(o, as)
		ours := string(StatusOf(verr))
		if ours == want[id] {
			tally[ours]++
			continue
		}
		// git reports a GPG signature it cannot check as E or N
		// depending on whether gpg is installed; this package never
		// checks one.
		if ours == "E" && (want[id] == "N" || want[id] == "B" || want[id] == "U" || want[id] == "G") && !bytes.Contains(o.Signature, []byte("SSH SIGNATURE")) {
			tally["E (git: "+want[id]+")"]++
			continue
		}
		t.Errorf("%s: git %%G? = %s, StatusOf = %s (%v)", id, want[id], ours, verr)
	}
	var keys []string
	for k := range tally {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		t.Logf("%-12s %d", k, tally[k])
	}
}

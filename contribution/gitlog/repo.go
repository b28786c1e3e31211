package gitlog

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/peerproduction/ppl/attest"
	"github.com/peerproduction/ppl/contribution"
)

// Git is the git program Import runs; a caller may set its path.
//
// The history is read by running git rather than by a Go implementation of
// its formats: git is what every verifier holding a clone has, its reading
// of objects, mailmaps and diffs is the reference, and two invocations
// (log --numstat, cat-file --batch) stream a whole history faster than
// object-by-object access.
var Git = "git"

// Result is what Import read and counted.
type Result struct {
	Commits       int                         // commits read (reachable from the counted refs)
	Heads         map[string]string           // each counted ref ("refs/heads/main", "refs/tags/v1") and its commit
	Contributions []contribution.Contribution // in date, commit, contributor order
	Skips         []Skip                      // what was not counted, and why
}

// Progress, when set in Import's call, is told how many commits of how
// many have been counted, every so often and at the end.
type Progress func(done, total int)

// Import reads the repository at dir with git, finds the commits reachable
// from the refs the rules name (branches; annotated tags matching the
// patterns whose signature verifies as Good), and counts each. The result
// depends only on the repository's objects and refs, the rules and the
// allowed_signers list: the same commit gives the same contributions.
//
// git log and git cat-file run side by side: commits are counted while
// the log is still being read.
func Import(ctx context.Context, dir string, c *Counter, progress Progress) (*Result, error) {
	res := &Result{Heads: map[string]string{}}
	// In a shallow clone the oldest commit present shows every file as
	// added: it would be worth its whole tree, and the recount of anyone
	// holding the full history would differ.
	shallow, err := gitOutput(ctx, dir, "rev-parse", "--is-shallow-repository")
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(string(shallow)) == "true" {
		return nil, &Error{Err: ErrShallow, Detail: dir + ": run git fetch --unshallow first"}
	}
	if err := resolveRefs(ctx, dir, c, res); err != nil {
		return nil, err
	}
	if len(res.Heads) == 0 {
		return res, nil
	}
	tips := make([]string, 0, len(res.Heads))
	for _, id := range res.Heads {
		tips = append(tips, id)
	}
	sort.Strings(tips)
	total := -1
	if progress != nil {
		out, err := gitOutput(ctx, dir, append([]string{"rev-list", "--count"}, tips...)...)
		if err != nil {
			return nil, err
		}
		total, _ = strconv.Atoi(strings.TrimSpace(string(out)))
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	entries := make(chan logEntry, 4096)
	ids := make(chan string, 4096)
	logErr := make(chan error, 1)
	go func() {
		defer close(entries)
		logErr <- readLog(ctx, dir, tips, c.Rules.Worth.Per, func(e logEntry) {
			// The id goes to cat-file before the entry is handed on, so
			// the reader never waits for an object nobody asked for.
			ids <- e.id
			entries <- e
		})
		close(ids)
	}()
	// Counting (signature checks above all) runs on every core; the
	// answers are put back in log order, so the result does not depend on
	// which worker finished first.
	type counted struct {
		cs    []contribution.Contribution
		skips []Skip
	}
	var (
		mu      sync.Mutex
		results []counted
		done    int
	)
	jobs := make(chan job, 256)
	var wg sync.WaitGroup
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				cs, skips := c.Count(j.cm)
				mu.Lock()
				for len(results) <= j.i {
					results = append(results, counted{})
				}
				results[j.i] = counted{cs, skips}
				done++
				if progress != nil && done%2000 == 0 {
					progress(done, total)
				}
				mu.Unlock()
			}
		}()
	}
	err = readObjects(ctx, dir, ids, entries, func(i int, cm *Commit) { jobs <- job{i, cm} })
	close(jobs)
	wg.Wait()
	if err != nil {
		cancel()
		<-logErr
		return nil, err
	}
	if err := <-logErr; err != nil {
		return nil, err
	}
	res.Commits = len(results)
	for _, r := range results {
		res.Contributions = append(res.Contributions, r.cs...)
		res.Skips = append(res.Skips, r.skips...)
	}
	if progress != nil {
		progress(res.Commits, res.Commits)
	}
	sortContributions(res.Contributions)
	return res, nil
}

func gitCmd(ctx context.Context, dir string, args ...string) *exec.Cmd {
	// No pager, no replace objects, no grafts from the environment: what
	// is counted is what the objects say.
	cmd := exec.CommandContext(ctx, Git, append([]string{"--no-replace-objects", "-c", "core.quotePath=false", "-c", "log.showSignature=false"}, args...)...)
	cmd.Dir = dir
	// Nor grafts: git log would diff against a grafted parent while the
	// object names another.
	cmd.Env = append(cmd.Environ(), "GIT_NO_REPLACE_OBJECTS=1", "GIT_GRAFT_FILE="+os.DevNull, "GIT_PAGER=cat", "GIT_TERMINAL_PROMPT=0")
	return cmd
}

func gitOutput(ctx context.Context, dir string, args ...string) ([]byte, error) {
	cmd := gitCmd(ctx, dir, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, &Error{Err: ErrGit, Detail: fmt.Sprintf("git %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))}
	}
	return out, nil
}

func resolveRefs(ctx context.Context, dir string, c *Counter, res *Result) error {
	for _, b := range c.Rules.Refs.Branches {
		ref := "refs/heads/" + b
		out, err := gitOutput(ctx, dir, "rev-parse", "--verify", "--end-of-options", ref+"^{commit}")
		if err != nil {
			return &Error{Err: ErrGit, Detail: fmt.Sprintf("branch %q named by the rules: %v", b, err)}
		}
		res.Heads[ref] = strings.TrimSpace(string(out))
	}
	if len(c.Rules.Refs.Tags) == 0 {
		return nil
	}
	out, err := gitOutput(ctx, dir, "for-each-ref", "--format=%(refname:strip=2)%00%(objecttype)%00%(objectname)", "refs/tags")
	if err != nil {
		return err
	}
	for _, line := range strings.Split(strings.TrimSuffix(string(out), "\n"), "\n") {
		f := strings.Split(line, "\x00")
		if len(f) != 3 {
			continue
		}
		name, typ, id := f[0], f[1], f[2]
		matched := false
		for _, p := range c.Rules.Refs.Tags {
			matched = matched || attest.MatchPattern(name, p)
		}
		if !matched {
			continue
		}
		if typ != "tag" {
			res.Skips = append(res.Skips, Skip{Commit: id, Reason: fmt.Sprintf("tag %s is not an annotated, signed tag", name)})
			continue
		}
		raw, err := gitOutput(ctx, dir, "cat-file", "tag", id)
		if err != nil {
			return err
		}
		o, err := ParseObject(KindTag, id, raw)
		var v *Verified
		if err == nil {
			v, err = Verify(o, c.AllowedSigners)
		}
		if err != nil {
			res.Skips = append(res.Skips, Skip{Commit: id, Reason: fmt.Sprintf("tag %s not counted: %v", name, err)})
			continue
		}
		ps := c.AllowedSigners.FindPrincipals(v.Key, o.SignedAt())
		signer := false
		for _, p := range c.Rules.Refs.TagSigners {
			signer = signer || literalIn(p, ps)
		}
		if !signer {
			res.Skips = append(res.Skips, Skip{Commit: id, Reason: fmt.Sprintf("tag %s is signed by %s (%s), not by one of the rules' tagSigners", name, v.Principal, v.KeyID)})
			continue
		}
		if o.TargetType != "commit" {
			res.Skips = append(res.Skips, Skip{Commit: id, Reason: fmt.Sprintf("tag %s points at a %s, not a commit", name, o.TargetType)})
			continue
		}
		res.Heads["refs/tags/"+name] = o.Target
	}
	return nil
}

type job struct {
	i  int
	cm *Commit
}

// logEntry is what git log says of a commit beyond its object.
type logEntry struct {
	id, name, email string
	mailmapped      bool // name and email were read
	files           []FileStat
}

// readLog lists the commits reachable from tips with their mailmapped
// author and the files changed against the first parent (none for merges):
// per "line" with --numstat, per "file" the names only (no blob is
// diffed), per "commit" nothing.
func readLog(ctx context.Context, dir string, tips []string, per string, fn func(logEntry)) error {
	args := []string{"log", "-z", "--no-renames", "--no-color", "--format=%x01%H%x02%aN%x02%aE"}
	switch per {
	case "line":
		args = append(args, "--numstat")
	case "file":
		args = append(args, "--name-only")
	}
	args = append(append(args, tips...), "--")
	cmd := gitCmd(ctx, dir, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return &Error{Err: ErrGit, Detail: err.Error()}
	}
	perr := parseLog(bufio.NewReaderSize(stdout, 1<<16), per, fn)
	if perr != nil {
		_, _ = io.Copy(io.Discard, stdout)
	}
	if err := cmd.Wait(); err != nil && perr == nil {
		return &Error{Err: ErrGit, Detail: fmt.Sprintf("git log: %v: %s", err, strings.TrimSpace(stderr.String()))}
	}
	return perr
}

func parseLog(r *bufio.Reader, per string, fn func(logEntry)) error {
	var cur *logEntry
	first := false // the token after a header starts with the diff's newline
	for {
		tok, err := r.ReadSlice(0)
		if err == bufio.ErrBufferFull {
			// A path longer than the buffer: read the rest of it.
			rest, err2 := r.ReadBytes(0)
			tok, err = append(append([]byte(nil), tok...), rest...), err2
		}
		if len(tok) > 0 && tok[len(tok)-1] == 0 {
			tok = tok[:len(tok)-1]
		}
		if first && len(tok) > 0 && tok[0] == '\n' {
			tok = tok[1:]
		}
		first = false
		switch {
		case len(tok) == 0:
		case tok[0] == 1:
			if cur != nil {
				fn(*cur)
			}
			if len(tok) < 41 || (len(tok) > 41 && tok[41] != 2) {
				return &Error{Err: ErrGit, Detail: fmt.Sprintf("unexpected git log record %q", tok)}
			}
			cur = &logEntry{id: string(tok[1:41])}
			// A name or address holding the separator itself (any bytes
			// may be written into an object) loses only its mailmap.
			if f := strings.Split(string(tok[min(len(tok), 42):]), "\x02"); len(f) == 2 {
				cur.name, cur.email, cur.mailmapped = f[0], f[1], true
			}
			first = true
		case cur == nil:
			return &Error{Err: ErrGit, Detail: fmt.Sprintf("file before any commit: %q", tok)}
		case per == "file":
			cur.files = append(cur.files, FileStat{Path: string(tok)})
		default:
			fs, perr := parseNumstat(tok)
			if perr != nil {
				return &Error{Commit: cur.id, Err: ErrGit, Detail: perr.Error()}
			}
			cur.files = append(cur.files, fs)
		}
		if err == io.EOF {
			if cur != nil {
				fn(*cur)
			}
			return nil
		}
		if err != nil {
			return &Error{Err: ErrGit, Detail: err.Error()}
		}
	}
}

// parseNumstat reads "added<TAB>deleted<TAB>path" ("-" counts for binary).
func parseNumstat(tok []byte) (FileStat, error) {
	a, rest, ok1 := bytes.Cut(tok, []byte{'\t'})
	d, path, ok2 := bytes.Cut(rest, []byte{'\t'})
	if !ok1 || !ok2 || len(path) == 0 {
		return FileStat{}, fmt.Errorf("unexpected numstat line %q", tok)
	}
	fs := FileStat{Path: string(path)}
	if string(a) == "-" && string(d) == "-" {
		fs.Binary = true
		return fs, nil
	}
	var err error
	if fs.Added, err = strconv.ParseInt(string(a), 10, 64); err != nil {
		return FileStat{}, fmt.Errorf("numstat %q: %v", tok, err)
	}
	if fs.Deleted, err = strconv.ParseInt(string(d), 10, 64); err != nil {
		return FileStat{}, fmt.Errorf("numstat %q: %v", tok, err)
	}
	return fs, nil
}

// readObjects reads each commit's raw object with one cat-file --batch,
// fed the ids as they come, and hands fn the commits in log order.
func readObjects(ctx context.Context, dir string, ids <-chan string, entries <-chan logEntry, fn func(int, *Commit)) error {
	cmd := gitCmd(ctx, dir, "cat-file", "--batch")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return &Error{Err: ErrGit, Detail: err.Error()}
	}
	go func() {
		w := bufio.NewWriterSize(stdin, 1<<14)
		for id := range ids {
			w.WriteString(id)
			w.WriteByte('\n')
			if len(ids) == 0 {
				// Nothing more queued: let cat-file have what there is.
				w.Flush()
			}
		}
		w.Flush()
		stdin.Close()
	}()
	br := bufio.NewReaderSize(stdout, 1<<16)
	var ferr error
	i := 0
	for e := range entries {
		cm, err := readObject(br, e)
		if err != nil {
			ferr = err
			break
		}
		fn(i, cm)
		i++
	}
	if ferr != nil {
		// Stop cat-file and let git log run out into the void; the writer
		// goroutine drains ids.
		go func() {
			for range entries {
			}
		}()
		_ = cmd.Process.Kill()
	}
	if err := cmd.Wait(); err != nil && ferr == nil {
		ferr = &Error{Err: ErrGit, Detail: fmt.Sprintf("git cat-file: %v: %s", err, strings.TrimSpace(stderr.String()))}
	}
	if ferr != nil && ctx.Err() != nil {
		return ctx.Err()
	}
	return ferr
}

func readObject(br *bufio.Reader, e logEntry) (*Commit, error) {
	hdr, err := br.ReadString('\n')
	if err != nil {
		return nil, &Error{Commit: e.id, Err: ErrGit, Detail: "cat-file: " + err.Error()}
	}
	f := strings.Fields(hdr)
	if len(f) != 3 || f[0] != e.id || f[1] != "commit" {
		return nil, &Error{Commit: e.id, Err: ErrGit, Detail: fmt.Sprintf("cat-file answered %q", strings.TrimSpace(hdr))}
	}
	size, err := strconv.Atoi(f[2])
	if err != nil || size < 0 || size > 64<<20 {
		return nil, &Error{Commit: e.id, Err: ErrMalformed, Detail: fmt.Sprintf("commit object size %q", f[2])}
	}
	raw := make([]byte, size+1)
	if _, err := io.ReadFull(br, raw); err != nil {
		return nil, &Error{Commit: e.id, Err: ErrGit, Detail: "cat-file: " + err.Error()}
	}
	o, err := ParseObject(KindCommit, e.id, raw[:size])
	if err != nil {
		return nil, err
	}
	cm := &Commit{Object: o, Files: e.files}
	if e.mailmapped && e.email != o.Author.Email {
		cm.MailmapMail = e.email
	}
	if e.mailmapped && e.name != o.Author.Name {
		cm.MailmapName = e.name
	}
	return cm, nil
}

package main

import (
	"context"
	"crypto"
	"crypto/ed25519"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"golang.org/x/crypto/ssh/agent"

	"github.com/peerproduction/ppl/attest"
	"github.com/peerproduction/ppl/contribution"
	"github.com/peerproduction/ppl/contribution/gitlog"
)

const synContributions = `ppl contributions git PATH -rules FILE -allowed-signers FILE -commons ID (-key STEWARDKEY | -agent STEWARDKEY.pub) -o DIR [-v]
  ppl contributions check PATH EVIDENCE_DIR -rules FILE -allowed-signers FILE -commons ID`

// cmdContributions counts a repository's contributions from its history
// (git) or rechecks statements against it (check).
func cmdContributions(args []string, out io.Writer) error {
	if len(args) == 0 {
		return usage("contributions: git or check? (usage: %s)", synContributions)
	}
	switch args[0] {
	case "git":
		return cmdContributionsGit(args[1:], out)
	case "check":
		return cmdContributionsCheck(args[1:], out)
	}
	return usage("contributions: unknown subcommand %q (usage: %s)", args[0], synContributions)
}

// positional takes the leading arguments that are not flags, so that
// "git PATH -rules FILE" reads as the usage line shows it.
func positional(args []string, n int) (pos, rest []string) {
	for len(pos) < n && len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		pos, args = append(pos, args[0]), args[1:]
	}
	return pos, args
}

type countFlags struct {
	rules, allowed, commons string
}

func (c *countFlags) counter() (*gitlog.Counter, error) {
	if c.rules == "" || c.allowed == "" || c.commons == "" {
		return nil, usage("contributions: -rules FILE, -allowed-signers FILE and -commons ID are required")
	}
	data, err := os.ReadFile(c.rules)
	if err != nil {
		return nil, usage("contributions: -rules: %v", err)
	}
	rules, err := gitlog.ParseRules(data)
	if err != nil {
		return nil, usage("contributions: -rules %s: %v", c.rules, err)
	}
	data, err = os.ReadFile(c.allowed)
	if err != nil {
		return nil, usage("contributions: -allowed-signers: %v", err)
	}
	as, err := attest.ParseAllowedSigners(data)
	if err != nil {
		return nil, usage("contributions: -allowed-signers %s: %v", c.allowed, err)
	}
	return &gitlog.Counter{Rules: rules, AllowedSigners: as, Commons: c.commons}, nil
}

// progress reports on stderr when it is a terminal; a log file gets no
// carriage returns.
func progress() gitlog.Progress {
	fi, err := os.Stderr.Stat()
	if err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		return nil
	}
	start := time.Now()
	return func(done, total int) {
		fmt.Fprintf(os.Stderr, "\rcounted %d/%d commits (%.0f/s)", done, total, float64(done)/time.Since(start).Seconds())
		if done == total {
			fmt.Fprintln(os.Stderr)
		}
	}
}

func cmdContributionsGit(args []string, out io.Writer) error {
	const syn = "ppl contributions git PATH -rules FILE -allowed-signers FILE -commons ID (-key STEWARDKEY | -agent STEWARDKEY.pub) -o DIR [-v]"
	pos, args := positional(args, 1)
	fs := newFlags("contributions git", syn)
	var cf countFlags
	fs.StringVar(&cf.rules, "rules", "", "contribution rules (JSON)")
	fs.StringVar(&cf.allowed, "allowed-signers", "", "allowed_signers file (the repository's, as git verify-commit reads it)")
	fs.StringVar(&cf.commons, "commons", "", "commons id")
	keyPath := fs.String("key", "", "steward's private key (decrypted once; PPL_PASSPHRASE for an encrypted one)")
	agentKey := fs.String("agent", "", "steward's public key, held by the ssh-agent at SSH_AUTH_SOCK")
	outDir := fs.String("o", "", "directory for the envelopes, one per contribution, named by statement digest")
	verbose := fs.Bool("v", false, "list what was not counted, and why")
	if err := parse(fs, args, out, syn); err != nil {
		return err
	}
	pos = append(pos, fs.Args()...)
	if len(pos) != 1 || *outDir == "" {
		return usage("contributions git: give the repository PATH and -o DIR (usage: %s)", syn)
	}
	counter, err := cf.counter()
	if err != nil {
		return err
	}
	signer, closeSigner, err := stewardSigner(*keyPath, *agentKey)
	if err != nil {
		return err
	}
	defer closeSigner()
	start := time.Now()
	res, err := gitlog.Import(context.Background(), pos[0], counter, progress())
	if err != nil {
		return refused("contributions git: %v", err)
	}
	counted := time.Since(start)
	sts, err := gitlog.Statements(res.Contributions)
	if err != nil {
		return refused("contributions git: %v", err)
	}
	if err := os.MkdirAll(*outDir, 0o755); err != nil {
		return usage("contributions git: -o: %v", err)
	}
	var added, kept int
	for _, st := range sts {
		payload, err := st.Payload()
		if err != nil {
			return err
		}
		name := filepath.Join(*outDir, strings.TrimPrefix(attest.Digest(payload), "sha256:")+".json")
		if _, err := os.Stat(name); err == nil {
			// Same commit, same rules: same statement, already written.
			kept++
			continue
		}
		// The payload already made is the one signed: canonical JSON once.
		env, err := attest.Sign(attest.PayloadType, payload, signer)
		if err != nil {
			return refused("contributions git: signing: %v", err)
		}
		b, err := env.MarshalJSON()
		if err != nil {
			return err
		}
		if err := writeFileAtomic(name, append(b, '\n')); err != nil {
			return err
		}
		added++
	}
	fmt.Fprintf(out, "commits read %d, contributions %d (new %d, already in %s %d), not counted %d, counted in %s, rules %s\n",
		res.Commits, len(sts), added, *outDir, kept, len(res.Skips), counted.Round(time.Millisecond), counter.Rules.Digest())
	if *verbose {
		for _, s := range res.Skips {
			fmt.Fprintf(out, "  not counted: %s %s: %s\n", s.Commit, s.Who, s.Reason)
		}
	}
	return nil
}

// writeFileAtomic writes through a temporary file, so an interrupted run
// leaves no half envelope that the next run would take as written.
func writeFileAtomic(name string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(name), ".ppl-*")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), name)
}

// stewardSigner decrypts the steward's key once for the whole batch, or
// signs through the ssh-agent.
func stewardSigner(keyPath, agentKey string) (crypto.Signer, func(), error) {
	switch {
	case keyPath != "" && agentKey != "":
		return nil, nil, usage("contributions git: give -key or -agent, not both")
	case keyPath != "":
		k, err := loadPrivateKey(keyPath)
		if err != nil {
			return nil, nil, usage("contributions git: -key: %v", err)
		}
		return k, func() {}, nil
	case agentKey != "":
		pub, err := loadPublicKey(agentKey)
		if err != nil {
			return nil, nil, usage("contributions git: -agent: %v", err)
		}
		sock := os.Getenv("SSH_AUTH_SOCK")
		if sock == "" {
			return nil, nil, usage("contributions git: -agent: SSH_AUTH_SOCK is not set; start ssh-agent and ssh-add the steward's key")
		}
		conn, err := net.Dial("unix", sock)
		if err != nil {
			return nil, nil, usage("contributions git: -agent: %v", err)
		}
		s, err := attest.AgentSigner(agent.NewClient(conn), ed25519.PublicKey(pub))
		if err != nil {
			conn.Close()
			return nil, nil, usage("contributions git: -agent: %v", err)
		}
		return s, func() { conn.Close() }, nil
	}
	return nil, nil, usage("contributions git: -key STEWARDKEY or -agent STEWARDKEY.pub is required to sign the statements")
}

func cmdContributionsCheck(args []string, out io.Writer) error {
	const syn = "ppl contributions check PATH EVIDENCE_DIR -rules FILE -allowed-signers FILE -commons ID"
	pos, args := positional(args, 2)
	fs := newFlags("contributions check", syn)
	var cf countFlags
	fs.StringVar(&cf.rules, "rules", "", "contribution rules (JSON) the statements were counted under")
	fs.StringVar(&cf.allowed, "allowed-signers", "", "allowed_signers file")
	fs.StringVar(&cf.commons, "commons", "", "commons id")
	if err := parse(fs, args, out, syn); err != nil {
		return err
	}
	pos = append(pos, fs.Args()...)
	if len(pos) != 2 {
		return usage("contributions check: give the repository PATH and the EVIDENCE_DIR (usage: %s)", syn)
	}
	counter, err := cf.counter()
	if err != nil {
		return err
	}
	claims, err := readClaims(pos[1])
	if err != nil {
		return err
	}
	res, err := gitlog.Import(context.Background(), pos[0], counter, progress())
	if err != nil {
		return refused("contributions check: %v", err)
	}
	over := gitlog.Recheck(res, counter.Rules, claims)
	for _, o := range over {
		fmt.Fprintf(out, "%s commit %s contributor %s: %s\n", o.Statement, o.Commit, o.Contributor, o.Reason)
	}
	if len(over) > 0 {
		return refused("contributions check: %d of %d statements claim more than the history shows", len(over), len(claims))
	}
	fmt.Fprintf(out, "%d statements checked against %d commits: none claims more than the history shows\n", len(claims), res.Commits)
	return nil
}

// readClaims reads every contribution envelope in dir. Signatures are not
// judged here (ppl verify does that): the question is whether the
// history bears the claims out. Statements of other kinds are passed over.
func readClaims(dir string) ([]gitlog.Claim, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, usage("contributions check: %v", err)
	}
	var names []string
	for _, e := range ents {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".json") {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	var out []gitlog.Claim
	for _, n := range names {
		p := filepath.Join(dir, n)
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		env, err := attest.ParseEnvelope(data)
		if err != nil {
			return nil, refused("contributions check: %s: %v", p, err)
		}
		st, err := attest.ParseStatement(env.Payload)
		if err != nil {
			return nil, refused("contributions check: %s: %v", p, err)
		}
		if st.PredicateType != contribution.ContributionPredicateType {
			continue
		}
		c, err := gitlog.ClaimOf(st, attest.Digest(env.Payload))
		if err != nil {
			return nil, refused("contributions check: %s: %v", p, err)
		}
		out = append(out, c)
	}
	return out, nil
}

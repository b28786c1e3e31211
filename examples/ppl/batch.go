package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/peerproduction/ppl/attest"
	"github.com/peerproduction/ppl/contribution"
)

// contributionStatement builds the statement of one contribution's fields,
// from flags (src "-") or from the -in file (src names the file and line),
// so that what is wrong is said where the user wrote it.
func contributionStatement(f contributionIn, src string) (attest.Statement, error) {
	where := func(member, flag string) string {
		if src == "-" {
			return "-" + flag
		}
		return "/" + member + " in " + src
	}
	var st attest.Statement
	if err := checkIDs("sign contribution", where("commons", "commons"), f.Commons, where("entity", "entity"), f.Entity); err != nil {
		return st, err
	}
	c := contribution.Contribution{Commons: f.Commons, Entity: f.Entity, Kind: f.Kind, Unit: f.Unit, Evidence: f.Evidence}
	if c.Unit == "" {
		c.Unit = "points"
	}
	var err error
	for _, t := range []struct {
		dst             *time.Time
		v, member, flag string
	}{{&c.At, f.At, "at", "at"}, {&c.From, f.From, "from", "from"}} {
		if t.v == "" {
			continue
		}
		if *t.dst, err = parseTime(t.v); err != nil {
			return st, usage("sign contribution: %s: %v", where(t.member, t.flag), err)
		}
	}
	id, err := keyIDOf(f.Contributor)
	if err != nil {
		return st, usage("sign contribution: %s: %v", where("contributor", "contributor"), err)
	}
	c.Contributor = id
	if c.Quantity, err = contribution.ParseQuantity(f.Quantity); err != nil {
		return st, usage("sign contribution: %s: %v", where("quantity", "quantity"), err)
	}
	return contribution.NewContributionStatement(c)
}

// signContributions signs every contribution in the -in file (or standard
// input for "-"): one JSON object, or JSON Lines, one object a line (the
// fields of contributionIn). The key is read, and decrypted, once. Output:
// with one statement, as sign writes one; with several, one envelope a
// line to -o FILE or standard output, or, when -o names a directory (or
// ends in "/"), one file per statement named by its digest. Re-signing the
// same line gives the same statement digest, so a directory is
// incremental: a statement already there is left alone.
func signContributions(inPath, keyPath, outPath string, force bool, out io.Writer) error {
	if keyPath == "" {
		return usage("sign contribution: -key FILE is required")
	}
	var r io.Reader
	if inPath == "-" {
		r = os.Stdin
	} else {
		f, err := os.Open(inPath)
		if err != nil {
			return usage("sign contribution: -in: %v", err)
		}
		defer f.Close()
		r = f
	}
	key, err := loadPrivateKey(keyPath)
	if err != nil {
		return usage("sign contribution: -key: %v", err)
	}
	dir := ""
	if st, err := os.Stat(outPath); (err == nil && st.IsDir()) || strings.HasSuffix(outPath, string(os.PathSeparator)) {
		dir = outPath
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
	}

	var envs []*attest.Envelope
	progress := countLine("signed")
	dec := newLineDecoder(r)
	for {
		var f contributionIn
		line, err := dec.next(&f)
		if errors.Is(err, io.EOF) {
			break
		}
		src := fmt.Sprintf("%s:%d", inPath, line)
		if err != nil {
			return usage("sign contribution: -in %s: %v", src, err)
		}
		st, err := contributionStatement(f, src)
		if err != nil {
			if _, ok := err.(*exitError); ok {
				return err
			}
			return usage("sign contribution: -in %s: %v", src, err)
		}
		env, err := attest.SignStatement(st, key)
		if err != nil {
			return err
		}
		envs = append(envs, env)
		if progress != nil && len(envs)%500 == 0 {
			progress(len(envs), false)
		}
	}
	if progress != nil && len(envs) >= 500 {
		progress(len(envs), true)
	}
	switch {
	case len(envs) == 0:
		return usage("sign contribution: -in %s holds no contribution", inPath)
	case dir != "":
		return writeEnvelopeDir(envs, dir, out)
	case len(envs) == 1:
		if err := refuseOverwrite(outPath, force); err != nil {
			return err
		}
		return writeEnvelope(envs[0], outPath, out)
	}
	if err := refuseOverwrite(outPath, force); err != nil {
		return err
	}
	w := out
	var file *os.File
	if outPath != "" {
		if file, err = os.Create(outPath); err != nil {
			return err
		}
		w = file
	}
	bw := bufio.NewWriter(w)
	for _, env := range envs {
		b, err := env.MarshalJSON()
		if err != nil {
			return err
		}
		bw.Write(append(b, '\n'))
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if file != nil {
		if err := file.Close(); err != nil {
			return err
		}
		fmt.Fprintf(out, "%d envelopes in %s\n", len(envs), outPath)
	}
	return nil
}

// writeEnvelopeDir writes each envelope to DIR/<digest hex>.json, skipping
// statements already there, and prints each new file's path.
func writeEnvelopeDir(envs []*attest.Envelope, dir string, out io.Writer) error {
	for _, env := range envs {
		name := filepath.Join(dir, strings.TrimPrefix(attest.Digest(env.Payload), "sha256:")+".json")
		if _, err := os.Stat(name); err == nil {
			continue
		}
		b, err := env.MarshalJSON()
		if err != nil {
			return err
		}
		if err := os.WriteFile(name, append(b, '\n'), 0o644); err != nil {
			return err
		}
		fmt.Fprintln(out, name)
	}
	return nil
}

// lineDecoder reads a sequence of JSON objects (one object, or JSON Lines),
// refusing unknown fields, and says on which line each one started.
type lineDecoder struct {
	dec *json.Decoder
	r   *countingReader
}

type countingReader struct {
	r    io.Reader
	read []byte // everything read so far, to turn offsets into lines
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.read = append(c.read, p[:n]...)
	return n, err
}

func newLineDecoder(r io.Reader) *lineDecoder {
	cr := &countingReader{r: r}
	dec := json.NewDecoder(cr)
	dec.DisallowUnknownFields()
	return &lineDecoder{dec: dec, r: cr}
}

// next decodes the next object into v and returns its first line.
func (d *lineDecoder) next(v any) (line int, err error) {
	start := d.dec.InputOffset()
	if !d.dec.More() {
		if _, err := d.dec.Token(); err != nil && !errors.Is(err, io.EOF) {
			return d.lineAt(start), err
		}
		return 0, io.EOF
	}
	err = d.dec.Decode(v)
	// The object starts at the first non-space byte after start.
	off := int(start)
	for off < len(d.r.read) && bytes.IndexByte([]byte(" \t\r\n"), d.r.read[off]) >= 0 {
		off++
	}
	return d.lineAt(int64(off)), err
}

func (d *lineDecoder) lineAt(off int64) int {
	off = min(off, int64(len(d.r.read)))
	return bytes.Count(d.r.read[:off], []byte{'\n'}) + 1
}

// countLine shows a running count on stderr when it is a terminal, for
// batches whose size is not known up front; otherwise it is nil.
func countLine(verb string) func(n int, done bool) {
	st, err := os.Stderr.Stat()
	if err != nil || st.Mode()&os.ModeCharDevice == 0 {
		return nil
	}
	return func(n int, done bool) {
		fmt.Fprintf(os.Stderr, "\r%s %d statements", verb, n)
		if done {
			fmt.Fprintln(os.Stderr)
		}
	}
}

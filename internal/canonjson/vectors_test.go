package canonjson

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/hex"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestRFC8785Vectors runs every input of the RFC authors' reference test
// data through Canonicalize and compares byte for byte with both the
// expected output and its hex form.
func TestRFC8785Vectors(t *testing.T) {
	inputs, err := filepath.Glob("testdata/jcs/input/*.json")
	if err != nil || len(inputs) != 6 {
		t.Fatalf("want 6 vector inputs, got %d (%v)", len(inputs), err)
	}
	for _, in := range inputs {
		name := strings.TrimSuffix(filepath.Base(in), ".json")
		t.Run(name, func(t *testing.T) {
			src := mustRead(t, in)
			want := mustRead(t, filepath.Join("testdata/jcs/output", name+".json"))
			hexText := mustRead(t, filepath.Join("testdata/jcs/outhex", name+".txt"))
			wantHex, err := hex.DecodeString(strings.Join(strings.Fields(string(hexText)), ""))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(want, wantHex) {
				t.Fatalf("vector files disagree: output/%s.json vs outhex/%s.txt", name, name)
			}
			got, err := Canonicalize(src)
			if err != nil {
				t.Fatalf("Canonicalize: %v", err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("got  %s\nwant %s", got, want)
			}
			again, err := Canonicalize(got)
			if err != nil || !bytes.Equal(again, got) {
				t.Fatalf("not idempotent: %s (%v)", again, err)
			}
		})
	}
}

// TestES6NumberFormatting checks AppendNumber against 100,000 lines of the
// reference generator's ECMAScript output.
func TestES6NumberFormatting(t *testing.T) {
	f, err := os.Open("testdata/jcs/es6/es6testfile_first100k.txt.gz")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(zr)
	n, bad := 0, 0
	var buf []byte
	for sc.Scan() {
		hexBits, want, ok := strings.Cut(sc.Text(), ",")
		if !ok {
			t.Fatalf("line %d: no comma", n+1)
		}
		bits, err := strconv.ParseUint(hexBits, 16, 64)
		if err != nil {
			t.Fatalf("line %d: %v", n+1, err)
		}
		n++
		v := math.Float64frombits(bits)
		if math.IsNaN(v) || math.IsInf(v, 0) {
			continue // no JSON form; the generator skips them too
		}
		buf = AppendNumber(buf[:0], v)
		if string(buf) != want {
			bad++
			if bad < 10 {
				t.Errorf("line %d: %s: got %s want %s", n, hexBits, buf, want)
			}
		}
		// The canonical form of the number as a JSON text must agree too.
		if n%97 == 0 {
			got, err := Canonicalize([]byte(want))
			if err != nil || string(got) != want {
				t.Errorf("line %d: Canonicalize(%s) = %s, %v", n, want, got, err)
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if n != 100000 {
		t.Fatalf("read %d lines, want 100000", n)
	}
	if bad > 0 {
		t.Fatalf("%d of %d numbers formatted wrongly", bad, n)
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

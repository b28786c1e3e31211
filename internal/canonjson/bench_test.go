package canonjson

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// benchDoc builds a document of about size bytes shaped like the
// statements this module signs: objects of strings, numbers and arrays.
func benchDoc(size int) []byte {
	var b strings.Builder
	b.WriteString(`{"_type":"https://in-toto.io/Statement/v1","items":[`)
	for i := 0; b.Len() < size-80; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"zkind":"code","commons":"commons-%d","quantity":%d,"weight":%g,"when":"2026-01-%02dT00:00:00Z","ok":true}`,
			i%7, i*37, float64(i)/8, i%28+1)
	}
	b.WriteString(`],"predicateType":"https://github.com/peerproduction/ppl/predicates/contribution/v1"}`)
	return []byte(b.String())
}

func benchCanonicalize(b *testing.B, size int) {
	doc := benchDoc(size)
	b.SetBytes(int64(len(doc)))
	buf := make([]byte, 0, len(doc))
	for b.Loop() {
		var err error
		buf, err = AppendCanonical(buf[:0], doc)
		if err != nil {
			b.Fatal(err)
		}
	}
}

func benchMarshal(b *testing.B, size int) {
	doc := benchDoc(size)
	var v any
	if err := json.Unmarshal(doc, &v); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(doc)))
	for b.Loop() {
		if _, err := json.Marshal(v); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCanonicalize1KiB(b *testing.B)  { benchCanonicalize(b, 1<<10) }
func BenchmarkCanonicalize64KiB(b *testing.B) { benchCanonicalize(b, 64<<10) }
func BenchmarkJSONMarshal1KiB(b *testing.B)   { benchMarshal(b, 1<<10) }
func BenchmarkJSONMarshal64KiB(b *testing.B)  { benchMarshal(b, 64<<10) }
func BenchmarkCheck64KiB(b *testing.B) {
	doc := benchDoc(64 << 10)
	b.SetBytes(int64(len(doc)))
	for b.Loop() {
		if err := Check(doc, Limits{}); err != nil {
			b.Fatal(err)
		}
	}
}

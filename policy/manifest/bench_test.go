package manifest

import (
	"fmt"
	"syscall"
	"testing"
	"time"
)

// cpuTime is the process's user and system CPU time so far. The machine
// these run on is shared, so wall time per op varies with the load; CPU
// time per op (reported as cpu-ns/op, GC included) varies much less.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func reportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric(float64(cpuTime(b)-start)/float64(b.N), "cpu-ns/op")
}

func BenchmarkParse(b *testing.B) {
	m := draft(b, "alpha", 1, 2, []string{"r1", "r2", "r3"}, "s1", "s2")
	doc, err := m.MarshalJSON()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(doc); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoadChain verifies a chain of ten versions, each rotating one of
// three root keys, as a marketplace does when it first meets a commons.
func BenchmarkLoadChain(b *testing.B) {
	envs := make([][]byte, 10)
	for v := 1; v <= 10; v++ {
		roots := []string{fmt.Sprint("r", v), fmt.Sprint("r", v+1), fmt.Sprint("r", v+2)}
		m := draft(b, "alpha", int64(v), 2, roots, "s1")
		signers := roots[:2]
		if v > 1 {
			signers = []string{fmt.Sprint("r", v-1), roots[0], roots[1]}
		}
		envs[v-1] = signed(b, m, signers...)
	}
	at := day(105)
	if _, err := Load(envs, "", at); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	start := cpuTime(b)
	for b.Loop() {
		if _, err := Load(envs, "", at); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, start)
}

// BenchmarkDerive1000 compiles evaluators for 1,000 commons from their
// manifests, each recognising the next two.
func BenchmarkDerive1000(b *testing.B) {
	const n = 1000
	chains := make([]*Chain, n)
	for i := range n {
		id := fmt.Sprintf("c%04d", i)
		m := draft(b, id, 1, 1, []string{id + "-root"}, id+"-steward")
		m.Roles.Registrars = keysOf("registrar")
		recognise(m, fmt.Sprintf("c%04d", (i+1)%n), 1, 500)
		recognise(m, fmt.Sprintf("c%04d", (i+2)%n), 1, 250)
		c, err := Open(signed(b, m, id+"-root"), "")
		if err != nil {
			b.Fatal(err)
		}
		chains[i] = c
	}
	at := day(20)
	b.ReportAllocs()
	start := cpuTime(b)
	for b.Loop() {
		cfgs, err := Derive(at, chains...)
		if err != nil {
			b.Fatal(err)
		}
		for _, c := range cfgs {
			if _, err := c.Evaluator(); err != nil {
				b.Fatal(err)
			}
		}
	}
	reportCPU(b, start)
}

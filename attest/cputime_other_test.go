//go:build !linux

package attest

import "time"

var clockStart = time.Now()

// Elsewhere the benchmarks' CPU clocks fall back to wall time.
func processCPU() time.Duration { return time.Since(clockStart) }
func threadCPU() time.Duration  { return time.Since(clockStart) }

//go:build linux

package attest

import (
	"syscall"
	"time"
	"unsafe"
)

// The benchmarks' CPU clocks. On a shared machine wall time counts the
// time spent waiting for a core; these count only the time spent on one.
const (
	clockProcessCPU = 2 // CLOCK_PROCESS_CPUTIME_ID
	clockThreadCPU  = 3 // CLOCK_THREAD_CPUTIME_ID
)

func cpuClock(id uintptr) time.Duration {
	var ts syscall.Timespec
	if _, _, e := syscall.Syscall(syscall.SYS_CLOCK_GETTIME, id, uintptr(unsafe.Pointer(&ts)), 0); e != 0 {
		panic(e)
	}
	return time.Duration(ts.Nano())
}

// processCPU is the CPU time of the whole process, garbage collection
// included.
func processCPU() time.Duration { return cpuClock(clockProcessCPU) }

// threadCPU is the CPU time of the calling thread; lock the goroutine to
// its thread to use it.
func threadCPU() time.Duration { return cpuClock(clockThreadCPU) }

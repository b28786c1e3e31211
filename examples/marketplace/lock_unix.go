//go:build unix

package main

import (
	"fmt"
	"os"
	"syscall"
)

// lockFile takes an exclusive advisory lock on path, held until unlock or
// the process's death (the kernel drops it on kill -9, so a crash leaves no
// stale lock behind).
func lockFile(path string) (unlock func(), err error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, fmt.Errorf("%w: %s is locked (%v); stop the other instance, or share state on PostgreSQL", ErrLocked, path, err)
	}
	return func() { f.Close() }, nil
}

//go:build !unix

package main

import "fmt"

// lockFile is not implemented here: without a lock two instances could
// write one SQLite file, so the service refuses SQLite on this platform.
func lockFile(path string) (func(), error) {
	return nil, fmt.Errorf("%w: cannot lock %s on this platform; use PostgreSQL", ErrLocked, path)
}

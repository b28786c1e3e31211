package main

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"sync"
)

// The evidence log is append-only. Each record is
//
//	uint32 length (big-endian) | uint32 CRC-32C of the body | body
//
// and is fsynced before the request that wrote it is answered. On open the
// log is read back in full; a final record cut short or failing its
// checksum (a crash mid-write) is reported as a *TornError, never silently
// dropped: the operator repairs it explicitly (truncating to the last whole
// record) after looking.

var crcTable = crc32.MakeTable(crc32.Castagnoli)

const maxRecord = 4 << 20

// TornError reports a damaged final record.
type TornError struct {
	Offset int64 // where the damaged record starts: the length to truncate to
	Size   int64 // the file's size
	Reason string
}

func (e *TornError) Error() string {
	return fmt.Sprintf("evidence log: torn record at offset %d of %d (%s): run with -repair to truncate it after checking", e.Offset, e.Size, e.Reason)
}

type evidenceLog struct {
	mu sync.Mutex
	f  *os.File
}

// openLog opens (creating) the log at path, calls replay for every whole
// record in order, and returns the log positioned for appending. With
// repair set, a torn final record is truncated away (and reported through
// the returned *TornError alongside a usable log); otherwise it is an error.
func openLog(path string, repair bool, replay func(body []byte) error) (*evidenceLog, *TornError, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	size := st.Size()
	var off int64
	var torn *TornError
	hdr := make([]byte, 8)
	for off < size {
		if _, err := f.ReadAt(hdr, off); err != nil {
			torn = &TornError{Offset: off, Size: size, Reason: "header cut short"}
			break
		}
		n := int64(binary.BigEndian.Uint32(hdr))
		if n > maxRecord {
			torn = &TornError{Offset: off, Size: size, Reason: fmt.Sprintf("length %d exceeds the limit", n)}
			break
		}
		body := make([]byte, n)
		if _, err := f.ReadAt(body, off+8); err != nil {
			torn = &TornError{Offset: off, Size: size, Reason: "body cut short"}
			break
		}
		if crc32.Checksum(body, crcTable) != binary.BigEndian.Uint32(hdr[4:]) {
			torn = &TornError{Offset: off, Size: size, Reason: "checksum mismatch"}
			break
		}
		if err := replay(body); err != nil {
			f.Close()
			return nil, nil, fmt.Errorf("evidence log: record at offset %d: %w", off, err)
		}
		off += 8 + n
	}
	if torn != nil {
		if !repair {
			f.Close()
			return nil, nil, torn
		}
		if err := f.Truncate(torn.Offset); err != nil {
			f.Close()
			return nil, nil, err
		}
		if err := f.Sync(); err != nil {
			f.Close()
			return nil, nil, err
		}
	}
	if _, err := f.Seek(0, io.SeekEnd); err != nil {
		f.Close()
		return nil, nil, err
	}
	return &evidenceLog{f: f}, torn, nil
}

// append writes one record and fsyncs it.
func (l *evidenceLog) append(body []byte) error {
	if len(body) > maxRecord {
		return errors.New("evidence log: record too large")
	}
	rec := make([]byte, 8+len(body))
	binary.BigEndian.PutUint32(rec, uint32(len(body)))
	binary.BigEndian.PutUint32(rec[4:], crc32.Checksum(body, crcTable))
	copy(rec[8:], body)
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, err := l.f.Write(rec); err != nil {
		return err
	}
	return l.f.Sync()
}

func (l *evidenceLog) Close() error { return l.f.Close() }

package attest

// sshReader reads the SSH wire encoding (RFC 4251 section 5): big-endian
// uint32 and length-prefixed strings. Errors are sticky so a caller checks
// once at the end.
type sshReader struct {
	b   []byte
	err bool
}

func (r *sshReader) u32() uint32 {
	if r.err || len(r.b) < 4 {
		r.err = true
		return 0
	}
	n := uint32(r.b[0])<<24 | uint32(r.b[1])<<16 | uint32(r.b[2])<<8 | uint32(r.b[3])
	r.b = r.b[4:]
	return n
}

func (r *sshReader) str() []byte {
	n := r.u32()
	if r.err || uint64(n) > uint64(len(r.b)) {
		r.err = true
		return nil
	}
	s := r.b[:n]
	r.b = r.b[n:]
	return s
}

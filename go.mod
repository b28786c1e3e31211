module github.com/peerproduction/ppl

go 1.26.8

require (
	filippo.io/edwards25519 v1.2.0
	github.com/github/go-spdx/v2 v2.8.0
	github.com/google/go-cmp v0.7.0
	github.com/gowebpki/jcs v1.0.1
	github.com/santhosh-tekuri/jsonschema/v5 v5.3.1
	golang.org/x/crypto v0.59.0
	golang.org/x/term v0.48.0
)

require golang.org/x/sys v0.50.0 // indirect

// Command ppl is the way a steward, a registrar or a buyer works with
// peer production licensing without writing Go.
//
//	go run ./examples/ppl help
//	go install github.com/peerproduction/ppl/examples/ppl@latest
//
// Commands:
//
//	ppl keygen [-format openssh|pem] [-comment c] -o FILE   make an Ed25519 key; prints its key id
//	ppl fingerprint FILE                                    print a key's id (as ssh-keygen -l)
//	ppl sign contribution|membership|entity|revocation ...  sign a statement (DSSE envelope)
//	ppl sign -ssh -key FILE [-n NAMESPACE] FILE             sign a file as ssh-keygen -Y sign does
//	ppl verify -manifests DIR -at TIME ENVELOPE|DIR...       verify statements, grants and payouts
//	ppl verify -ssh -allowed-signers FILE -I ID [-n NS] -sig SIG -at TIME FILE
//	ppl verify -grant -manifests DIR -at TIME GRANT         verify a grant (what it says, even expired)
//	ppl terms list | show ID | check FILE                   built-in terms; validate a terms file
//	ppl decide -trust FILE -entity ID -at TIME [...] EVIDENCE...   decide free / pay / deny
//	ppl grant -key FILE -payment REF [decide flags] EVIDENCE...   sign a decision as a grant
//	ppl payout -trust FILE -key FILE -amount N ... EVIDENCE...     split a payment among contributors, signed
//	ppl scan -entity ID -at TIME [-commercial] [...] SBOM         what an SBOM's components cost (CycloneDX, SPDX)
//
// NAMESPACE defaults to ppl@peerproduction (attest.SSHNamespace), the
// namespace ppl signs under; git signs commits under git.
//
// Exit status: 0 success, 1 refused (verification failed, use denied),
// 2 usage error. Errors go to stderr on one line that says what to do.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/peerproduction/ppl/attest"
)

// exitError carries an exit status with a one-line message.
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

func usage(format string, args ...any) error {
	return &exitError{code: 2, msg: fmt.Sprintf(format, args...)}
}

func refused(format string, args ...any) error {
	return &exitError{code: 1, msg: fmt.Sprintf(format, args...)}
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is main without the process: the tests call it too.
func run(args []string, stdout, stderr io.Writer) int {
	err := dispatch(args, stdout, stderr)
	if err == nil {
		return 0
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.code != 0 {
			fmt.Fprintln(stderr, "ppl:", ee.msg)
		}
		return ee.code
	}
	fmt.Fprintln(stderr, "ppl:", err)
	return 1
}

const help = `ppl: peer production licensing from the command line

  ppl keygen [-format openssh|pem] [-comment C] -o FILE
  ppl fingerprint FILE
  ppl sign contribution -key FILE (-in JSON | -commons ID -contributor KEYFILE|ID -kind K -quantity N -unit U -at TIME [-entity ID]) [-o OUT]
  ppl sign membership   -key FILE (-in JSON | -entity ID -member KEYFILE -from TIME [-until TIME] [-role R]) [-o OUT]
  ppl sign membership   -key MEMBERKEY -add-to ENVELOPE [-o OUT]      (the member's second signature)
  ppl sign entity       -key FILE (-in JSON | -entity ID -kind K [-worker-owned] [-surplus-to-workers] [-headcount N] [-revenue N -currency C] -as-of TIME) [-o OUT]
  ppl sign revocation   -key FILE (-statement DIGEST | -revoke-key KEYFILE|ID -from TIME) [-reason R] [-o OUT]
  ppl sign -ssh -key FILE [-n NAMESPACE] FILE                      (writes FILE.sig)
  ppl verify (-manifests DIR [-commons ID] | -trust FILE) -at TIME ENVELOPE|DIR|-...   statements, grants, payouts
  ppl verify -ssh -allowed-signers FILE -I PRINCIPAL [-n NAMESPACE] -sig SIGFILE -at TIME FILE
  ppl verify -grant (-manifests DIR [-commons ID] | -trust FILE) -at TIME GRANT
  ppl terms list | show ID | check FILE
  ppl decide -trust FILE -entity ID -at TIME [-terms ID|FILE] [-commercial] [-purpose P] [-seats N] [-first-use TIME] [-json] EVIDENCE|DIR...
  ppl grant  -key FILE -payment REF [-until TIME] [decide flags] EVIDENCE|DIR...
  ppl payout -trust FILE -key FILE -amount N -currency C -payer ID -reference REF -at TIME [-association ID -association-bp N -minimum N] EVIDENCE|DIR...
  ppl scan   -entity ID -at TIME [-commercial] [-purpose P] [-seats N] [-kind K] [-headcount N] [-revenue MINOR -currency C] [-free LIST|permissive] [-json] SBOM|-
  ppl commons init | add-key | recognise | sign | verify | show | diff ...   the signed commons manifest (ppl commons help)
  ` + synContributions + `

TIME is RFC 3339 (2026-11-25T12:00:00Z) or a date (2026-11-25).
Batch signing: 'ppl sign contribution -key FILE -in FILE|-' takes JSON Lines, one
contribution a line ({"commons","contributor","entity","kind","quantity","unit","at",
"from","evidence"}), decrypts the key once and writes one envelope a line (-o FILE),
or a file per statement named by its digest (-o DIR/; a re-run adds only new ones).
Encrypted keys (ppl keygen -encrypt): the passphrase comes from PPL_PASSPHRASE, the
file PPL_PASSPHRASE_FILE names, or a prompt on the terminal.
Commands that write a file (-o) refuse to replace one unless -f is given.
An ID (commons, entity, payer) is lower-case ASCII: a-z and 0-9, with '.', '-'
or '_' between them (makers-coop, org.example.cad), at most 128 characters.
The trust file names the commons, the commons it recognises and who may attest what;
see 'ppl help trust'. Run 'ppl COMMAND -h' for a command's flags.
NAMESPACE defaults to ` + attest.SSHNamespace + `, the namespace ppl signs under; git signs commits under git.
Exit status: 0 success, 1 refused or failed verification, 2 usage error.
`

const helpTrust = `A trust file (JSON):

  {
    "commons": {"id": "alpha", "name": "Alpha", "stewards": ["steward.pub"],
                "recognises": [{"commons": "beta", "weight": 0.5}]},
    "peers":   [{"id": "beta", "stewards": ["beta-steward.pub"]}],
    "rules": [
      {"key": "steward.pub", "predicates": ["contribution"], "subjects": ["commons:alpha"]},
      {"key": "registrar.pub", "predicates": ["entity", "revocation"], "subjects": ["entity:*", "statement:*"]},
      {"key": "acme.pub", "predicates": ["membership"], "subjects": ["entity:acme"]},
      {"key": "marketplace.pub", "predicates": ["grant"], "subjects": ["commons:alpha", "entity:*"],
       "from": "2026-01-01", "until": "2028-01-01"}
    ],
    "revocations": ["revoke-old-steward.json"],
    "acceptSelfDeclared": false
  }

Keys are public key files (.pub, PEM) relative to the trust file, or inline
"ssh-ed25519 AAAA..." lines. Predicates are contribution, membership, entity,
revocation, grant, or full predicate type URIs.

Revocations are envelopes made by 'ppl sign revocation', relative to the
trust file; revocations among the evidence of decide, grant and payout are
applied too. Each must verify (its signer trusted for "revocation" and its
subject), or the command stops naming the file. The command line keeps no
record of when it first saw a statement, so a key revoked from a time before
-at counts for nothing: keep evidence in a ledger that records first-seen
times to keep what the key signed before its revocation.
`

// dispatch runs a command: what it makes (an envelope, a decision, a
// report) goes to out, warnings to warn, so out can be piped into the next
// step.
func dispatch(args []string, out, warn io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(out, help)
		return usage("no command given: run 'ppl help'")
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "help", "-h", "--help":
		if len(rest) > 0 && rest[0] == "trust" {
			fmt.Fprint(out, helpTrust)
			return nil
		}
		fmt.Fprint(out, help)
		return nil
	case "keygen":
		return cmdKeygen(rest, out)
	case "fingerprint":
		return cmdFingerprint(rest, out)
	case "sign":
		return cmdSign(rest, out)
	case "verify":
		return cmdVerify(rest, out)
	case "terms":
		return cmdTerms(rest, out)
	case "decide":
		return cmdDecide(rest, out, false)
	case "grant":
		return cmdDecide(rest, out, true)
	case "payout":
		return cmdPayout(rest, out, warn)
	case "scan":
		return cmdScan(rest, out)
	case "commons":
		return cmdCommons(rest, out)
	case "contributions":
		return cmdContributions(rest, out)
	}
	return usage("unknown command %q: run 'ppl help'", cmd)
}

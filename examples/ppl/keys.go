package main

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/peerproduction/ppl/attest"
)

func newFlags(name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	_ = synopsis
	return fs
}

// parse parses flags, turning -h into the command's help on stdout.
func parse(fs *flag.FlagSet, args []string, out io.Writer, synopsis string) error {
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			fmt.Fprintf(out, "usage: %s\n", synopsis)
			fs.SetOutput(out)
			fs.PrintDefaults()
			return errHelpShown
		}
		return usage("%s: %v (usage: %s)", fs.Name(), err, synopsis)
	}
	return nil
}

// errHelpShown ends a command successfully after printing its help.
var errHelpShown = &exitError{code: 0}

func cmdKeygen(args []string, out io.Writer) error {
	const syn = "ppl keygen [-format openssh|pem] [-comment C] [-encrypt] -o FILE"
	fs := newFlags("keygen", syn)
	format := fs.String("format", "openssh", "private key format: openssh or pem (PKCS#8)")
	comment := fs.String("comment", "", "comment for the OpenSSH public key line")
	o := fs.String("o", "", "write the private key to FILE and the public key to FILE.pub")
	encrypt := fs.Bool("encrypt", false, "encrypt the OpenSSH private key with a passphrase (PPL_PASSPHRASE, PPL_PASSPHRASE_FILE, or asked)")
	if err := parse(fs, args, out, syn); err != nil {
		return err
	}
	if *o == "" {
		return usage("keygen: -o FILE is required (the private key is never printed)")
	}
	if _, err := os.Stat(*o); err == nil {
		return usage("keygen: %s exists: choose another -o or remove it first", *o)
	}
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return err
	}
	var pass []byte
	if *encrypt {
		if *format != "openssh" {
			return usage("keygen: -encrypt needs -format openssh")
		}
		if pass, err = passphrase("passphrase for the new key: ", true); err != nil {
			return usage("keygen: %v", err)
		}
		if len(pass) == 0 {
			return usage("keygen: -encrypt: the passphrase is empty")
		}
	}
	var privBytes, pubBytes []byte
	switch *format {
	case "openssh":
		privBytes, err = attest.MarshalOpenSSHPrivateKey(priv, *comment, pass)
		pubBytes = attest.MarshalAuthorizedKey(pub, *comment)
	case "pem":
		privBytes, err = attest.MarshalPKCS8PrivateKey(priv)
		if err == nil {
			pubBytes, err = attest.MarshalPKIXPublicKey(pub)
		}
	default:
		return usage("keygen: -format %q: want openssh or pem", *format)
	}
	if err != nil {
		return err
	}
	if err := os.WriteFile(*o, privBytes, 0o600); err != nil {
		return err
	}
	if err := os.WriteFile(*o+".pub", pubBytes, 0o644); err != nil {
		return err
	}
	fmt.Fprintln(out, attest.KeyID(pub))
	return nil
}

func cmdFingerprint(args []string, out io.Writer) error {
	const syn = "ppl fingerprint FILE"
	fs := newFlags("fingerprint", syn)
	if err := parse(fs, args, out, syn); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usage("fingerprint: give one key file (public or private)")
	}
	pub, err := loadPublicKey(fs.Arg(0))
	if err != nil {
		return usage("fingerprint: %v", err)
	}
	fmt.Fprintln(out, attest.KeyID(pub))
	return nil
}

// loadPublicKey reads a public key file, or derives the public key from a
// private key file, or takes an inline "ssh-ed25519 ..." line.
func loadPublicKey(ref string) (ed25519.PublicKey, error) {
	if strings.HasPrefix(ref, "ssh-") {
		return attest.ParsePublicKey([]byte(ref))
	}
	data, err := os.ReadFile(ref)
	if err != nil {
		return nil, err
	}
	if pub, err := attest.ParsePublicKey(data); err == nil {
		return pub, nil
	}
	priv, err := loadPrivateKey(ref)
	if err != nil {
		return nil, err
	}
	return priv.Public().(ed25519.PublicKey), nil
}

// loadPrivateKey reads a private key file. An encrypted key is decrypted
// with the passphrase from PPL_PASSPHRASE, or the file PPL_PASSPHRASE_FILE
// names, or, on a terminal, asked for; an unencrypted key never needs one,
// whatever the environment holds.
func loadPrivateKey(path string) (ed25519.PrivateKey, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	k, err := attest.ParsePrivateKey(data, nil)
	if errors.Is(err, attest.ErrPassphraseRequired) {
		var pass []byte
		if pass, err = passphrase("passphrase for "+path+": ", false); err == nil {
			k, err = attest.ParsePrivateKey(data, pass)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return k, nil
}

// passphrase finds the passphrase for an encrypted key: PPL_PASSPHRASE,
// else the first line of the file PPL_PASSPHRASE_FILE names, else a prompt
// on the terminal (asked twice when confirm is set, for a new key).
func passphrase(prompt string, confirm bool) ([]byte, error) {
	if p, ok := os.LookupEnv("PPL_PASSPHRASE"); ok {
		return []byte(p), nil
	}
	if f := os.Getenv("PPL_PASSPHRASE_FILE"); f != "" {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("PPL_PASSPHRASE_FILE: %w", err)
		}
		line, _, _ := strings.Cut(string(data), "\n")
		return []byte(strings.TrimSuffix(line, "\r")), nil
	}
	fd := int(os.Stdin.Fd())
	if !term.IsTerminal(fd) {
		return nil, fmt.Errorf("%w: set PPL_PASSPHRASE or PPL_PASSPHRASE_FILE, or run on a terminal to be asked", attest.ErrPassphraseRequired)
	}
	fmt.Fprint(os.Stderr, prompt)
	p, err := term.ReadPassword(fd)
	fmt.Fprintln(os.Stderr)
	if err != nil {
		return nil, err
	}
	if confirm {
		fmt.Fprint(os.Stderr, "again: ")
		again, err := term.ReadPassword(fd)
		fmt.Fprintln(os.Stderr)
		if err != nil {
			return nil, err
		}
		if !bytes.Equal(p, again) {
			return nil, errors.New("the passphrases differ")
		}
	}
	return p, nil
}

// keyIDOf accepts a key id ("SHA256:...") or a key file.
func keyIDOf(ref string) (string, error) {
	if strings.HasPrefix(ref, "SHA256:") {
		return ref, nil
	}
	pub, err := loadPublicKey(ref)
	if err != nil {
		return "", err
	}
	return attest.KeyID(pub), nil
}

// parseTime reads RFC 3339 or a bare date (midnight UTC).
func parseTime(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("time %q: want RFC 3339 (2026-11-25T12:00:00Z) or a date (2026-11-25)", s)
	}
	return t, nil
}

// timeFlag is a flag.Value holding a time.
type timeFlag struct{ t time.Time }

func (f *timeFlag) String() string {
	if f.t.IsZero() {
		return ""
	}
	return f.t.Format(time.RFC3339)
}

func (f *timeFlag) Set(s string) (err error) {
	f.t, err = parseTime(s)
	return err
}

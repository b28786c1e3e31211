package main

import (
	"crypto/ed25519"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/peerproduction/ppl/attest"
	"github.com/peerproduction/ppl/contribution"
)

func cmdSign(args []string, out io.Writer) error {
	if len(args) > 0 && args[0] == "-ssh" {
		return cmdSignSSH(args[1:], out)
	}
	if len(args) == 0 {
		return usage("sign: say what to sign: contribution, membership, entity or revocation (or -ssh FILE)")
	}
	kind, args := args[0], args[1:]
	syn := "ppl sign " + kind + " -key FILE [flags] [-o OUT]   (ppl help)"
	fs := newFlags("sign "+kind, syn)
	keyPath := fs.String("key", "", "private key that signs")
	outPath := fs.String("o", "", "write the envelope here instead of stdout")
	in := fs.String("in", "", "read the statement's fields from this JSON file (- for stdin); for contributions, JSON Lines sign many from one decrypted key")
	force := fs.Bool("f", false, "overwrite the -o file if it exists")
	var st attest.Statement
	var build func() (attest.Statement, error)
	// batch, when set, signs what -in holds itself (many statements from
	// one decrypted key).
	var batch func(keyPath, outPath string, force bool, out io.Writer) error
	switch kind {
	case "contribution":
		commons := fs.String("commons", "", "commons id")
		contributor := fs.String("contributor", "", "contributor's key file or key id")
		entity := fs.String("entity", "", "entity the contribution was made for (optional, but ppl decide counts a contribution only for the entity it names)")
		k := fs.String("kind", "", "kind: code, docs, design, review, translation, funding, hours, ...")
		qty := fs.String("quantity", "", "quantity, a decimal with up to 3 fractional digits")
		unit := fs.String("unit", "points", "unit of the quantity")
		var at, from timeFlag
		fs.Var(&at, "at", "when it was contributed (or the end of a period)")
		fs.Var(&from, "from", "start of the period (optional)")
		var evidence multiFlag
		fs.Var(&evidence, "evidence", "evidence reference, e.g. gitCommit:<sha> (repeatable)")
		build = func() (attest.Statement, error) {
			f := contributionIn{Commons: *commons, Contributor: *contributor, Entity: *entity, Kind: *k, Quantity: *qty, Unit: *unit,
				At: at.String(), From: from.String(), Evidence: evidence}
			return contributionStatement(f, "-")
		}
		batch = func(keyPath, outPath string, force bool, out io.Writer) error {
			return signContributions(*in, keyPath, outPath, force, out)
		}
	case "membership":
		entity := fs.String("entity", "", "entity id")
		member := fs.String("member", "", "member's public key file")
		role := fs.String("role", "", "role (optional)")
		addTo := fs.String("add-to", "", "add this key's signature to an existing membership envelope")
		var from, until timeFlag
		fs.Var(&from, "from", "membership start")
		fs.Var(&until, "until", "membership end (optional)")
		build = func() (attest.Statement, error) {
			if *addTo != "" {
				return st, nil // handled below
			}
			if err := checkIDs("sign membership", "-entity", *entity); err != nil {
				return st, err
			}
			m := contribution.Membership{Entity: *entity, Role: *role, From: from.t, Until: until.t}
			pub, err := loadPublicKey(*member)
			if err != nil {
				return st, usage("sign membership: -member: %v", err)
			}
			return contribution.NewMembershipStatement(m, pub)
		}
		if err := parse(fs, args, out, syn); err != nil {
			return err
		}
		if *addTo != "" {
			return addSignature(*addTo, *keyPath, *outPath, out)
		}
		return signAndWrite(build, *keyPath, *outPath, out)
	case "entity":
		entity := fs.String("entity", "", "entity id")
		name := fs.String("name", "", "entity name")
		k := fs.String("kind", "", "individual, worker-cooperative, cooperative, nonprofit, public-body or for-profit")
		wo := fs.Bool("worker-owned", false, "the entity is worker-owned")
		surplus := fs.Bool("surplus-to-workers", false, "the entity distributes its surplus to its workers")
		headcount := fs.Int64("headcount", -1, "people working for the entity")
		revenue := fs.Int64("revenue", -1, "annual revenue in minor units (cents)")
		currency := fs.String("currency", "", "ISO 4217 currency of -revenue")
		self := fs.String("self-key", "", "the entity's own public key file, when it declares its own facts")
		var asOf timeFlag
		fs.Var(&asOf, "as-of", "date the facts hold as of")
		build = func() (attest.Statement, error) {
			if *in != "" {
				var f entityIn
				if err := readFields(*in, &f); err != nil {
					return st, err
				}
				*entity, *name, *k, *wo, *surplus, *self = f.Entity, f.Name, f.Kind, f.WorkerOwned, f.SurplusToWorkers, f.Key
				if f.Headcount != nil {
					*headcount = *f.Headcount
				}
				if f.Revenue != nil {
					*revenue, *currency = f.Revenue.Amount, f.Revenue.Currency
				}
				if err := asOf.Set(f.AsOf); err != nil {
					return st, usage("-in %s: asOf: %v", *in, err)
				}
			}
			if err := checkIDs("sign entity", source(*in, "entity", "entity"), *entity); err != nil {
				return st, err
			}
			e := contribution.Entity{ID: *entity, Name: *name, AsOf: asOf.t,
				Kind: contribution.KindFact{Known: *k != "", Value: contribution.EntityKind(*k)},
				// A fact the signer did not state stays unknown: no silent "false".
				WorkerOwned:      contribution.BoolFact{Known: set(fs, "worker-owned") || *wo, Value: *wo},
				SurplusToWorkers: contribution.BoolFact{Known: set(fs, "surplus-to-workers") || *surplus, Value: *surplus}}
			if *headcount >= 0 {
				e.Headcount = contribution.IntFact{Known: true, Value: *headcount}
			}
			if *revenue >= 0 {
				e.AnnualRevenue = contribution.MoneyFact{Known: true, Value: contribution.Money{Amount: *revenue, Currency: *currency}}
			}
			if *self != "" {
				id, err := keyIDOf(*self)
				if err != nil {
					return st, usage("sign entity: -self-key: %v", err)
				}
				e.Key = id
			}
			return contribution.NewEntityStatement(e)
		}
	case "revocation":
		stmt := fs.String("statement", "", "digest of the statement to revoke (sha256:...)")
		rk := fs.String("revoke-key", "", "key file or key id to revoke")
		reason := fs.String("reason", "", "why")
		var from timeFlag
		fs.Var(&from, "from", "with -revoke-key: statements first seen from this time on are refused")
		build = func() (attest.Statement, error) {
			r := attest.Revocation{Statement: *stmt, Reason: *reason}
			if *rk != "" {
				id, err := keyIDOf(*rk)
				if err != nil {
					return st, usage("sign revocation: -revoke-key: %v", err)
				}
				r.Key = id
				if !from.t.IsZero() {
					r.From = &from.t
				}
			}
			return attest.NewRevocationStatement(r)
		}
	default:
		return usage("sign: unknown statement %q: want contribution, membership, entity or revocation", kind)
	}
	if err := parse(fs, args, out, syn); err != nil {
		return err
	}
	if batch != nil && *in != "" {
		return batch(*keyPath, *outPath, *force, out)
	}
	if err := refuseOverwrite(*outPath, *force); err != nil {
		return err
	}
	return signAndWrite(build, *keyPath, *outPath, out)
}

// refuseOverwrite refuses to replace an existing file unless -f says so,
// as ssh-keygen -Y sign asks before it overwrites.
func refuseOverwrite(path string, force bool) error {
	if path == "" || force {
		return nil
	}
	if st, err := os.Stat(path); err == nil && !st.IsDir() {
		return usage("%s exists: choose another -o, or -f to overwrite it", path)
	}
	return nil
}

func signAndWrite(build func() (attest.Statement, error), keyPath, outPath string, out io.Writer) error {
	if keyPath == "" {
		return usage("sign: -key FILE is required")
	}
	key, err := loadPrivateKey(keyPath)
	if err != nil {
		return usage("sign: -key: %v", err)
	}
	st, err := build()
	if err != nil {
		if _, ok := err.(*exitError); ok {
			return err
		}
		return usage("sign: %v", err)
	}
	env, err := attest.SignStatement(st, key)
	if err != nil {
		return err
	}
	return writeEnvelope(env, outPath, out)
}

// addSignature adds the member's signature to a membership envelope the
// entity signed: one envelope, two signatures.
func addSignature(envPath, keyPath, outPath string, out io.Writer) error {
	data, err := os.ReadFile(envPath)
	if err != nil {
		return usage("sign membership: -add-to: %v", err)
	}
	env, err := attest.ParseEnvelope(data)
	if err != nil {
		return refused("sign membership: -add-to %s: %v", envPath, err)
	}
	if keyPath == "" {
		return usage("sign membership: -key FILE is required")
	}
	key, err := loadPrivateKey(keyPath)
	if err != nil {
		return usage("sign: -key: %v", err)
	}
	if env.SignedBy(key.Public().(ed25519.PublicKey)) == nil {
		return usage("sign membership: %s is already signed by this key", envPath)
	}
	if err := env.AddSignature(key); err != nil {
		return err
	}
	if outPath == "" {
		outPath = envPath
	}
	return writeEnvelope(env, outPath, out)
}

// writeEnvelopeTo writes env to outPath (refusing to replace a file
// without force) or, with no path, to out.
func writeEnvelopeTo(env *attest.Envelope, outPath string, force bool, out io.Writer) error {
	if err := refuseOverwrite(outPath, force); err != nil {
		return err
	}
	return writeEnvelope(env, outPath, out)
}

func writeEnvelope(env *attest.Envelope, outPath string, out io.Writer) error {
	b, err := env.MarshalJSON()
	if err != nil {
		return err
	}
	b = append(b, '\n')
	if outPath == "" {
		_, err = out.Write(b)
		return err
	}
	if err := os.WriteFile(outPath, b, 0o644); err != nil {
		return err
	}
	fmt.Fprintln(out, attest.Digest(env.Payload))
	return nil
}

func readFields(path string, v any) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return usage("-in: %v", err)
	}
	if err := decodeStrict(data, v); err != nil {
		return usage("-in %s: %v", path, err)
	}
	return nil
}

func cmdSignSSH(args []string, out io.Writer) error {
	const syn = "ppl sign -ssh -key FILE [-n NAMESPACE] [-hash sha512|sha256] FILE"
	fs := newFlags("sign -ssh", syn)
	keyPath := fs.String("key", "", "private key")
	ns := fs.String("n", attest.SSHNamespace, "namespace: "+attest.SSHNamespace+" for ppl, git for commits")
	hash := fs.String("hash", "sha512", "sha512 (ssh-keygen's default) or sha256")
	if err := parse(fs, args, out, syn); err != nil {
		return err
	}
	if fs.NArg() != 1 || *keyPath == "" || *ns == "" {
		return usage("sign -ssh: need -key, a non-empty -n and one FILE (usage: %s)", syn)
	}
	key, err := loadPrivateKey(*keyPath)
	if err != nil {
		return usage("sign -ssh: -key: %v", err)
	}
	msg, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		return usage("sign -ssh: %v", err)
	}
	sig, err := attest.SignSSH(key, *ns, msg, *hash)
	if err != nil {
		return usage("sign -ssh: %v", err)
	}
	if err := os.WriteFile(fs.Arg(0)+".sig", sig, 0o644); err != nil {
		return err
	}
	fmt.Fprintln(out, fs.Arg(0)+".sig")
	return nil
}

// multiFlag collects a repeatable string flag.
type multiFlag []string

func (m *multiFlag) String() string     { return fmt.Sprint([]string(*m)) }
func (m *multiFlag) Set(s string) error { *m = append(*m, s); return nil }

// contributionIn is the -in file of "ppl sign contribution".
type contributionIn struct {
	Commons     string   `json:"commons"`
	Contributor string   `json:"contributor"` // key id or key file
	Entity      string   `json:"entity,omitempty"`
	Kind        string   `json:"kind"`
	Quantity    string   `json:"quantity"`
	Unit        string   `json:"unit"`
	At          string   `json:"at"`
	From        string   `json:"from,omitempty"`
	Evidence    []string `json:"evidence,omitempty"`
}

// entityIn is the -in file of "ppl sign entity".
type entityIn struct {
	Entity           string `json:"entity"`
	Name             string `json:"name,omitempty"`
	Kind             string `json:"kind,omitempty"`
	WorkerOwned      bool   `json:"workerOwned,omitempty"`
	SurplusToWorkers bool   `json:"surplusToWorkers,omitempty"`
	Headcount        *int64 `json:"headcount,omitempty"`
	Revenue          *struct {
		Amount   int64  `json:"amount"`
		Currency string `json:"currency"`
	} `json:"revenue,omitempty"`
	AsOf string `json:"asOf"`
	Key  string `json:"key,omitempty"` // the entity's own key, when it declares its own facts
}

// set reports whether the flag was given on the command line.
func set(fs *flag.FlagSet, name string) bool {
	found := false
	fs.Visit(func(f *flag.Flag) { found = found || f.Name == name })
	return found
}

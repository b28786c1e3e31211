package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/peerproduction/ppl/license"
)

func cmdTerms(args []string, out io.Writer) error {
	if len(args) == 0 {
		return usage("terms: say list, show ID or check FILE")
	}
	switch args[0] {
	case "list":
		for _, id := range license.Builtins() {
			t, err := license.Builtin(id)
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "%-32s %s %s\n", id, t.Name, t.Version)
		}
		return nil
	case "show":
		if len(args) != 2 {
			return usage("terms show: give one built-in id (ppl terms list)")
		}
		data, err := license.BuiltinJSON(args[1])
		if err != nil {
			return usage("terms show: %v", err)
		}
		_, err = out.Write(data)
		return err
	case "check":
		if len(args) != 2 {
			return usage("terms check: give one terms file")
		}
		data, err := os.ReadFile(args[1])
		if err != nil {
			return usage("terms check: %v", err)
		}
		t, err := license.Parse(data)
		var pe *license.ParseError
		if errors.As(err, &pe) {
			for _, p := range pe.Problems {
				fmt.Fprintf(out, "%s: %s\n", args[1], p)
			}
			return refused("terms check: %d problem(s) in %s", len(pe.Problems), args[1])
		}
		if err != nil {
			return refused("terms check: %v", err)
		}
		d, _ := t.Digest()
		fmt.Fprintf(out, "%s: ok (%s, %d clauses, %s)\n", args[1], t.Name, len(t.Clauses), d)
		return nil
	}
	return usage("terms: unknown subcommand %q: want list, show or check", args[0])
}

// loadTerms takes a built-in id or a terms file.
func loadTerms(ref string) (*license.Terms, error) {
	if t, err := license.Builtin(ref); err == nil {
		return t, nil
	}
	data, err := os.ReadFile(ref)
	if err != nil {
		return nil, fmt.Errorf("%q is neither a built-in (ppl terms list) nor a readable file: %v", ref, err)
	}
	return license.Parse(data)
}

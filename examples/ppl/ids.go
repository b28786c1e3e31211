package main

import "github.com/peerproduction/ppl/attest"

// checkIDs refuses, as a usage error naming where the user wrote it, the
// first commons or entity id outside attest's grammar, before anything is
// signed or decided with it. pairs are where, value, where, value…; an
// empty value is left to the check that says it is required.
func checkIDs(cmd string, pairs ...string) error {
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i+1] == "" {
			continue
		}
		if err := attest.CheckID(pairs[i+1]); err != nil {
			ie := err.(*attest.IDError)
			ie.Where = pairs[i]
			return usage("%s: %v", cmd, ie)
		}
	}
	return nil
}

// source names a value given by flag, or by member of the -in file in.
func source(in, member, flag string) string {
	if in != "" {
		return "/" + member + " in " + in
	}
	return "-" + flag
}

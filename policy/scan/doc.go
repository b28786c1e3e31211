// Package scan answers a company's question across everything it ships
// and runs: which licenses make us pay, how much, which forbid our use,
// which does ppl not know, and which contributions would make us free.
//
// # Input
//
// ReadSBOM reads the software bills of materials the ecosystem's tools
// already write: CycloneDX 1.4 to 1.6 and SPDX 2.3, in JSON (syft,
// cyclonedx-gomod, Trivy, the SPDX tools). Each component keeps the SPDX
// license expression it is offered under and the JSON pointer where the
// SBOM says so. CycloneDX license entries of one component all apply (they
// are joined with AND); where a component declares none, the licenses a
// tool detected in its files (CycloneDX evidence) are used and marked
// Detected. SPDX packages take licenseConcluded, or licenseDeclared where
// nothing was concluded; the package the document describes is the
// product itself and is left out.
//
// # Deciding
//
// A Scanner decides each component for one entity and use (a Query):
//
//   - A component the marketplace knows as a commons (Config.Commons) is
//     decided by that commons' own evaluator and the query's evidence.
//   - Otherwise each license of its expression is decided by ppl's
//     built-in terms for that SPDX id (license.Builtin), with the entity's
//     facts as the query states them (a company estimating what it owes,
//     not a grant: every fact used is self-declared), or is free because
//     the company lists it as free (Config.Free, e.g. the permissive open
//     source licenses it accepts), or is Unknown: ppl has no terms for it.
//     An unknown license, or a component that states no license, is never
//     silently free.
//   - An expression is decided by its branches: every minimal set of its
//     licenses that satisfies it (github.com/github/go-spdx parses and
//     evaluates it). The entity takes the cheapest: free before pay before
//     unknown before deny, then fewer payments, then the smaller total in
//     one currency and period, then fewer licenses. OR therefore picks a
//     branch and says so in the result's note; AND keeps every license, so
//     their prices add and any deny denies.
//
// # Report
//
// A Report lists every component's result and sums them: the total owed
// per currency and period (counting the placeholder prices of licenses
// that set no figure), the components free, paid and denied, the unknown
// licenses with how many components each holds back, and the path to
// free: each payment a contribution would remove (reciprocity terms), by
// the points short, smallest first.
//
// Decisions are memoised per license and per expression within a scan, so
// an SBOM of thousands of components costs little more than reading it.
package scan

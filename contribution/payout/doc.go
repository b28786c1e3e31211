// Package payout closes the loop of peer production licensing: what paying
// entities pay flows back to the commons' for-benefit association and to
// its contributors, exactly and verifiably.
//
// A Plan, kept next to a commons' terms, sets the association's share in
// basis points, the rules that weigh contributions (window, half-life,
// kind weights, whether recognised commons count — as the reciprocity
// rule does), and a minimum payout. Allocate divides one Payment among
// contributors by their points in the contribution ledger, in integer
// minor units: the association gets floor(amount × bp / 10000), each
// contributor floor(pool × points / total), and the few units left go one
// each to the largest remainders, ties broken by key id. The shares always
// add up to the payment exactly and none is negative.
//
// Shares below the minimum are carried over: pass Allocation.CarriedOut()
// to the next Allocate, and a recipient is paid once what they are owed
// reaches the minimum. No minor unit is lost across periods:
//
//	Payment.Amount + Σ CarriedIn = Association + Σ Paid + Σ CarryOut
//
// With nobody in the window, the whole payment goes to the association.
//
// Allocating k payments of one period one by one, rather than their sum at
// once, can differ per recipient by less than k minor units (each
// allocation rounds each share by less than one unit); the totals are
// equal. A marketplace that wants the aggregate exactly allocates the
// period's sum.
//
// A plan may instead split the pool by fixed shares: ImportPieChart reads an
// OVN License Contribution Pie-Chart (pie-chart.json, shares in percent
// summing to 100) into Plan.Fixed, and ExportPieChart writes an
// allocation's split in that format, rounded by largest remainder to four
// decimals so the shares sum to exactly 100.
//
// An allocation is signed as a payout statement (PredicateType, schema
// embedded) about "commons:<id>" so every contributor can verify what they
// are owed; Verify checks the signature and trust, validates the schema and
// recomputes the sums, refusing a statement that does not add up.
package payout

// The error every layout disagreement between threads throws: a slot taken, a count that differs,
// a verify mismatch. Its own module so slot-ops.js and verify.js can both throw it.
export class TableMismatch extends Error {}

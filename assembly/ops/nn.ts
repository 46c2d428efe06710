// Neural-network ops (convolution, pooling, normalisation, losses).

/** Backward rules of this family; false if `op` is not one of its node kinds. */
export function nnRule(node: usize, op: i32, g: i32): bool {
  return node == 0 && op == g;
}

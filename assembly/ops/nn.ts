// Neural-network ops: convolution (conv.ts) and pooling (pool.ts) answer for their own node kinds;
// normalisation and losses are composed of the other families' ops in the facade.

import { poolRule } from "./pool";

/** Backward rules of this family; false if `op` is not one of its node kinds. */
export function nnRule(node: usize, op: i32, g: i32): bool {
  return poolRule(node, op, g);
}

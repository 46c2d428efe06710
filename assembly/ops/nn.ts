// Neural-network ops: convolution (conv.ts) and pooling (pool.ts) answer for their own node kinds,
// as do the fused linear layer (linear.ts) and softmax cross-entropy (loss.ts); normalisation and
// the other losses are composed of the other families' ops in the facade.

import { poolRule } from "./pool";
import { linearRule } from "./linear";
import { lossRule } from "./loss";

/** Backward rules of this family; false if `op` is not one of its node kinds. */
export function nnRule(node: usize, op: i32, g: i32): bool {
  return poolRule(node, op, g) || linearRule(node, op, g) || lossRule(node, op, g);
}

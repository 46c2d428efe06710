// The derivatives table: each op family keeps its rules beside its forward code and answers for
// its own node kinds; this dispatch asks them in turn. A node kind no family answers for is an
// error (Status.MissingRule, reported by the facade as an AutogradError naming the op), never a
// silent zero gradient. test/autograd/rules.test.ts checks that every differentiable kind has one.

import { Status, OpCode } from "../abi";
import { binaryRule } from "../ops/binary";
import { unaryRule } from "../ops/unary";
import { reduceRule } from "../ops/reduce";
import { shapeRule } from "../ops/shape";
import { linalgRule } from "../ops/linalg";
import { inplaceRule } from "../ops/inplace";
import { indexRule } from "../ops/indexing";
import { nnRule } from "../ops/nn";
import { convRule } from "../ops/conv";
import { stridedRule } from "../ops/copySlices";

/** Runs the backward rule of `node` for output gradient g; a Status. */
export function runRule(node: usize, g: i32): i32 {
  const op = load<i32>(node);
  if (op == OpCode.CopySlices || op == OpCode.AsStrided || op == OpCode.AsStridedScatter) return stridedRule(node, op, g) ? Status.Ok : Status.MissingRule;
  if (op < 30) return binaryRule(node, op, g) ? Status.Ok : Status.MissingRule;
  // softmax's backward ops sit with the fused backward formulas but belong to the reductions
  if (op == OpCode.SoftmaxBackward || op == OpCode.LogSoftmaxBackward) return reduceRule(node, op, g) ? Status.Ok : Status.MissingRule;
  if (op < 90) return unaryRule(node, op, g) ? Status.Ok : Status.MissingRule;
  if (op < 120) return reduceRule(node, op, g) ? Status.Ok : Status.MissingRule;
  if (op < 150) return shapeRule(node, op, g) ? Status.Ok : Status.MissingRule;
  if (op < 180) return indexRule(node, op, g) ? Status.Ok : Status.MissingRule;
  if (op < 200) return linalgRule(node, op, g) ? Status.Ok : Status.MissingRule;
  if (op < 220) return inplaceRule(node, op, g) ? Status.Ok : Status.MissingRule;
  if (nnRule(node, op, g)) return Status.Ok;
  return convRule(node, op, g) ? Status.Ok : Status.MissingRule;
}

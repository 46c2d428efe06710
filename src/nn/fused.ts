// The core's fused layer and loss kernels: linear with its bias added in the GEMM (one pass over
// the output), and softmax cross-entropy with class indices in one pass over the logits (its
// backward one more). Callers check shapes, dtypes and targets first.

import { Tensor } from "../tensor.js";
import { W, result } from "../ops/util.js";

declare module "../wasm/exports.js" {
  interface CoreExports {
    linearOp(x: number, w: number, bias: number): number;
    crossEntropyOp(x: number, t: number, ignore: number, labelSmoothing: number, reduction: number): number;
  }
}

/** x[M, K] @ weight[N, K]^T + bias[N], all of one float dtype. */
export function linearFused(x: Tensor, weight: Tensor, bias: Tensor): Tensor {
  const call = () => W.linearOp(x._h, weight._h, bias._h);
  return result(call(), call, [x._shape[0], weight._shape[0]], x._dt, "linear");
}

const REDUCTION = { none: 0, mean: 1, sum: 2 } as const;

/** cross_entropy of logits [N, C] (float) and class indices [N] (int32, in range or ignoreIndex). */
export function crossEntropyFused(input: Tensor, target: Tensor, ignoreIndex: number, labelSmoothing: number,
  reduction: "none" | "mean" | "sum"): Tensor {
  const red = REDUCTION[reduction];
  const call = () => W.crossEntropyOp(input._h, target._h, ignoreIndex, labelSmoothing, red);
  return result(call(), call, red === 0 ? [input._shape[0]] : [], input._dt, "crossEntropy");
}

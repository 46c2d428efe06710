// nn.functional: activations, linear, dropout and oneHot (losses are in losses.ts).

import { Tensor } from "../tensor.js";
import {
  relu as reluOp, sigmoid as sigmoidOp, tanh as tanhOp, gelu as geluOp, silu as siluOp, leakyRelu as leakyReluOp, softplus as softplusOp,
} from "../ops/unary.js";
import { matmul } from "../ops/linalg.js";
import { eq, mul } from "../ops/binary.js";
import { arange, zerosLike } from "../ops/creation.js";
import { DTypeError, IndexError, ShapeError, WasmgradError, formatShape } from "../errors.js";
import { isFloat } from "../dtype.js";
import { broadcastShapes, checkShape } from "../shape.js";
import { MAX_SIZE, boolArg, optTensorArg, probArg, tensorArg } from "../validate.js";
import { show as describe } from "./show.js";
import { softmax as softmaxOp, logSoftmax as logSoftmaxOp } from "../ops/softmax.js";
import { bernoulli_ } from "../random.js";
import { linearFused } from "./fused.js";

/** x @ weight^T + bias, weight of shape [out, in] (torch.nn.functional.linear). */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  checkLinear(x, weight, bias);
  if (bias !== undefined && bias !== null) {
    // the common case as one GEMM with the bias in its store (grad_fn AddmmBackward0, as torch)
    const [xs, ws, bs] = [x._shape, weight._shape, bias._shape];
    if (xs.length === 2 && ws.length === 2 && bs.length === 1 && xs[1] === ws[1] && bs[0] === ws[0]) return linearFused(x, weight, bias);
  }
  const y = matmul(x, weight.t());
  return bias === undefined || bias === null ? y : y.add(bias);
}

/** linear's arguments as torch checks them: weight [out, in] (or [in]), x [..., in], bias [out]. */
function checkLinear(x: Tensor, weight: Tensor, bias: Tensor | null | undefined): void {
  const op = "linear";
  tensorArg(x, "input", op); tensorArg(weight, "weight", op);
  const b = optTensorArg(bias, "bias", op);
  const xs = x._shape, ws = weight._shape;
  if (ws.length !== 1 && ws.length !== 2) throw new ShapeError(`${op}: weight must be 1-D or 2-D [out_features, in_features], got ${formatShape(ws)}`);
  if (xs.length === 0) throw new ShapeError(`${op}: input must have at least 1 dim, got a 0-dim tensor`);
  if (xs[xs.length - 1] !== ws[ws.length - 1]) {
    throw new ShapeError(`${op}: mat1 and mat2 shapes cannot be multiplied (input ${formatShape(xs)} and weight ${formatShape(ws)}: in_features differ)`);
  }
  for (const [t, what] of [[weight, "weight"], [b, "bias"]] as const) {
    if (t && t._dt !== x._dt) throw new DTypeError(`${op}: expected ${what} of dtype ${x.dtype}, like the input, got ${t.dtype}`);
  }
  if (!isFloat(x._dt)) throw new DTypeError(`${op}: input must be float32 or float64, got ${x.dtype}`);
  if (b) broadcastShapes(ws.length === 2 ? [...xs.slice(0, -1), ws[0]] : xs.slice(0, -1), b._shape, op);
}

/** max(x, 0) (torch.nn.functional.relu). */
export const relu = (x: Tensor): Tensor => reluOp(x);
/** 1 / (1 + e ** -x) (torch.nn.functional.sigmoid). */
export const sigmoid = (x: Tensor): Tensor => sigmoidOp(x);
/** Hyperbolic tangent (torch.nn.functional.tanh). */
export const tanh = (x: Tensor): Tensor => tanhOp(x);
/** GELU, exact (erf) or with `approximate: "tanh"` (torch.nn.functional.gelu). */
export const gelu = (x: Tensor, opts?: { approximate?: "none" | "tanh" }): Tensor => geluOp(x, opts);
/** x * sigmoid(x) (torch.nn.functional.silu). */
export const silu = (x: Tensor): Tensor => siluOp(x);
/** x for x > 0, negativeSlope * x otherwise (torch.nn.functional.leaky_relu). */
export const leakyRelu = (x: Tensor, negativeSlope = 0.01): Tensor => leakyReluOp(x, negativeSlope);
/** log(1 + e ** (beta x)) / beta, linear above threshold (torch.nn.functional.softplus). */
export const softplus = (x: Tensor, opts?: { beta?: number; threshold?: number }): Tensor => softplusOp(x, opts);

function needDim(dim: unknown, op: string): number {
  if (typeof dim !== "number" || !Number.isInteger(dim)) throw new DTypeError(`${op}: dim must be an integer, got ${describe(dim)}`);
  return dim;
}
/** exp(x) / sum(exp(x)) along dim (torch.nn.functional.softmax). */
export const softmax = (x: Tensor, dim: number): Tensor => softmaxOp(x, needDim(dim, "softmax"));
/** x - logsumexp(x) along dim (torch.nn.functional.log_softmax). */
export const logSoftmax = (x: Tensor, dim: number): Tensor => logSoftmaxOp(x, needDim(dim, "logSoftmax"));

/**
 * Zeroes each element with probability p while training and scales the rest by 1 / (1 - p), as
 * torch's dropout: noise = bernoulli_(1 - p) / (1 - p), out = x * noise.
 */
export function dropout(x: Tensor, p = 0.5, training = true): Tensor {
  tensorArg(x, "input", "dropout");
  probArg(p, "dropout probability", "dropout");
  boolArg(training, "training", "dropout");
  if (p === 0 || !training || x.numel() === 0) return x;
  if (!isFloat(x._dt)) throw new DTypeError(`dropout: input must be float32 or float64, got ${x.dtype}`);
  if (p === 1) return mul(x, 0);
  const noise = bernoulli_(zerosLike(x), 1 - p);
  noise.div_(1 - p);
  return mul(x, noise);
}

/** Integer class indices → one-hot int32 rows of length numClasses (max + 1 when -1). */
export function oneHot(t: Tensor, numClasses = -1): Tensor {
  tensorArg(t, "input", "oneHot");
  if (typeof numClasses !== "number" || !Number.isInteger(numClasses) || numClasses < -1 || numClasses > MAX_SIZE) {
    throw new WasmgradError(`oneHot: numClasses must be a positive integer or -1, got ${describe(numClasses)}`);
  }
  if (t.dtype !== "int32") throw new DTypeError(`oneHot: one_hot is only applicable to index tensor (int32), got ${t.dtype}`);
  const vals = t.dataSync() as Int32Array;
  let max = -1;
  for (const v of vals) {
    if (v < 0) throw new IndexError("oneHot: Class values must be non-negative.");
    if (v > max) max = v;
  }
  if (numClasses === -1) {
    if (vals.length === 0) throw new WasmgradError("oneHot: Can not infer total number of classes from empty tensor.");
    numClasses = max + 1;
  } else if (!Number.isInteger(numClasses) || numClasses < 1 && vals.length > 0) {
    throw new WasmgradError(`oneHot: numClasses must be a positive integer or -1, got ${describe(numClasses)}`);
  } else if (max >= numClasses) {
    throw new IndexError(`oneHot: Class values must be smaller than num_classes (got ${max} with numClasses=${numClasses}).`);
  }
  checkShape([...t._shape, numClasses], "oneHot");
  return eq(t.unsqueeze(-1), arange(numClasses, undefined, 1, { dtype: "int32" })).int();
}

// wasmgrad: PyTorch's autograd for JavaScript, on a WebAssembly core.

import { tryLoadNow } from "./wasm/load.js";
import { Tensor, describe } from "./tensor.js";
import { DTypeError } from "./errors.js";
import { installMethods } from "./methods.js";
import { grad } from "./autograd.js";
import { gradcheck, gradgradcheck } from "./autograd/gradcheck.js";

installMethods();

export { init, type WasmSource, type WasmModuleLike } from "./wasm/load.js";
export { setNumThreads, getNumThreads } from "./threads.js";
export { Tensor, type NestedArray, type TensorOrScalar } from "./tensor.js";
export {
  tensor, empty, zeros, ones, full, zerosLike, onesLike, arange, linspace, eye, rand, randn, randint,
  randnLike, manualSeed, type TensorOptions,
  randLike, randperm, bernoulli, initialSeed, seed, Generator, type RandomOptions,
} from "./ops/creation.js";
export {
  add, sub, mul, div, pow, maximum, minimum, atan2, eq, ne, lt, le, gt, ge, logicalAnd, logicalOr, logicalXor, where,
  allclose, equal,
} from "./ops/binary.js";
export {
  neg, exp, log, sqrt, abs, relu, sigmoid, tanh, reciprocal, sign, square, rsqrt, log1p, expm1, sin, cos, gelu, silu,
  leakyRelu, softplus, clamp, isnan, isfinite,
} from "./ops/unary.js";
export { maskedFill, lerp } from "./ops/ternary.js";
export { sum, mean } from "./ops/reduce.js";
export { max, min, argmax, argmin, all, any, type ValuesIndices } from "./ops/reduceMinMax.js";
export { prod, variance as var, std, norm, logsumexp, type VarOptions } from "./ops/reduceStats.js";
export { softmax, logSoftmax, cumsum } from "./ops/softmax.js";
export { matmul, mm, bmm, dot, outer } from "./ops/linalg.js";
export {
  cat, stack, indexSelect, gather, scatterAdd, indexAdd, flip, repeat, tril, triu, pad,
} from "./ops/indexing.js";
export { narrow, slice, select, split, chunk, unbind } from "./ops/slice.js";
export {
  reshape, view, flatten, transpose, t, permute, unsqueeze, squeeze, expand, expandAs, contiguous, clone, detach,
} from "./ops/shape.js";
export { toDtype as to } from "./ops/convert.js";
// In-place methods (add_, zero_, copy_, ...) exist only as Tensor methods: this keeps their
// declarations in the published types, which list only the modules index.ts exports from.
export {} from "./ops/inplace.js";
export {
  conv1d, conv2d, maxPool2d, avgPool2d, adaptiveAvgPool2d,
  type Conv1dOptions, type Conv2dOptions, type PoolOptions, type AvgPoolOptions,
} from "./ops/conv.js";
export { defaultGenerator } from "./random.js";
export { noGrad, enableGrad, isGradEnabled, setGradEnabled } from "./gradMode.js";
export { backward, registerHook, type BackwardOptions, type GradOptions } from "./autograd.js";
export type { GradcheckOptions, GradgradcheckOptions } from "./autograd/gradcheck.js";
export { toDot, graphOf, type DotOptions, type GraphOptions, type GraphNode } from "./viz.js";
export { save, load, SafetensorsError, type SaveOptions, type StateDict } from "./io/safetensors.js";
export { saveFile, loadFile } from "./io/node.js";
export { formatPy, print, setPrintSink, type PrintSink } from "./print.js";
export { tidy, memory, collectGarbage, type MemoryInfo } from "./lifetime.js";
export { setMemoryOptions, type MemoryOptions } from "./memoryOptions.js";
export {
  WasmgradError, ShapeError, IndexError, DTypeError, AutogradError, OutOfMemoryError, DisposedError,
} from "./errors.js";
export type { DTypeName } from "./dtype.js";
export * as nn from "./nn/index.js";
export { functional as F } from "./nn/index.js";
export * as optim from "./optim/index.js";
export * as data from "./data/index.js";
export * as vision from "./vision/index.js";

/** torch.autograd: grad() (and gradcheck / gradgradcheck in float64). */
export const autograd = {
  /** Gradients of outputs w.r.t. inputs, returned rather than accumulated (torch.autograd.grad): `const [dx] = autograd.grad(y, [x], { createGraph: true })`. */
  grad,
  /** Compares analytical gradients with finite differences in float64 (torch.autograd.gradcheck); true, or throws with the mismatch. */
  gradcheck,
  /** The same check for second derivatives (torch.autograd.gradgradcheck). */
  gradgradcheck,
};

/** Frees a tensor's WASM storage now (same as t.dispose()). */
export function dispose(t: Tensor | Tensor[]): void {
  for (const x of Array.isArray(t) ? t : [t]) {
    if (!(x instanceof Tensor)) throw new DTypeError(`dispose: expected a Tensor or an array of tensors, got ${describe(x)}`);
    x.dispose();
  }
}

tryLoadNow();

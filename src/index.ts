// wasmgrad: PyTorch's autograd for JavaScript, on a WebAssembly core.

import { tryLoadNow } from "./wasm/load";
import { Tensor } from "./tensor";

export { init, type WasmSource } from "./wasm/load";
export { Tensor, type NestedArray, type TensorOrScalar } from "./tensor";
export {
  tensor, empty, zeros, ones, full, zerosLike, onesLike, arange, linspace, eye, rand, randn, randint,
  randnLike, manualSeed, type TensorOptions,
} from "./ops/creation";
export { add, sub, mul, div, pow, neg, exp, log, sqrt, abs, relu, sigmoid, tanh, square } from "./ops/elementwise";
export { sum, mean } from "./ops/reduce";
export { matmul, mm } from "./ops/linalg";
export { reshape, view, flatten, transpose, t, unsqueeze, squeeze, expand, contiguous, clone, detach } from "./ops/views";
export { noGrad, enableGrad, isGradEnabled, setGradEnabled } from "./gradMode";
export { backward, type BackwardOptions } from "./autograd";
export { tidy, memory, collectGarbage, setMemoryOptions } from "./lifetime";
export {
  WasmgradError, ShapeError, IndexError, DTypeError, AutogradError, OutOfMemoryError, DisposedError,
} from "./errors";
export type { DTypeName } from "./dtype";

/** Frees a tensor's WASM storage now (same as t.dispose()). */
export function dispose(t: Tensor | Tensor[]): void {
  for (const x of Array.isArray(t) ? t : [t]) x.dispose();
}

tryLoadNow();

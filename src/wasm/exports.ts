/** The functions the WASM core exports. Handles are i32, 0 = none/failure. */
export interface CoreExports {
  /** WebAssembly.Memory (typed by what is read, so the published types need no DOM lib) */
  memory: { readonly buffer: ArrayBufferLike };
  heapLiveBytes(): number;
  heapPeakBytes(): number;
  liveTensors(): number;
  tensorBytes(): number;
  retain(h: number): void;
  release(h: number): void;
  isContiguous(h: number): number;
  setGradEnabled(on: number): void;
  gradFnOf(h: number): number;
  backward(roots: number, grads: number, n: number, keepGraph: number, createGraph: number, inputs: number, nInputs: number): number;
  backwardErrorInfo(i: number): number;
  seedRandom(lo: number, hi: number): void;
  scratchAddr(): number;
  binary(k: number, a: number, b: number, dt: number, alpha: number): number;
  binaryScalar(k: number, a: number, s: number, dt: number, reverse: number): number;
  compare(k: number, a: number, b: number, dt: number): number;
  where(c: number, a: number, b: number, dt: number): number;
  unary(k: number, a: number, dt: number): number;
  gradOp(k: number, g: number, s: number): number;
  sumOp(a: number, mask: number, keepdim: number, mean: number, dimGiven: number, dt: number): number;
  matmulOp(a: number, b: number, bmm: number): number;
  viewOp(a: number, ndim: number): number;
  reshapeOp(a: number, ndim: number): number;
  cloneOp(a: number): number;
  transposeOp(a: number, d0: number, d1: number, isT: number): number;
  permuteOp(a: number): number;
  expandOp(a: number, ndim: number): number;
  unsqueezeOp(a: number, dim: number): number;
  squeezeOp(a: number, dim: number): number;
  detachOp(a: number, shareVersion: number): number;
  setDataOp(dst: number, src: number): number;
  castOp(a: number, dt: number): number;
  inplaceBinaryOp(k: number, self: number, other: number, alpha: number): number;
  inplaceScalarOp(k: number, self: number, s: number): number;
  fillOp(self: number, v: number, zero: number): number;
  copyOp(self: number, src: number): number;
  inplaceBase(h: number): number;
  registeredViews(): number;
  emptyOp(ndim: number, dtype: number): number;
  fillValue(h: number, v: number): void;
  arangeFill(h: number, start: number, step: number): void;
  randomFill(h: number, kind: number, a: number, b: number): void;
  itemOp(h: number): number;
  readRange(h: number, start: number, count: number): number;
  freeRange(h: number, p: number, count: number): void;
  releaseMany(ptr: number, n: number): void;
  gradOf(h: number): number;
  setGrad(h: number, g: number): void;
  flagsOf(h: number): number;
  setRequiresGrad(h: number, on: number): void;
  retainGrad(h: number): void;
  setHooked(h: number): void;
  isLeaf(h: number): number;
  dataAddr(h: number): number;
  detachInPlace(h: number): void;
  nodeOf(h: number): number;
  nodeOp(node: number): number;
  nodeNext(node: number, i: number): number;
  nodeInputs(node: number): number;
  tensorNdim(h: number): number;
  tensorDim(h: number, d: number): number;
  tensorDtype(h: number): number;
  setThreads(n: number): void;
  threadCount(): number;
  runTask(t: number, slot: number): void;
  workerFaultTest(): number;
}

/** Entry flag bits of the core's tensor table. */
export const F_REQUIRES_GRAD = 1;
export const F_RETAINS_GRAD = 2;
export const F_VIEW = 4;
export const F_NOGRAD_VIEW = 8;
export const F_HAS_HOOK = 16;
export const F_HAS_BASE = 32;

/** Kernel codes of kernels/binary.ts. */
export enum BK {
  Add = 0, Sub = 1, Mul = 2, Div = 3, Pow = 4, Max = 5, Min = 6, Atan2 = 7, Fmod = 8, Axpy = 9,
  Eq = 10, Ne = 11, Lt = 12, Le = 13, Gt = 14, Ge = 15, And = 16, Or = 17, Xor = 18,
}
/** Kernel codes of kernels/unary.ts. */
export enum UK {
  Neg = 0, Exp = 1, Log = 2, Sqrt = 3, Abs = 4, Relu = 5, Sigmoid = 6, Tanh = 7, Reciprocal = 8, Sign = 9,
}
/** Fused backward kernel codes of kernels/unary.ts. */
export enum GK { Sigmoid = 0, Tanh = 1, Threshold = 2 }

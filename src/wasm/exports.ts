/** The functions the WASM core exports (assembly/index.ts). Handles are i32, 0 = none/failure. */
export interface CoreExports {
  memory: WebAssembly.Memory;
  heapLiveBytes(): number;
  heapPeakBytes(): number;
  heapResetPeak(): void;
  liveTensors(): number;
  retain(h: number): void;
  release(h: number): void;
  versionOf(h: number): number;
  isContiguous(h: number): number;
  setGradEnabled(on: number): void;
  isGradEnabled(): number;
  gradFnOf(h: number): number;
  backward(root: number, grad: number, keepGraph: number): number;
  backwardErrorInfo(i: number): number;
  seedRandom(lo: number, hi: number): void;
  scratchAddr(): number;
  binaryOp(op: number, a: number, b: number, alpha: number): number;
  scalarOp(op: number, a: number, s: number): number;
  unaryOp(op: number, a: number): number;
  sumOp(a: number, mask: number, keepdim: number, mean: number, dimGiven: number): number;
  matmulOp(a: number, b: number): number;
  viewOp(a: number, ndim: number): number;
  reshapeCopyOp(a: number, ndim: number): number;
  cloneOp(a: number): number;
  transposeOp(a: number, d0: number, d1: number, isT: number): number;
  expandOp(a: number, ndim: number): number;
  unsqueezeOp(a: number, dim: number): number;
  squeezeOp(a: number, dim: number): number;
  detachOp(a: number, shareVersion: number): number;
  setDataOp(dst: number, src: number): number;
  inplaceBinaryOp(op: number, self: number, other: number, alpha: number): number;
  inplaceScalarOp(op: number, self: number, s: number): number;
  fillOp(self: number, v: number, zero: number): number;
  copyOp(self: number, src: number): number;
  emptyOp(ndim: number, dtype: number): number;
  rawFill(h: number, v: number): void;
  arangeFill(h: number, start: number, step: number): void;
  randomFill(h: number, kind: number, a: number, b: number): void;
  itemOp(h: number): number;
  readAddr(h: number): number;
  freeCopy(h: number, p: number): void;
  releaseMany(ptr: number, n: number): void;
  gradOf(h: number): number;
  setGrad(h: number, g: number): void;
  flagsOf(h: number): number;
  setRequiresGrad(h: number, on: number): void;
  retainGrad(h: number): void;
  dtypeOf(h: number): number;
  isLeaf(h: number): number;
  dataAddr(h: number): number;
  detachInPlace(h: number): void;
}

/** Entry flag bits (assembly/tensor.ts). */
export const F_REQUIRES_GRAD = 1;
export const F_RETAINS_GRAD = 2;
export const F_VIEW = 4;

// The WASM module's exports (the ABI the TypeScript facade calls). Re-exports only.

export { heapLiveBytes, heapPeakBytes } from "./memory";
export { liveTensors, tensorBytes, retain, release, isContiguous } from "./tensor";
export { setGradEnabled, gradFnOf } from "./autograd/tape";
export { backward, backwardErrorInfo } from "./autograd/backward";
export { seedRandom } from "./kernels/random";
export { scratchAddr } from "./ops/common";
export { binary, binaryScalar, compare, where } from "./ops/binary";
export { unary, gradOp } from "./ops/unary";
export { sumOp } from "./ops/reduce";
export { matmulOp } from "./ops/linalg";
export {} from "./ops/indexing";
export {
  viewOp, reshapeOp, cloneOp, transposeOp, permuteOp, expandOp, unsqueezeOp, squeezeOp, detachOp, setDataOp,
} from "./ops/shape";
export { castOp, inplaceBinaryOp, inplaceScalarOp, fillOp, copyOp } from "./ops/inplace";
export { emptyOp, fillValue, arangeFill, randomFill, itemOp, readAddr, freeCopy } from "./ops/creation";
export {
  releaseMany, gradOf, setGrad, flagsOf, setRequiresGrad, retainGrad, isLeaf, dataAddr, detachInPlace, setHooked,
} from "./handles";
export { nodeOf, nodeOp, nodeNext, nodeInputs, tensorNdim, tensorDim, tensorDtype } from "./inspect";

// The WASM module's exports (the ABI the TypeScript facade calls). Re-exports only.

export { heapLiveBytes, heapPeakBytes } from "./memory";
export { liveTensors, tensorBytes, retain, release, isContiguous } from "./tensor";
export { setGradEnabled, gradFnOf } from "./autograd/tape";
export { backward, backwardErrorInfo } from "./autograd/backward";
export { seedRandom } from "./kernels/random";
export {
  scratchAddr, binaryOp, scalarOp, unaryOp, sumOp, matmulOp, viewOp, reshapeOp, cloneOp,
  transposeOp, expandOp, unsqueezeOp, squeezeOp, detachOp, setDataOp, inplaceBinaryOp,
  inplaceScalarOp, fillOp, copyOp, emptyOp, rawFill, arangeFill, randomFill, itemOp, readAddr, freeCopy,
} from "./ops";
export {
  releaseMany, gradOf, setGrad, flagsOf, setRequiresGrad, retainGrad, isLeaf, dataAddr, detachInPlace,
} from "./handles";
export { nodeOf, nodeOp, nodeNext, tensorNdim, tensorDim } from "./inspect";

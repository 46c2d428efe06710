// The WASM module's exports (the ABI the TypeScript facade calls). Re-exports only.

export { heapLiveBytes, heapPeakBytes, setAllocFailure } from "./memory";
export { liveTensors, tensorBytes, retain, release, isContiguous } from "./tensor";
export { setGradEnabled, gradFnOf } from "./autograd/tape";
export { backward, backwardRoot, backwardErrorInfo } from "./autograd/backward";
export { seedRandom } from "./kernels/random";
export {
  genNew, genFree, genManualSeed, genInitialSeedLo, genInitialSeedHi, genNext32, genCopyState, uniformFill, normalFillOp,
  bernoulliFill, bernoulliOp, randintFill, randpermFill,
} from "./ops/random";
export { scratchAddr } from "./ops/common";
export { binary, binaryScalar, compare, where } from "./ops/binary";
export { unary, unaryP, gradOp } from "./ops/unary";
export { classify, clampInplace } from "./ops/unaryMore";
export { maskedFill, lerp, clampT } from "./ops/ternary";
export { allcloseOp, equalOp } from "./ops/compare";
export { sumOp } from "./ops/reduce";
export { maxAllOp, maxDimOp, argOp, allAnyOp, secondResult } from "./ops/reduceMinMax";
export { prodOp, varOp, normOp, logsumexpOp } from "./ops/reduceStats";
export { softmaxOp, softmaxBackwardOp, cumsumOp } from "./ops/softmax";
export { matmulOp } from "./ops/linalg";
export { flipOp, repeatOp, trilOp, padOp } from "./ops/indexing";
export { catOp, stackOp } from "./ops/concat";
export { gatherOp, indexSelectOp, scatterAddOp, indexAddOp, int32Range } from "./ops/gather";
export { sliceOp, selectOp } from "./ops/slice";
export {
  viewOp, reshapeOp, cloneOp, transposeOp, permuteOp, expandOp, unsqueezeOp, squeezeOp, detachOp, setDataOp,
} from "./ops/shape";
export { castOp, inplaceBinaryOp, inplaceScalarOp, fillOp, copyOp } from "./ops/inplace";
export { inplaceBase } from "./ops/copySlices";
export { registeredViews } from "./autograd/views";
export { emptyOp, fillValue, arangeFill, randomFill, itemOp } from "./ops/creation";
export { readRange, freeRange } from "./ops/readRange";
export {
  releaseMany, gradOf, setGrad, flagsOf, setRequiresGrad, retainGrad, isLeaf, dataAddr, detachInPlace, setHooked,
} from "./handles";
export { nodeOf, nodeOp, nodeNext, nodeInputs, tensorNdim, tensorDim, tensorDtype } from "./inspect";
export { conv2dOp } from "./ops/conv";
export { setThreads, threadCount } from "./kernels/parallel";
export { runTask } from "./kernels/tasks";
export { workerFaultTest } from "./kernels/parallelOps";
export { maxPool2dOp, maxPoolIndices, avgPool2dOp } from "./ops/pool";
export { linearOp } from "./ops/linear";
export { crossEntropyOp } from "./ops/loss";

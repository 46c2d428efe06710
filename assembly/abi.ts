// The contract between the WASM core and the TypeScript facade. This file is valid AssemblyScript
// and valid TypeScript: both sides import it, so the numbers can never drift apart.

/**
 * One code per kind of graph node: what backward rule runs and which grad_fn name PyTorch gives
 * it. Kernels are chosen by their own codes (kernels/*.ts), so one node kind can serve several
 * forward variants and one kernel several node kinds. The facade's table (src/ops/spec.ts) has an
 * entry for every member; the core's rule table (assembly/autograd/rules.ts) a case for every
 * differentiable one.
 */
export enum OpCode {
  None = 0,
  // elementwise binary (assembly/ops/binary.ts)
  Add = 1, AddScalar = 2, Sub = 3, SubScalar = 4, RSubScalar = 5, Mul = 6, MulScalar = 7,
  Div = 8, DivScalar = 9, Pow = 10, PowScalar = 11, RPowScalar = 12, Maximum = 13, Minimum = 14,
  Where = 15, MaskedFill = 16, Lerp = 17, LerpTensor = 18, Atan2 = 19, MaskedFillTensor = 20,
  // elementwise unary (assembly/ops/unary.ts)
  Neg = 30, Exp = 31, Log = 32, Sqrt = 33, Abs = 34, Relu = 35, Sigmoid = 36, Tanh = 37,
  Reciprocal = 38, Rsqrt = 39, Log1p = 40, Expm1 = 41, Sign = 42, Sin = 43, Cos = 44, Gelu = 45,
  Silu = 46, LeakyRelu = 47, Softplus = 48, Clamp = 49, ClampMin = 50, ClampMax = 51, Square = 52,
  Log2 = 53, Erf = 54, Elu = 55, Hardtanh = 56, Floor = 57, Ceil = 58, Round = 59, Trunc = 60, ClampTensor = 61,
  // fused backward ops, themselves differentiable (derivatives.yaml's *_backward functions)
  TanhBackward = 70, SigmoidBackward = 71, ThresholdBackward = 72, GeluBackward = 73,
  SiluBackward = 74, LeakyReluBackward = 75, SoftplusBackward = 76, SoftmaxBackward = 77,
  LogSoftmaxBackward = 78, EluBackward = 79, HardtanhBackward = 80,
  // reductions (assembly/ops/reduce.ts)
  SumAll = 90, SumDim = 91, MeanAll = 92, MeanDim = 93, ProdAll = 94, ProdDim = 95,
  MaxAll = 96, MaxDim = 97, MinAll = 98, MinDim = 99, Var = 100, Std = 101, NormAll = 102,
  NormDim = 103, Logsumexp = 104, Softmax = 105, LogSoftmax = 106, Cumsum = 107, Amax = 108,
  Amin = 109, Cumprod = 110,
  // views and shape (assembly/ops/shape.ts)
  View = 120, Reshape = 121, UnsafeView = 122, Transpose = 123, T = 124, Permute = 125,
  Expand = 126, Unsqueeze = 127, Squeeze = 128, SqueezeDim = 129, Slice = 130, Select = 131,
  Clone = 132, Alias = 133, Split = 134, Unbind = 135, Diagonal = 136, AsStrided = 137,
  SplitWithSizes = 138, SliceBackward = 139, SelectBackward = 140, AsStridedScatter = 141,
  // copying shape ops and indexing (assembly/ops/index.ts)
  Cat = 150, Stack = 151, IndexSelect = 152, Gather = 153, ScatterAdd = 154, Flip = 155,
  Repeat = 156, Tril = 157, Triu = 158, Pad = 159, Index = 160, IndexPut = 161, Roll = 162,
  Scatter = 163, Embedding = 164, IndexAdd = 165,
  // linear algebra (assembly/ops/linalg.ts)
  Mm = 180, Mv = 181, Dot = 182, Bmm = 183, Matmul = 184, Outer = 185, Addmm = 186, Vm = 187,
  // dtype conversion and in-place writes (assembly/ops/inplace.ts)
  ToCopy = 200, Fill = 201, Zero = 202, Copy = 203, CopySlices = 204,
  // nn (assembly/ops/nn/*.ts)
  Conv2d = 220, MaxPool2d = 221, AvgPool2d = 222, AdaptiveAvgPool2d = 223, NativeBatchNorm = 224,
  NativeLayerNorm = 225, NllLoss = 226, Dropout = 227, Conv1d = 228, BinaryCrossEntropy = 229,
  MseLoss = 230, CrossEntropy = 231, MaxPool2dBackward = 232, AvgPool2dBackward = 233,
  ConvBackwardInput = 234, ConvBackwardWeight = 235, NllLossBackward = 236, PoolGather = 237,
  AdaptiveAvgPool2dBackward = 238, Linear = 239, CrossEntropyBackward = 240,
}

/** Element types. Scalars cross the ABI as f64 and are rounded to the tensor's dtype in the core. */
export enum DType {
  Float32 = 0,
  Float64 = 1,
  Int32 = 2,
  Bool = 3,
}

/** What a call that can fail returns (handles are positive, so failures are <= 0). */
export enum Status {
  Ok = 0,
  OutOfMemory = -1,
  FreedGraph = -2,
  VersionMismatch = -3,
  NotContiguous = -4,
  GradShapeMismatch = -5,
  InvalidGradient = -6,
  InternalOverlap = -7,
  MissingRule = -8,
  NotDifferentiable = -9,
  HookFailed = -10,
  UnusedInput = -11,
  Reentrant = -12,
}

/** Maximum number of dimensions of a tensor. */
export const MAX_DIMS = 8;
/** Maximum number of elements of a tensor (2^31 - 1: element offsets are i32). */
export const MAX_NUMEL = 2147483647;
/** Elements per readRange call when a strided tensor's values are read out (1 MiB of float32). */
export const READ_CHUNK = 262144;

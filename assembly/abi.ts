// The contract between the WASM core and the TypeScript facade. This file is valid AssemblyScript
// and valid TypeScript: both sides import it, so the numbers can never drift apart.

/** One code per recorded operation; the facade maps each to PyTorch's grad_fn name. */
export enum OpCode {
  None = 0,
  Add = 1, Sub = 2, Mul = 3, Div = 4, Pow = 5,
  AddScalar = 6, SubScalar = 7, MulScalar = 8, DivScalar = 9, PowScalar = 10,
  RSubScalar = 11, RDivScalar = 12, RPowScalar = 13,
  Neg = 14, Exp = 15, Log = 16, Sqrt = 17, Abs = 18, Relu = 19, Sigmoid = 20, Tanh = 21,
  SumAll = 22, SumDim = 23, MeanAll = 24, MeanDim = 25,
  Mm = 26, Mv = 27, Vm = 28, Dot = 29,
  View = 30, Transpose = 31, T = 32, Expand = 33, Unsqueeze = 34, Squeeze = 35, SqueezeDim = 36,
  Clone = 37, Fill = 38, Zero = 39, Copy = 40, UnsafeView = 41,
}

/** Element types. Every float op computes in float32; the others are storage and reading. */
export enum DType {
  Float32 = 0,
  Int32 = 1,
  Bool = 2,
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
}

/** Maximum number of dimensions of a tensor. */
export const MAX_DIMS = 8;

// PyTorch 1.13's grad_fn names for each recorded op (checked against torch; reshape follows
// PyTorch 2's ViewBackward0 rather than 1.13's internal ReshapeAliasBackward0).

import { OpCode } from "../assembly/abi.js";

const NAMES: Record<number, string> = {
  [OpCode.Add]: "AddBackward0", [OpCode.Sub]: "SubBackward0", [OpCode.Mul]: "MulBackward0",
  [OpCode.Div]: "DivBackward0", [OpCode.Pow]: "PowBackward1",
  [OpCode.AddScalar]: "AddBackward0", [OpCode.SubScalar]: "SubBackward0", [OpCode.MulScalar]: "MulBackward0",
  [OpCode.DivScalar]: "DivBackward0", [OpCode.PowScalar]: "PowBackward0",
  [OpCode.RSubScalar]: "RsubBackward1", [OpCode.RDivScalar]: "MulBackward0", [OpCode.RPowScalar]: "PowBackward1",
  [OpCode.Neg]: "NegBackward0", [OpCode.Exp]: "ExpBackward0", [OpCode.Log]: "LogBackward0",
  [OpCode.Sqrt]: "SqrtBackward0", [OpCode.Abs]: "AbsBackward0", [OpCode.Relu]: "ReluBackward0",
  [OpCode.Sigmoid]: "SigmoidBackward0", [OpCode.Tanh]: "TanhBackward0",
  [OpCode.SumAll]: "SumBackward0", [OpCode.SumDim]: "SumBackward1",
  [OpCode.MeanAll]: "MeanBackward0", [OpCode.MeanDim]: "MeanBackward1",
  [OpCode.Mm]: "MmBackward0", [OpCode.Mv]: "MvBackward0", [OpCode.Vm]: "SqueezeBackward3", [OpCode.Dot]: "DotBackward0",
  [OpCode.View]: "ViewBackward0", [OpCode.Transpose]: "TransposeBackward0", [OpCode.T]: "TBackward0",
  [OpCode.Expand]: "ExpandBackward0", [OpCode.Unsqueeze]: "UnsqueezeBackward0",
  [OpCode.Squeeze]: "SqueezeBackward0", [OpCode.SqueezeDim]: "SqueezeBackward1",
  [OpCode.Clone]: "CloneBackward0", [OpCode.Fill]: "FillBackward2", [OpCode.Zero]: "ZeroBackward0",
  [OpCode.Copy]: "CopyBackwards", [OpCode.UnsafeView]: "UnsafeViewBackward0",
};

/** The grad_fn name for an op code. */
export function gradFnName(op: number): string {
  return NAMES[op] ?? `Op${op}Backward`;
}

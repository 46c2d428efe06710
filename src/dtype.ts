// dtypes and PyTorch's type promotion (torch.result_type), done in TS before any call.

import { DType } from "../assembly/abi.js";
import { DTypeError, safeString } from "./errors.js";

export { safeString };

/** The dtypes: torch.float32, torch.float64, torch.int32 and torch.bool by name. */
export type DTypeName = "float32" | "float64" | "int32" | "bool";

/** Names by DType code. */
export const DTYPE_NAMES: readonly DTypeName[] = ["float32", "float64", "int32", "bool"];

/** Bytes per element by DType code. */
export const ELEM_BYTES: readonly number[] = [4, 8, 4, 1];

export function dtypeCode(name: unknown, op: string, dflt: DType = DType.Float32): DType {
  if (name === undefined || name === null) return dflt;
  switch (name) {
    case "float32": return DType.Float32;
    case "float64": return DType.Float64;
    case "int32": return DType.Int32;
    case "bool": return DType.Bool;
    default:
      throw new DTypeError(`${op}: unknown dtype ${safeString(name)}; expected "float32", "float64", "int32" or "bool"`);
  }
}

export const isFloat = (d: DType): boolean => d === DType.Float32 || d === DType.Float64;

const RANK = [2, 3, 1, 0]; // float32, float64, int32, bool in the order bool < int32 < float32 < float64
const category = (d: DType): number => (d === DType.Bool ? 0 : d === DType.Int32 ? 1 : 2);

/** torch.promote_types for the dtypes here. */
export function promoteTypes(a: DType, b: DType): DType {
  return RANK[a] >= RANK[b] ? a : b;
}

/** What an operand contributes to type promotion: a tensor with dims, a 0-dim tensor, or a number. */
export interface Operand { dtype: DType; kind: 0 | 1 | 2 }

function combine(higher: DType | -1, lower: DType | -1): DType | -1 {
  if (higher === -1) return lower;
  if (lower === -1) return higher;
  if (isFloat(higher)) return higher;
  if (higher === DType.Bool || isFloat(lower)) return promoteTypes(higher, lower);
  return higher;
}

/**
 * torch.result_type: tensors with dims decide, unless a 0-dim tensor or a number is of a higher
 * category (bool < integer < float); a float number then gives float32 (the default dtype).
 */
export function resultType(ops: readonly Operand[]): DType {
  let dim: DType | -1 = -1, zero: DType | -1 = -1, num: DType | -1 = -1;
  for (const o of ops) {
    if (o.kind === 0) dim = dim === -1 ? o.dtype : promoteTypes(dim, o.dtype);
    else if (o.kind === 1) zero = zero === -1 ? o.dtype : promoteTypes(zero, o.dtype);
    else {
      const d = isFloat(o.dtype) ? DType.Float32 : o.dtype;
      num = num === -1 ? d : promoteTypes(num, d);
    }
  }
  const r = combine(combine(dim, zero), num);
  return r === -1 ? DType.Float32 : r;
}

export { category };

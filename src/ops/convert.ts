// dtype conversion: t.to(dtype), float(), double(), int(), bool() (torch's .to; ToCopyBackward0).

import { DType } from "../../assembly/abi.js";
import { Tensor } from "../tensor.js";
import { dtypeCode, type DTypeName } from "../dtype.js";
import { W, h, result, made, reclaim } from "./util.js";

/** A copy converted to dtype (this tensor itself when it already has that dtype, as torch). */
export function toDtype(a: Tensor, dtype: DTypeName): Tensor { return to(a, dtype, "to"); }

/** toDtype for the op modules: `op` names the calling op in errors. */
export function to(a: Tensor, dtype: DTypeName, op = "to"): Tensor {
  h(a, op);
  // torch's t.to() with no dtype returns t
  if (dtype === undefined || dtype === null) return a;
  const dt = dtypeCode(dtype, op);
  if (dt === a._dt) return a;
  let out = W.castOp(a._h, dt);
  if (out === 0 && reclaim()) out = W.castOp(a._h, dt);
  return made(out, a._shape, dt, op);
}

declare module "../tensor.js" {
  interface Tensor {
    /** A copy converted to dtype (this tensor if it has that dtype already), as `torch.Tensor.to(dtype)`: `t.to("float64")`. */
    to(dtype: DTypeName): Tensor;
    /** float32 (this tensor if it is float32 already). */
    float(): Tensor;
    /** float64. */
    double(): Tensor;
    /** int32 (values truncated toward zero). */
    int(): Tensor;
    /** bool (nonzero is true). */
    bool(): Tensor;
  }
}

export const methods = {
  to(this: Tensor, d: DTypeName) { return to(this, d, "to"); },
  float(this: Tensor) { return to(this, "float32", "float"); },
  double(this: Tensor) { return to(this, "float64", "double"); },
  int(this: Tensor) { return to(this, "int32", "int"); },
  bool(this: Tensor) { return to(this, "bool", "bool"); },
};

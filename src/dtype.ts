import { DType } from "../assembly/abi.js";
import { DTypeError } from "./errors.js";

export type DTypeName = "float32" | "int32" | "bool";

export const DTYPE_NAMES: readonly DTypeName[] = ["float32", "int32", "bool"];

export function dtypeCode(name: string | undefined, op: string): DType {
  if (name === undefined || name === "float32") return DType.Float32;
  if (name === "int32") return DType.Int32;
  if (name === "bool") return DType.Bool;
  if (name === "float64") {
    throw new DTypeError(`${op}: dtype float64 is not supported yet (the core computes in float32); use "float32"`);
  }
  throw new DTypeError(`${op}: unknown dtype ${JSON.stringify(name)}; expected "float32", "int32" or "bool"`);
}

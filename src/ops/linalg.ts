// Matrix products: torch.matmul in all its cases, mm, bmm, dot, outer. One strided GEMM in the
// core serves them all; 1-D operands against batched ones are unsqueezed here (views).

import { Tensor } from "../tensor.js";
import { ShapeError, DTypeError, formatShape } from "../errors.js";
import { checkShape } from "../shape.js";
import { DType } from "../../assembly/abi.js";
import { W, h, promote2, result, describe, made, reclaim, asMethods } from "./util.js";
import { unsqueeze, squeeze } from "./shape.js";
import { mul } from "./binary.js";

function operands(a: unknown, b: unknown, op: string): [Tensor, Tensor] {
  if (!(a instanceof Tensor)) throw new DTypeError(`${op}: expected a Tensor, got ${describe(a)}`);
  if (!(b instanceof Tensor)) throw new DTypeError(`${op}: expected a Tensor as the second argument, got ${describe(b)}`);
  h(a, op); h(b, op);
  if (a._dt === DType.Bool || b._dt === DType.Bool) throw new DTypeError(`${op}: not implemented for bool tensors`);
  return [a, b];
}

/** The core call for dot / mv / vm / mm / batched operands (shapes already checked). */
function product(a: Tensor, b: Tensor, shape: number[], op: string, bmm = false): Tensor {
  const dt = promote2(a, b);
  const flag = bmm ? 1 : 0;
  let out = W.matmulOp(a._h, b._h, flag);
  if (out === 0 && reclaim()) out = W.matmulOp(a._h, b._h, flag);
  return made(out, checkShape(shape, op), dt, op);
}

/** Matrix product with torch.matmul's rules: dot, mv, vector @ matrix, mm, and batched with broadcasting. */
export function matmul(aIn: Tensor, bIn: Tensor): Tensor {
  const [a, b] = operands(aIn, bIn, "matmul");
  const na = a._shape.length, nb = b._shape.length;
  if (na === 0 || nb === 0) {
    throw new ShapeError(`matmul: both arguments need at least 1 dimension, got shapes ${formatShape(a._shape)} and ${formatShape(b._shape)}`);
  }
  const k1 = a._shape[na - 1], k2 = nb === 1 ? b._shape[0] : b._shape[nb - 2];
  if (k1 !== k2) {
    throw new ShapeError(`matmul: inner dimensions differ: ${formatShape(a._shape)} @ ${formatShape(b._shape)} (${k1} vs ${k2})`);
  }
  if (na <= 2 && nb <= 2) {
    const shape = na === 2 && nb === 2 ? [a._shape[0], b._shape[1]] : na === 2 ? [a._shape[0]] : nb === 2 ? [b._shape[1]] : [];
    return product(a, b, shape, "matmul");
  }
  // a 1-D operand against a batched one: make it a matrix, then drop the added dim
  if (na === 1) return squeeze(matmul(unsqueeze(a, 0), b), -2);
  if (nb === 1) return squeeze(matmul(a, unsqueeze(b, 1)), -1);
  const batch = broadcastBatch(a._shape.slice(0, -2), b._shape.slice(0, -2), a, b);
  return product(a, b, [...batch, a._shape[na - 2], b._shape[nb - 1]], "matmul");
}

function broadcastBatch(x: number[], y: number[], a: Tensor, b: Tensor): number[] {
  const nd = Math.max(x.length, y.length);
  const out: number[] = [];
  for (let d = 0; d < nd; d++) {
    const p = d - (nd - x.length) >= 0 ? x[d - (nd - x.length)] : 1;
    const q = d - (nd - y.length) >= 0 ? y[d - (nd - y.length)] : 1;
    if (p !== q && p !== 1 && q !== 1) {
      throw new ShapeError(`matmul: batch dimensions cannot be broadcast: ${formatShape(a._shape)} @ ${formatShape(b._shape)} (${p} vs ${q} at batch dim ${d})`);
    }
    out.push(p === 1 ? q : p);
  }
  return out;
}

/** Product of two 2-D tensors (torch.mm). */
export function mm(aIn: Tensor, bIn: Tensor): Tensor {
  const [a, b] = operands(aIn, bIn, "mm");
  if (a._shape.length !== 2 || b._shape.length !== 2) {
    throw new ShapeError(`mm: both arguments must be 2-D, got shapes ${formatShape(a._shape)} and ${formatShape(b._shape)}`);
  }
  if (a._shape[1] !== b._shape[0]) {
    throw new ShapeError(`mm: inner dimensions differ: ${formatShape(a._shape)} @ ${formatShape(b._shape)} (${a._shape[1]} vs ${b._shape[0]})`);
  }
  return product(a, b, [a._shape[0], b._shape[1]], "mm");
}

/** Batched product of 3-D tensors with the same batch size (torch.bmm). */
export function bmm(aIn: Tensor, bIn: Tensor): Tensor {
  const [a, b] = operands(aIn, bIn, "bmm");
  if (a._shape.length !== 3 || b._shape.length !== 3) {
    throw new ShapeError(`bmm: both arguments must be 3-D, got shapes ${formatShape(a._shape)} and ${formatShape(b._shape)}`);
  }
  if (a._shape[0] !== b._shape[0]) {
    throw new ShapeError(`bmm: batch sizes differ: ${formatShape(a._shape)} and ${formatShape(b._shape)} (${a._shape[0]} vs ${b._shape[0]})`);
  }
  if (a._shape[2] !== b._shape[1]) {
    throw new ShapeError(`bmm: inner dimensions differ: ${formatShape(a._shape)} @ ${formatShape(b._shape)} (${a._shape[2]} vs ${b._shape[1]})`);
  }
  return product(a, b, [a._shape[0], a._shape[1], b._shape[2]], "bmm", true);
}

/** Inner product of two 1-D tensors of the same length (torch.dot). */
export function dot(aIn: Tensor, bIn: Tensor): Tensor {
  const [a, b] = operands(aIn, bIn, "dot");
  if (a._shape.length !== 1 || b._shape.length !== 1) {
    throw new ShapeError(`dot: 1D tensors expected, but got shapes ${formatShape(a._shape)} and ${formatShape(b._shape)}`);
  }
  if (a._shape[0] !== b._shape[0]) {
    throw new ShapeError(`dot: inconsistent tensor size, expected tensor [${a._shape[0]}] and src [${b._shape[0]}] to have the same number of elements`);
  }
  if (a._dt !== b._dt) throw new DTypeError(`dot: expected both vectors to have same dtype, but found ${a.dtype} and ${b.dtype}`);
  return product(a, b, [], "dot");
}

/** Outer product of two 1-D tensors: a[i] * b[j] (torch.outer). */
export function outer(aIn: Tensor, bIn: Tensor): Tensor {
  const [a, b] = operands(aIn, bIn, "outer");
  if (a._shape.length !== 1 || b._shape.length !== 1) {
    throw new ShapeError(`outer: 1D tensors expected, but got shapes ${formatShape(a._shape)} and ${formatShape(b._shape)}`);
  }
  return mul(unsqueeze(a, 1), b);
}

declare module "../tensor.js" {
  interface Tensor {
    /** {@inheritDoc matmul} */
    matmul(other: Tensor): Tensor;
    /** {@inheritDoc mm} */
    mm(other: Tensor): Tensor;
    /** {@inheritDoc bmm} */
    bmm(other: Tensor): Tensor;
    /** {@inheritDoc dot} */
    dot(other: Tensor): Tensor;
    /** {@inheritDoc outer} */
    outer(other: Tensor): Tensor;
  }
}

export const methods = asMethods({ matmul, mm, bmm, dot, outer });

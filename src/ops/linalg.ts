// Matrix products (torch.matmul for 1-D and 2-D operands, torch.mm).

import { W } from "../wasm/load.js";
import { Tensor, h, wrap, checkFloat } from "../tensor.js";
import { ShapeError, formatShape } from "../errors.js";
import { checkShape } from "../shape.js";

/** Matrix product of 1-D and 2-D tensors with torch.matmul's rules (dot, mv, vector @ matrix, mm). */
export function matmul(a: Tensor, b: Tensor): Tensor {
  const ha = h(a, "matmul"), hb = h(b, "matmul");
  checkFloat(a, "matmul");
  checkFloat(b, "matmul");
  const na = a.shape.length, nb = b.shape.length;
  if (na === 0 || nb === 0) {
    throw new ShapeError(`matmul: both arguments need at least 1 dimension, got shapes ${formatShape(a.shape)} and ${formatShape(b.shape)}`);
  }
  if (na > 2 || nb > 2) {
    throw new ShapeError(`matmul: batched products (inputs with more than 2 dims) are not supported yet: ${formatShape(a.shape)} @ ${formatShape(b.shape)}`);
  }
  const k1 = a.shape[na - 1], k2 = b.shape[0];
  if (k1 !== k2) {
    throw new ShapeError(`matmul: inner dimensions differ: ${formatShape(a.shape)} @ ${formatShape(b.shape)} (${k1} vs ${k2})`);
  }
  const shape = checkShape(na === 2 && nb === 2 ? [a.shape[0], b.shape[1]] : na === 2 ? [a.shape[0]] : nb === 2 ? [b.shape[1]] : [], "matmul");
  return wrap(W.matmulOp(ha, hb), shape, 0, "matmul");
}

/** Product of two 2-D tensors (torch.mm). */
export function mm(a: Tensor, b: Tensor): Tensor {
  h(a, "mm");
  h(b, "mm");
  if (a.shape.length !== 2 || b.shape.length !== 2) {
    throw new ShapeError(`mm: both arguments must be 2-D, got shapes ${formatShape(a.shape)} and ${formatShape(b.shape)}`);
  }
  if (a.shape[1] !== b.shape[0]) {
    throw new ShapeError(`mm: shapes ${formatShape(a.shape)} and ${formatShape(b.shape)} cannot be multiplied (${a.shape[1]} vs ${b.shape[0]})`);
  }
  return matmul(a, b);
}

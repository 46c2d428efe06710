// nn.utils: gradient clipping (torch.nn.utils.clip_grad_norm_ / clip_grad_value_).

import { Tensor } from "../tensor.js";
import { noGrad } from "../gradMode.js";
import { full, tensor } from "../ops/creation.js";
import { div, maximum, minimum } from "../ops/binary.js";
import { DTypeError, WasmgradError } from "../errors.js";
import { show as describe } from "./late.js";

function gradsOf(params: Tensor | Iterable<Tensor>, op: string): Tensor[] {
  const list = params instanceof Tensor ? [params] : [...params];
  const out: Tensor[] = [];
  for (const p of list) {
    if (!(p instanceof Tensor)) throw new DTypeError(`${op}: expected tensors, got ${describe(p)}`);
    const g = p.grad;
    if (g !== null) out.push(g);
  }
  return out;
}

/** The p-norm of a gradient as a 0-dim tensor (max |g| for Infinity). */
function normOf(g: Tensor, p: number): Tensor {
  const a = g.detach().abs();
  if (p === Infinity) {
    // max of |g| without a max reduction: the largest element read back
    let m = 0;
    for (const v of a.dataSync()) m = v > m || Number.isNaN(v) ? v : m;
    return full([], m, { dtype: g.dtype === "float64" ? "float64" : "float32" });
  }
  if (p === 2) return a.mul(a).sum().sqrt();
  if (p === 1) return a.sum();
  return a.pow(p).sum().pow(1 / p);
}

/**
 * Scales the gradients in place so that their joint p-norm is at most maxNorm; returns the norm
 * before clipping. As torch: norm of the per-tensor norms, coef = maxNorm / (norm + 1e-6) clamped
 * at 1, every gradient multiplied by coef.
 */
export function clipGradNorm_(params: Tensor | Iterable<Tensor>, maxNorm: number, normType = 2,
  opts: { errorIfNonfinite?: boolean } = {}): Tensor {
  if (typeof maxNorm !== "number") throw new DTypeError(`clipGradNorm_: maxNorm must be a number, got ${describe(maxNorm)}`);
  if (typeof normType !== "number" || !(normType > 0)) throw new DTypeError(`clipGradNorm_: normType must be a positive number or Infinity, got ${describe(normType)}`);
  const grads = gradsOf(params, "clipGradNorm_");
  if (grads.length === 0) return tensor(0);
  return noGrad(() => {
    const norms = grads.map((g) => normOf(g, normType));
    let total: Tensor;
    if (normType === Infinity) {
      let m = norms[0].item();
      for (const n of norms) { const v = n.item(); if (v > m || Number.isNaN(v)) m = v; }
      total = norms.length === 1 ? norms[0] : full([], m);
    } else if (norms.length === 1) {
      total = norms[0];
    } else {
      let acc: Tensor | null = null;
      for (const n of norms) {
        const t = normType === 2 ? n.mul(n) : normType === 1 ? n : n.pow(normType);
        acc = acc === null ? t : acc.add(t);
      }
      total = normType === 2 ? acc!.sqrt() : normType === 1 ? acc! : acc!.pow(1 / normType);
    }
    if (opts.errorIfNonfinite && !Number.isFinite(total.item())) {
      throw new WasmgradError(`clipGradNorm_: the total norm of order ${normType} for gradients from \`parameters\` is non-finite, so it cannot be clipped. To disable this error and scale the gradients by the non-finite norm anyway, set errorIfNonfinite: false`);
    }
    const coef = minimum(div(maxNorm, total.add(1e-6)), full([], 1, { dtype: total.dtype === "float64" ? "float64" : "float32" }));
    for (const g of grads) g.mul_(coef.dtype === g.dtype ? coef : coef.to(g.dtype));
    return total;
  });
}

/** Clamps every gradient to [-clipValue, clipValue] in place. */
export function clipGradValue_(params: Tensor | Iterable<Tensor>, clipValue: number): void {
  if (typeof clipValue !== "number") throw new DTypeError(`clipGradValue_: clipValue must be a number, got ${describe(clipValue)}`);
  const grads = gradsOf(params, "clipGradValue_");
  noGrad(() => {
    for (const g of grads) {
      const dt = g.dtype === "float64" ? "float64" : "float32";
      g.copy_(maximum(minimum(g, full([], clipValue, { dtype: dt })), full([], -clipValue, { dtype: dt })));
    }
  });
}

// nn.utils: gradient clipping (torch.nn.utils.clip_grad_norm_ / clip_grad_value_).

import { Tensor } from "../tensor.js";
import { noGrad } from "../gradMode.js";
import { full, tensor } from "../ops/creation.js";
import { div, maximum, minimum } from "../ops/binary.js";
import { max } from "../ops/reduceMinMax.js";
import { norm } from "../ops/reduceStats.js";
import { stack } from "../ops/indexing.js";
import { DTypeError, WasmgradError } from "../errors.js";
import { show as describe } from "./show.js";
import { boolArg, listArg, named, numberArg, optsArg, tensorArg } from "../validate.js";

function gradsOf(params: Tensor | Iterable<Tensor>, op: string): Tensor[] {
  const list = params instanceof Tensor ? [params] : listArg(params, "parameters", op);
  const out: Tensor[] = [];
  for (const p of list) {
    tensorArg(p, "a parameter", op);
    const g = (p as Tensor).grad;
    if (g !== null) out.push(g);
  }
  return out;
}

/**
 * Scales the gradients in place so that their joint p-norm is at most maxNorm; returns the norm
 * before clipping. As torch: the norm of the stacked per-tensor norms (the largest |g| for
 * Infinity), coef = maxNorm / (norm + 1e-6) clamped at 1, every gradient multiplied by coef.
 */
export function clipGradNorm_(params: Tensor | Iterable<Tensor>, maxNorm: number, normType = 2,
  opts: { errorIfNonfinite?: boolean } = {}): Tensor {
  const op = "clipGradNorm_";
  numberArg(maxNorm, "maxNorm", op, { finite: false });
  if (typeof normType !== "number" || !(normType > 0)) throw new DTypeError(`clipGradNorm_: normType must be a positive number or Infinity, got ${describe(normType)}`);
  const o = optsArg<{ errorIfNonfinite: boolean }>(opts, op, "{ errorIfNonfinite?: boolean }");
  const errorIfNonfinite = boolArg(o.errorIfNonfinite ?? false, "errorIfNonfinite", op);
  const grads = gradsOf(params, op);
  if (grads.length === 0) return tensor(0);
  return named(op, () => noGrad(() => {
    let total: Tensor;
    if (normType === Infinity) {
      const norms = grads.map((g) => max(g.detach().abs()));
      total = norms.length === 1 ? norms[0] : max(stack(norms));
    } else {
      total = norm(stack(grads.map((g) => norm(g.detach(), normType))), normType);
    }
    if (errorIfNonfinite && !Number.isFinite(total.item())) {
      throw new WasmgradError(`clipGradNorm_: the total norm of order ${normType} for gradients from \`parameters\` is non-finite, so it cannot be clipped. To disable this error and scale the gradients by the non-finite norm anyway, set errorIfNonfinite: false`);
    }
    const coef = minimum(div(maxNorm, total.add(1e-6)), full([], 1, { dtype: total.dtype === "float64" ? "float64" : "float32" }));
    for (const g of grads) g.mul_(coef.dtype === g.dtype ? coef : coef.to(g.dtype));
    return total;
  }));
}

/** Clamps every gradient to [-clipValue, clipValue] in place. */
export function clipGradValue_(params: Tensor | Iterable<Tensor>, clipValue: number): void {
  numberArg(clipValue, "clipValue", "clipGradValue_", { finite: false });
  const grads = gradsOf(params, "clipGradValue_");
  named("clipGradValue_", () => noGrad(() => {
    for (const g of grads) {
      const dt = g.dtype === "float64" ? "float64" : "float32";
      g.copy_(maximum(minimum(g, full([], clipValue, { dtype: dt })), full([], -clipValue, { dtype: dt })));
    }
  }));
}

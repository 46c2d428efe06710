// The whole op surface against PyTorch 1.13 (test/fixtures/golden/*.json, from make_golden.py).
// For each case: the forward result in function form and in method form (where the API has both),
// the gradient of sum(out * cot) through backward(), and the second derivative
// d/dx sum(grad_x * v) through autograd.grad with createGraph. Cases whose op, form, dtype or
// autograd.grad wasmgrad does not have yet are registered as todo, so they show up as missing.
// Tolerances: TOLERANCES in test/helpers/golden.ts.

import { describe, test, expect } from "vitest";
import * as wg from "../../src/index.js";
import {
  FAMILIES, loadFamily, buildInputs, call, diffOutputs, expectOutput, expectGrad, hasFunction, hasMethod,
  isError, makeTensor, supportsDtype, dtypesOf, type GoldenCase,
} from "../helpers/golden";

type Tensor = wg.Tensor;
type AutogradGrad = (
  outputs: Tensor | Tensor[], inputs: Tensor[],
  opts?: { gradOutputs?: Tensor[]; retainGraph?: boolean; createGraph?: boolean; allowUnused?: boolean },
) => (Tensor | null)[];

const autogradGrad = (wg as unknown as { autograd?: { grad?: AutogradGrad } }).autograd?.grad;

/** Why the case cannot run yet, or null. */
function missingDtype(c: GoldenCase): string | null {
  for (const d of dtypesOf(c)) if (!supportsDtype(d)) return `dtype ${d} not supported`;
  return null;
}

/** The form used for gradients: the function form when it exists, else the method form. */
function gradForm(c: GoldenCase): "function" | "method" | null {
  if (c.forms.includes("function") && hasFunction(c.fn)) return "function";
  if (c.forms.includes("method") && hasMethod(c.fn)) return "method";
  return null;
}

function cotangents(c: GoldenCase, outs: Tensor[]): Tensor[] {
  return outs.map((o, k) => makeTensor({ shape: o.shape.slice(), dtype: o.dtype, values: c.cot![k] }));
}

function runForward(c: GoldenCase, form: "function" | "method"): void {
  const { used } = buildInputs(c);
  if (isError(c.out)) {
    let thrown: unknown = null;
    try { call(c, form, used); } catch (e) { thrown = e; }
    expect(thrown, `torch raises: ${c.out.error}`).toBeInstanceOf(wg.WasmgradError);
    return;
  }
  const out = call(c, form, used);
  expectOutput(out, c, `${form} ${c.fn}`);
  // in-place ops return their receiver
  if (c.fn.endsWith("_")) expect(out).toBe(used[0]);
}

function runGrad(c: GoldenCase, form: "function" | "method"): void {
  const { leaves, used } = buildInputs(c);
  const outs = diffOutputs(call(c, form, used));
  const cots = cotangents(c, outs);
  if (outs.length === 1) {
    outs[0].backward(cots[0]);
  } else {
    let loss: Tensor | null = null;
    outs.forEach((o, k) => { const t = o.mul(cots[k]).sum(); loss = loss ? loss.add(t) : t; });
    loss!.backward();
  }
  c.grads!.forEach((g, k) => { if (g) expectGrad(leaves[k].grad, c, k, g, "grad"); });
}

function runGradGrad(c: GoldenCase, form: "function" | "method", grad: AutogradGrad): void {
  const { leaves, used } = buildInputs(c);
  const gin = leaves.filter((_, k) => c.inputs[k].grad);
  const outs = diffOutputs(call(c, form, used));
  const gs = grad(outs, gin, { gradOutputs: cotangents(c, outs), createGraph: true, allowUnused: true });
  const vs = gin.map((x, i) => makeTensor({ shape: x.shape.slice(), dtype: x.dtype, values: c.v![i] }));
  let s: Tensor | null = null;
  gs.forEach((g, i) => {
    if (!g || !g.requiresGrad) return;
    const t = g.mul(vs[i]).sum();
    s = s ? s.add(t) : t;
  });
  // a first derivative that does not depend on the inputs has a zero derivative
  const ggs: (Tensor | null)[] = s ? grad(s, gin, { allowUnused: true }) : gin.map(() => null);
  let i = 0;
  c.ggrads!.forEach((e, k) => { if (e) expectGrad(ggs[i++], c, k, e, "ggrad"); });
}

for (const family of FAMILIES) {
  describe(family, () => {
    for (const c of loadFamily(family)) {
      const dtypeGap = missingDtype(c);
      for (const form of c.forms) {
        const label = `${form}: ${c.name}`;
        const exists = form === "function" ? hasFunction(c.fn) : hasMethod(c.fn);
        if (!exists) test.todo(`${label} (${form === "function" ? `wg.${c.fn}` : `Tensor.${c.fn}`} missing)`);
        else if (dtypeGap) test.todo(`${label} (${dtypeGap})`);
        else test(label, () => runForward(c, form));
      }
      if (!c.grads) continue;
      const form = gradForm(c);
      if (!form) test.todo(`grad: ${c.name} (${c.fn} missing)`);
      else if (dtypeGap) test.todo(`grad: ${c.name} (${dtypeGap})`);
      else test(`grad: ${c.name}`, () => runGrad(c, form));
      if (c.twice === false) continue; // torch cannot differentiate this op twice
      if (!form) test.todo(`gradgrad: ${c.name} (${c.fn} missing)`);
      else if (!autogradGrad) test.todo(`gradgrad: ${c.name} (wg.autograd.grad missing)`);
      else if (dtypeGap) test.todo(`gradgrad: ${c.name} (${dtypeGap})`);
      else test(`gradgrad: ${c.name}`, () => runGradGrad(c, form, autogradGrad));
    }
  });
}

// Runs the module cases of test/fixtures/make_layers.py: seeded init, forward outputs, gradients
// of sum_k sum(out_k * linspace(0.5, 1.5)), buffers after the forward calls.

import { expect } from "vitest";
import * as wg from "../../src/index.js";
import { expectClose, type Tolerance } from "../helpers/close";
import { makeTensor, fixture, type TensorRec } from "./util";

export { fixture, makeTensor };
export type { TensorRec };

export interface ModuleCase {
  name: string; seed: number; init: [string, TensorRec][]; state: [string, TensorRec][] | null;
  inputs: TensorRec[]; outs: TensorRec[]; inputGrads: (TensorRec | null)[]; paramGrads: [string, TensorRec][];
  buffersAfter: [string, TensorRec][];
}

export interface Tols { init?: Tolerance; out: Tolerance; grad: Tolerance }

export function close(t: wg.Tensor, r: TensorRec, tol: Tolerance, label: string): void {
  expect(t.shape, `${label}: shape`).toEqual(r.shape);
  expect(t.dtype, `${label}: dtype`).toBe(r.dtype);
  // the fixture holds the shortest decimal of each float32; fround gives back the float32 itself
  const want = (r.values as number[]).map((v) => (r.dtype === "float32" ? Math.fround(v) : v));
  expectClose(Array.from(t.dataSync() as ArrayLike<number>), want, tol, label);
}

function cot(o: wg.Tensor): wg.Tensor {
  return wg.linspace(0.5, 1.5, o.numel()).reshape(o.shape as number[]);
}

/** Builds the module under its seed, checks init, runs `call`, checks outputs, grads and buffers. */
export function runCase(c: ModuleCase, build: () => wg.nn.Module, call: (m: wg.nn.Module, xs: wg.Tensor[]) => wg.Tensor[], tol: Tols): void {
  wg.manualSeed(c.seed);
  const m = build();
  const sd = m.stateDict();
  expect(Object.keys(sd), "stateDict keys").toEqual(c.init.map(([k]) => k));
  for (const [k, r] of c.init) close(sd[k], r, tol.init ?? { atol: 0, rtol: 0 }, `init ${k}`);
  if (c.state) m.loadStateDict(Object.fromEntries(c.state.map(([k, r]) => [k, makeTensor(r)])));
  const xs = c.inputs.map((r) => makeTensor(r, r.dtype === "float32"));
  const outs = call(m, xs);
  expect(outs.length).toBe(c.outs.length);
  outs.forEach((o, i) => close(o, c.outs[i], tol.out, `out ${i}`));
  outs.map((o) => o.mul(cot(o)).sum()).reduce((a, b) => a.add(b)).backward();
  c.inputGrads.forEach((g, i) => {
    if (g === null) expect(xs[i].grad).toBeNull();
    else close(xs[i].grad!, g, tol.grad, `grad of input ${i}`);
  });
  const params = new Map(m.namedParameters());
  expect([...params.keys()]).toEqual(c.paramGrads.map(([k]) => k));
  for (const [k, g] of c.paramGrads) close(params.get(k)!.grad!, g, tol.grad, `grad of ${k}`);
  const bufs = new Map(m.namedBuffers());
  expect([...bufs.keys()]).toEqual(c.buffersAfter.map(([k]) => k));
  for (const [k, b] of c.buffersAfter) close(bufs.get(k)!, b, tol.out, `buffer ${k}`);
}

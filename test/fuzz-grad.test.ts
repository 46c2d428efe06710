// Seeded differential fuzzing of gradients: random graphs of smooth ops (elementwise, broadcasting
// binary, reductions, views, copies, matmul) over a few leaves. In float64, first derivatives are
// checked by gradcheck and createGraph second derivatives (Hessian-vector products) by central
// differences of first derivatives; the same graph in float32, and with mixed float32/float64
// leaves, must agree with the float64 results. A failure names the seed and the program.
import { describe, test, expect } from "vitest";
import { autograd, tensor, noGrad, tidy, Tensor, type DTypeName } from "wasmgrad";
import * as wg from "wasmgrad";
import { Rng } from "./helpers/random";

type Fn = (...xs: Tensor[]) => Tensor;
interface Step { name: string; run: (vals: Tensor[], dt: DTypeName) => Tensor }
interface Program { leaves: { shape: number[]; values: number[] }[]; steps: Step[]; cs: number[][]; text: string }

const numel = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
const T = (x: Tensor) => x as any; // ops other families add appear as methods at run time
const has = (op: string) => typeof (Tensor.prototype as any)[op] === "function";
const hasFn = (op: string) => typeof (wg as any)[op] === "function";
const konst = (v: number[], shape: number[], dt: DTypeName) => noGrad(() => tensor(Float64Array.from(v), { dtype: "float64" }).reshape(shape).to(dt));

/** Elementwise ops, smooth on the whole real line (domains kept with x^2 + 1 and tanh). */
const UNARY: [string, (x: Tensor) => Tensor][] = [
  ["tanh", (x) => x.tanh()],
  ["sigmoid", (x) => x.sigmoid()],
  ["square", (x) => x.square()],
  ["neg", (x) => x.neg()],
  ["mul(-0.7)", (x) => x.mul(-0.7)],
  ["add(0.3)", (x) => x.add(0.3)],
  ["rsub(1)", (x) => wg.sub(1, x)],
  ["exp(tanh)", (x) => x.tanh().exp()],
  ["log(x^2+1)", (x) => x.square().add(1).log()],
  ["sqrt(x^2+0.5)", (x) => x.square().add(0.5).sqrt()],
  ["x/(x^2+1)", (x) => x.div(x.square().add(1))],
  ["reciprocal(x^2+1)", (x) => x.square().add(1).reciprocal()],
  ["pow(x^2+1, 1.5)", (x) => x.square().add(1).pow(1.5)],
  ["pow(1.3, x)", (x) => wg.pow(1.3, x.tanh())],
  ...(has("sin") ? [["sin", (x: Tensor) => T(x).sin()], ["cos", (x: Tensor) => T(x).cos()]] as [string, (x: Tensor) => Tensor][] : []),
  ...(has("softplus") ? [["softplus", (x: Tensor) => T(x).softplus()]] as [string, (x: Tensor) => Tensor][] : []),
  ...(has("gelu") ? [["gelu", (x: Tensor) => T(x).gelu()]] as [string, (x: Tensor) => Tensor][] : []),
  ...(has("silu") ? [["silu", (x: Tensor) => T(x).silu()]] as [string, (x: Tensor) => Tensor][] : []),
  ...(has("rsqrt") ? [["rsqrt(x^2+1)", (x: Tensor) => T(x.square().add(1)).rsqrt()]] as [string, (x: Tensor) => Tensor][] : []),
  ...(has("expm1") ? [["expm1(tanh)", (x: Tensor) => T(x.tanh()).expm1()]] as [string, (x: Tensor) => Tensor][] : []),
  ...(has("log1p") ? [["log1p(sigmoid)", (x: Tensor) => T(x.sigmoid()).log1p()]] as [string, (x: Tensor) => Tensor][] : []),
];

function broadcastable(a: readonly number[], b: readonly number[]): boolean {
  for (let i = 1; i <= Math.min(a.length, b.length); i++) {
    const x = a[a.length - i], y = b[b.length - i];
    if (x !== y && x !== 1 && y !== 1) return false;
  }
  return true;
}
const bshape = (a: readonly number[], b: readonly number[]) => {
  const n = Math.max(a.length, b.length), out: number[] = [];
  for (let i = n; i >= 1; i--) out.push(Math.max(a[a.length - i] ?? 1, b[b.length - i] ?? 1));
  return out;
};

/** One random step that applies to the current values (with their shapes), or null. */
function randomStep(rng: Rng, shapes: number[][]): { step: Step; shape: number[] } | null {
  const i = shapes.length - 1 - Math.min(rng.int(0, 2), shapes.length - 1); // mostly recent values
  const s = shapes[i], nd = s.length;
  const kind = rng.weighted<string>([[5, "unary"], [4, "binary"], [3, "reduce"], [3, "view"], [2, "copy"], [2, "matmul"]]);
  const dimOf = () => rng.int(0, nd - 1);
  if (kind === "unary") {
    const [name, f] = rng.pick(UNARY);
    return { step: { name: `${name}(v${i})`, run: (v) => f(v[i]) }, shape: s };
  }
  if (kind === "binary") {
    const j = rng.int(0, shapes.length - 1);
    const ok = broadcastable(s, shapes[j]);
    const op = rng.pick(["add", "sub", "mul", "div", "lerp", "where", "atan2"] as const);
    const b = (v: Tensor[]) => (ok ? v[j] : v[j].mean());
    const out = ok ? bshape(s, shapes[j]) : s;
    const name = `${op}(v${i}, ${ok ? `v${j}` : `mean(v${j})`})`;
    if (op === "div") return { step: { name, run: (v) => v[i].div(b(v).square().add(0.5)) }, shape: out };
    if (op === "lerp") {
      if (!ok || !has("lerp")) return null;
      return { step: { name, run: (v) => T(v[i]).lerp(v[j].to(v[i].dtype), 0.3) }, shape: out };
    }
    if (op === "atan2") return { step: { name, run: (v) => wg.atan2(v[i], b(v).square().add(1)) }, shape: out };
    if (op === "where") {
      const mask = Array.from({ length: numel(out) }, () => rng.chance(0.5));
      return { step: { name: `where(mask, v${i}, ${ok ? `v${j}` : `mean(v${j})`})`,
        run: (v) => wg.where(tensor(mask).reshape(out), v[i], b(v)) }, shape: out };
    }
    return { step: { name, run: (v) => (v[i] as any)[op](b(v)) }, shape: out };
  }
  if (kind === "reduce") {
    if (nd === 0) return null;
    const d = dimOf(), keep = rng.chance(0.5);
    const red = (sh: number[]) => (keep ? sh.map((x, k) => (k === d ? 1 : x)) : sh.filter((_, k) => k !== d));
    const choices: [string, (x: Tensor) => Tensor, number[]][] = [
      ["sum", (x) => x.sum(d, keep), red(s)],
      ["mean", (x) => x.mean(d, keep), red(s)],
      ["sumAll", (x) => x.sum(), []] as [string, (x: Tensor) => Tensor, number[]],
    ];
    if (has("logsumexp")) choices.push(["logsumexp", (x) => T(x).logsumexp(d, keep), red(s)]);
    if (has("softmax")) choices.push(["softmax", (x) => T(x).softmax(d), s], ["logSoftmax", (x) => T(x).logSoftmax(d), s]);
    if (has("cumsum")) choices.push(["cumsum", (x) => T(x).cumsum(d), s]);
    if (has("prod")) choices.push(["prod(tanh)", (x) => T(x.tanh().add(1.5)).prod(d, keep), red(s)]);
    if (has("var") && s[d] > 1) choices.push(["var", (x) => T(x).var(d, { correction: 1 }, keep), red(s)]);
    if (has("norm")) choices.push(["norm(x^2+1)", (x) => T(x.square().add(1)).norm(2, d, keep), red(s)]);
    const [name, f, out] = rng.pick(choices);
    const args = name === "sumAll" ? "" : `, dim ${d}${keep ? ", keepdim" : ""}`;
    return { step: { name: `${name}(v${i}${args})`, run: (v) => f(v[i]) }, shape: out };
  }
  if (kind === "view") {
    const choices: [string, (x: Tensor) => Tensor, number[]][] = [
      ["reshape(-1)", (x) => x.reshape(-1), [numel(s)]],
      ["unsqueeze(0)", (x) => x.unsqueeze(0), [1, ...s]],
    ];
    if (nd >= 2) {
      choices.push(["transpose(0, -1)", (x) => x.transpose(0, nd - 1), [s[nd - 1], ...s.slice(1, nd - 1), s[0]]]);
      const perm = rng.shuffle(Array.from({ length: nd }, (_, k) => k));
      choices.push([`permute(${perm})`, (x) => x.permute(...perm), perm.map((p) => s[p])]);
    }
    if (nd >= 1 && numel(s) * 2 <= 24) choices.push(["unsqueeze(0).expand(2)", (x) => x.unsqueeze(0).expand(2, ...s), [2, ...s]]);
    const d = nd ? dimOf() : 0;
    if (nd >= 1 && s[d] >= 2 && has("slice")) {
      choices.push([`slice(${d}, 0, ${s[d]}, 2)`, (x) => T(x).slice(d, 0, s[d], 2), s.map((x, k) => (k === d ? Math.ceil(x / 2) : x))]);
      choices.push([`select(${d}, 1)`, (x) => T(x).select(d, 1), s.filter((_, k) => k !== d)]);
    }
    if (nd >= 1 && s[d] >= 2 && has("split")) {
      choices.push([`split(1, ${d})[1]`, (x) => T(x).split(1, d)[1], s.map((x, k) => (k === d ? 1 : x))]);
    }
    if (s.includes(1)) choices.push(["squeeze()", (x) => x.squeeze(), s.filter((x) => x !== 1)]);
    const [name, f, out] = rng.pick(choices);
    return { step: { name: `${name}(v${i})`, run: (v) => f(v[i]) }, shape: out };
  }
  if (kind === "copy") {
    const choices: [string, (v: Tensor[]) => Tensor, number[]][] = [["clone", (v) => v[i].clone(), s]];
    if (nd >= 1 && has("flip")) choices.push(["flip(0)", (v) => T(v[i]).flip([0]), s]);
    if (nd >= 1 && numel(s) * 2 <= 24 && has("repeat")) choices.push(["repeat(2)", (v) => T(v[i]).repeat(...s.map((_, k) => (k === 0 ? 2 : 1))), s.map((x, k) => (k === 0 ? 2 * x : x))]);
    if (nd === 2 && has("tril")) choices.push(["tril", (v) => T(v[i]).tril(), s], ["triu(1)", (v) => T(v[i]).triu(1), s]);
    if (nd >= 1 && hasFn("pad")) choices.push(["pad([1, 0])", (v) => (wg as any).pad(v[i], [1, 0], 0.25), [...s.slice(0, -1), s[nd - 1] + 1]]);
    const j = shapes.findIndex((t, k) => k !== i && t.length === nd && nd >= 1 && t.slice(1).join() === s.slice(1).join());
    if (j >= 0 && hasFn("cat")) {
      choices.push([`cat([v${i}, v${j}], 0)`, (v) => (wg as any).cat([v[i], v[j]], 0), [s[0] + shapes[j][0], ...s.slice(1)]]);
    }
    const k = shapes.findIndex((t, q) => q !== i && t.join() === s.join());
    if (k >= 0 && hasFn("stack")) choices.push([`stack([v${i}, v${k}], 0)`, (v) => (wg as any).stack([v[i], v[k]], 0), [2, ...s]]);
    if (nd >= 1 && has("indexSelect")) {
      const idx = Array.from({ length: rng.int(1, 3) }, () => rng.int(0, s[nd - 1] - 1));
      choices.push([`indexSelect(-1, [${idx}])`, (v) => T(v[i]).indexSelect(nd - 1, tensor(Int32Array.from(idx))), [...s.slice(0, -1), idx.length]]);
    }
    const [name, f, out] = rng.pick(choices);
    return { step: { name: `${name}(v${i})`, run: f }, shape: out };
  }
  // matmul with another value or a constant matrix
  if (nd === 0 || numel(s) > 12) return null;
  const n = s[nd - 1];
  const j = shapes.findIndex((t) => t.length === 2 && t[0] === n);
  if (j >= 0 && rng.chance(0.6)) {
    const out = [...s.slice(0, -1), shapes[j][1]];
    return { step: { name: `matmul(v${i}, v${j})`, run: (v) => v[i].matmul(v[j]) }, shape: out };
  }
  const m = rng.int(1, 3), vals = rng.normals(n * m, 0.7);
  const vec = rng.chance(0.3);
  return vec
    ? { step: { name: `matmul(v${i}, const[${n}])`, run: (v, dt) => v[i].matmul(konst(vals.slice(0, n), [n], dt)) }, shape: s.slice(0, -1) }
    : { step: { name: `matmul(v${i}, const[${n}, ${m}])`, run: (v, dt) => v[i].matmul(konst(vals, [n, m], dt)) }, shape: [...s.slice(0, -1), m] };
}

function randomProgram(seed: number): Program {
  const rng = new Rng(seed);
  const nLeaves = rng.int(1, 3);
  const leaves = Array.from({ length: nLeaves }, () => {
    const nd = rng.int(0, 3);
    const shape = Array.from({ length: nd }, () => rng.int(1, 3));
    return { shape, values: rng.normals(numel(shape), 0.8) };
  });
  const shapes = leaves.map((l) => l.shape);
  const steps: Step[] = [];
  const nSteps = rng.int(2, 7);
  for (let tries = 0; steps.length < nSteps && tries < 50; tries++) {
    const r = randomStep(rng, shapes);
    if (!r || numel(r.shape) > 36 || r.shape.length > 4) continue;
    steps.push(r.step);
    shapes.push(r.shape);
  }
  // every computed value reaches the output, weighted by its own random cotangent
  const cs = shapes.slice(leaves.length).map((sh) => rng.normals(numel(sh)));
  const text = [
    ...leaves.map((l, k) => `v${k} = leaf ${JSON.stringify(l.shape)}`),
    ...steps.map((s, k) => `v${leaves.length + k} = ${s.name}`),
  ].join("; ");
  return { leaves, steps, cs, text };
}

/** The program as a function of its leaves: the sum of each computed value times its cotangent, plus 0.1 * mean(leaf^2) per leaf. */
function asFn(p: Program, dt: () => DTypeName): Fn {
  return (...xs: Tensor[]) => {
    const vals = xs.slice();
    for (const s of p.steps) vals.push(s.run(vals, dt()));
    let out = xs[0].square().mean().mul(0.1); // every leaf is used
    for (const x of xs.slice(1)) out = out.add(x.square().mean().mul(0.1));
    vals.slice(xs.length).forEach((v, k) => { out = out.add(v.mul(konst(p.cs[k], v.shape, v.dtype)).sum()); });
    return out;
  };
}

const leafOf = (l: { shape: number[]; values: number[] }, dt: DTypeName) =>
  noGrad(() => tensor(Float64Array.from(l.values), { dtype: "float64" }).reshape(l.shape).to(dt)).requiresGrad_(true);

/** First derivatives, and the Hessian-vector product with direction v, through createGraph. */
function derivatives(fn: Fn, xs: Tensor[], v: Float64Array[]): { g: Float64Array[]; hv: Float64Array[] } {
  return tidy(() => {
    const gs = autograd.grad(fn(...xs), xs, { createGraph: true }).map((g) => g!);
    gs.forEach((g, k) => expect(g.dtype).toBe(xs[k].dtype));
    let dot: Tensor | null = null;
    gs.forEach((g, k) => {
      const term = g.mul(konst(Array.from(v[k]), xs[k].shape, g.dtype)).sum();
      dot = dot ? dot.add(term) : term;
    });
    const hv = autograd.grad(dot!, xs, { allowUnused: true }).map((h, k) => (h ? Float64Array.from(h.dataSync()) : new Float64Array(xs[k].numel())));
    return { g: gs.map((g) => Float64Array.from(g.dataSync())), hv };
  });
}

function gradAt(fn: Fn, p: Program, dt: DTypeName, shift: Float64Array[], scale: number): Float64Array[] {
  return tidy(() => {
    const xs = p.leaves.map((l, k) => leafOf({ shape: l.shape, values: l.values.map((x, i) => x + scale * shift[k][i]) }, dt));
    return autograd.grad(fn(...xs), xs).map((g) => Float64Array.from(g!.dataSync()));
  });
}

function expectNear(a: Float64Array[], b: Float64Array[], atol: number, rtol: number, what: string, p: Program, seed: number): void {
  let scale = 0;
  for (const x of b) for (const y of x) scale = Math.max(scale, Math.abs(y));
  a.forEach((ak, k) => ak.forEach((x, i) => {
    const y = b[k][i];
    if (!(Math.abs(x - y) <= atol + rtol * Math.max(Math.abs(y), 0.01 * scale))) {
      throw new Error(`seed ${seed}: ${what} of leaf ${k} at ${i}: ${x} vs ${y} (atol ${atol}, rtol ${rtol})\n  program: ${p.text}`);
    }
  }));
}

const SEEDS = Array.from({ length: 48 }, (_, k) => 1000 + k);
// FUZZ_GRAD_PRINT=1 lists the programs, to read what a seed exercises
if (process.env.FUZZ_GRAD_PRINT) for (const s of SEEDS) console.log(s, randomProgram(s).text);

describe("fuzzed gradients", () => {
  test.each(SEEDS)("seed %i: float64 first and second derivatives against finite differences", (seed) => {
    const p = randomProgram(seed);
    const fn = asFn(p, () => "float64");
    const xs = p.leaves.map((l) => leafOf(l, "float64"));
    try {
      autograd.gradcheck(fn, xs);
    } catch (e) {
      throw new Error(`seed ${seed}: ${(e as Error).message}\n  program: ${p.text}`);
    }
    const rng = new Rng(seed + 7);
    const v = p.leaves.map((l) => Float64Array.from(rng.normals(numel(l.shape))));
    const { hv } = derivatives(fn, xs, v);
    const eps = 1e-5;
    const hi = gradAt(fn, p, "float64", v, eps), lo = gradAt(fn, p, "float64", v, -eps);
    const fd = hi.map((h, k) => h.map((x, i) => (x - lo[k][i]) / (2 * eps)));
    expectNear(hv, fd, 1e-6, 1e-5, "Hessian-vector product vs finite differences of the gradient", p, seed);
  });

  test.each(SEEDS)("seed %i: float32 and mixed-dtype graphs agree with float64", (seed) => {
    const p = randomProgram(seed);
    const rng = new Rng(seed + 7);
    const v = p.leaves.map((l) => Float64Array.from(rng.normals(numel(l.shape))));
    const ref = derivatives(asFn(p, () => "float64"), p.leaves.map((l) => leafOf(l, "float64")), v);
    // the leaves hold float32-rounded values, so float32 differs only by its own rounding
    const f32 = derivatives(asFn(p, () => "float32"), p.leaves.map((l) => leafOf(l, "float32")), v);
    expectNear(f32.g, ref.g, 1e-4, 2e-3, "float32 gradient", p, seed);
    expectNear(f32.hv, ref.hv, 1e-4, 5e-3, "float32 Hessian-vector product", p, seed);
    if (p.leaves.length >= 2) {
      const dts: DTypeName[] = p.leaves.map((_, k) => (k % 2 ? "float32" : "float64"));
      const mixed = derivatives(asFn(p, () => "float32"), p.leaves.map((l, k) => leafOf(l, dts[k])), v);
      expectNear(mixed.g, ref.g, 1e-4, 2e-3, "mixed-dtype gradient", p, seed);
      expectNear(mixed.hv, ref.hv, 1e-4, 5e-3, "mixed-dtype Hessian-vector product", p, seed);
    }
  });
});

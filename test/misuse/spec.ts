// Argument descriptions for the misuse battery. Every argument is first drawn as a plain,
// JSON-serialisable description (so a call can be replayed in a child process), then made into
// the real value by `materialize`. `show` prints a call the way a user would write it.

import type * as WG from "../../src/index.js";

export type Lib = typeof WG;
export type Tensor = WG.Tensor;

/** mulberry32: the same seed gives the same sequence everywhere. */
export class Rng {
  private a: number;
  constructor(seed: number) { this.a = seed >>> 0; }
  float(): number {
    this.a = (this.a + 0x6d2b79f5) >>> 0;
    let t = this.a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(lo: number, hi: number): number { return lo + Math.floor(this.float() * (hi - lo + 1)); }
  pick<T>(xs: readonly T[]): T { return xs[Math.floor(this.float() * xs.length)]; }
  chance(p: number): boolean { return this.float() < p; }
}

export type DT = "float32" | "float64" | "int32" | "bool";

export type TensorSpec = {
  k: "t";
  dt: DT;
  shape: number[];
  view?: "T" | "expand";
  rg?: boolean;       // a leaf that requires grad
  nonleaf?: boolean;  // the result of an op on a leaf that requires grad
  withGrad?: boolean; // a leaf whose .grad is set by a backward
  disposed?: boolean;
};

export type Spec =
  | TensorSpec
  | { k: "num"; v: string }            // String(number): keeps NaN, Infinity and -0 through JSON
  | { k: "big"; v: string }
  | { k: "sym" }
  | { k: "null" }
  | { k: "undef" }
  | { k: "str"; v: string }
  | { k: "bool"; v: boolean }
  | { k: "obj"; e: Record<string, Spec> }
  | { k: "arr"; e: Spec[] }
  | { k: "typed"; type: "Float32Array" | "Float64Array" | "Int32Array" | "Uint8Array" | "BigInt64Array"; v: number[] }
  | { k: "fn"; v: "const" | "tensor" | "async" | "throws" }
  | { k: "fake" }                      // Object.create(Tensor.prototype): passes instanceof, has no handle
  | { k: "map" }
  | { k: "cyc" }                       // an array that contains itself (last)
  | { k: "cyc0" }                      // an array whose first element is itself
  | { k: "cycobj" }                    // an object that contains itself
  | { k: "deep"; n: number };          // n levels of nested arrays around one number

export const num = (v: number): Spec => ({ k: "num", v: Object.is(v, -0) ? "-0" : String(v) });
const nums = (vs: number[]): Spec => ({ k: "arr", e: vs.map(num) });
const obj = (e: Record<string, Spec>): Spec => ({ k: "obj", e });

export const SHAPES: number[][] = [[], [0], [1], [3], [2, 3], [2, 0], [3, 1], [1, 3], [2, 1, 3]];

export function randomTensor(r: Rng, dts: readonly DT[]): TensorSpec {
  const dt = r.chance(0.6) ? "float32" : r.pick(dts);
  const shape = r.pick(SHAPES).slice();
  const t: TensorSpec = { k: "t", dt, shape };
  if (shape.length >= 2 && r.chance(0.2)) t.view = "T";
  else if (shape.length >= 1 && r.chance(0.15)) t.view = "expand";
  if (dt === "float32" && r.chance(0.3)) {
    const which = r.int(0, 2);
    if (which === 0) t.rg = true;
    else if (which === 1) t.nonleaf = true;
    else t.withGrad = true;
  }
  if (r.chance(0.05)) t.disposed = true;
  return t;
}

/** Every kind of odd value, each drawn once per argument position in the sweep. */
export function junkPool(dts: readonly DT[]): Spec[] {
  const I = Infinity;
  const out: Spec[] = [
    ...[NaN, I, -I, -0, 0, 1, 2, 3, -1, -2, -3, 8, 100, 0.5, -2.5, 2 ** 31, -(2 ** 31) - 1, 2 ** 32 + 3, 1e300, -1e300, 1e-300,
      Number.MAX_SAFE_INTEGER].map(num),
    { k: "big", v: "10" }, { k: "sym" }, { k: "null" }, { k: "undef" },
    { k: "str", v: "12MB" }, { k: "str", v: "" }, { k: "str", v: "2" }, { k: "str", v: "float32" },
    { k: "bool", v: true }, { k: "bool", v: false },
    obj({}), obj({ dtype: { k: "str", v: "int32" } }), obj({ dtype: { k: "str", v: "bool" } }), obj({ dtype: { k: "str", v: "float64" } }),
    obj({ dtype: { k: "str", v: "float16" } }), obj({ requiresGrad: { k: "bool", v: true } }),
    obj({ requiresGrad: { k: "str", v: "yes" }, dtype: { k: "num", v: "5" } }),
    obj({ gcHeapBytes: { k: "str", v: "12MB" } }), obj({ alpha: num(NaN) }), obj({ alpha: { k: "str", v: "2" } }),
    obj({ retainGraph: { k: "bool", v: true }, createGraph: { k: "str", v: "yes" } }), obj({ params: { k: "null" } }),
    obj({ params: obj({ w: { k: "num", v: "1" } }) }), { k: "map" },
    { k: "arr", e: [] }, nums([2, 3]), nums([1, 2, 3]), { k: "arr", e: [nums([1, 2]), nums([3])] },
    { k: "arr", e: [num(1), nums([2])] }, { k: "arr", e: [nums([1, 2]), nums([3, 4])] },
    { k: "arr", e: [{ k: "bool", v: true }, { k: "bool", v: false }] },
    { k: "arr", e: [num(1), { k: "str", v: "a" }] }, { k: "arr", e: [{ k: "sym" }] }, { k: "arr", e: [{ k: "big", v: "2" }] },
    nums([2 ** 31]), nums([0, 2 ** 32 + 1]), nums([65536, 65536]), nums([-1]), nums([2, -3]), nums([1.5]), nums([NaN]),
    nums([0, -1]), nums([1, 1, 1, 1, 1, 1, 1, 1, 1]),
    { k: "fn", v: "const" }, { k: "fn", v: "tensor" }, { k: "fn", v: "async" },
    { k: "fake" },
    { k: "typed", type: "Float32Array", v: [1, 2] }, { k: "typed", type: "Float64Array", v: [1, 2] },
    { k: "typed", type: "Int32Array", v: [1, 2] }, { k: "typed", type: "Uint8Array", v: [1, 2] },
    { k: "typed", type: "BigInt64Array", v: [1, 2] },
    { k: "t", dt: "float32", shape: [2, 3], disposed: true },
  ];
  for (const dt of dts) out.push({ k: "t", dt, shape: [2, 3] }, { k: "t", dt, shape: [] }, { k: "t", dt, shape: [0] });
  out.push({ k: "t", dt: "float32", shape: [3, 2], view: "T" }, { k: "t", dt: "float32", shape: [2, 3], view: "expand" },
    { k: "t", dt: "float32", shape: [3], rg: true }, { k: "t", dt: "float32", shape: [3], nonleaf: true },
    { k: "t", dt: "float32", shape: [2, 3], withGrad: true });
  return out;
}

/** Values that often make sense in the other argument positions, so the odd one gets checked. */
export function plausible(r: Rng, dts: readonly DT[], recv: TensorSpec | undefined): Spec {
  switch (r.int(0, 6)) {
    case 0: return recv ? { ...recv, disposed: false, rg: false, nonleaf: false, withGrad: false } : randomTensor(r, dts);
    case 1: return randomTensor(r, dts);
    case 2: return num(r.pick([0, 1, -1, 2, 3, 0.5]));
    case 3: return nums(r.pick([[2, 3], [3], [1], [], [6], [-1]]));
    case 4: return r.pick([obj({}), obj({ requiresGrad: { k: "bool", v: true } }), obj({ dtype: { k: "str", v: r.pick(dts) } }), obj({ alpha: num(2) })]);
    case 5: return r.pick([{ k: "bool", v: true }, { k: "undef" }, { k: "null" }] as Spec[]);
    default: return num(r.int(-3, 3));
  }
}

/** A random argument: mostly plausible values, sometimes junk. */
export function randomArg(r: Rng, dts: readonly DT[], recv: TensorSpec | undefined, junk: readonly Spec[]): Spec {
  return r.chance(0.35) ? r.pick(junk) : plausible(r, dts, recv);
}

// ---- making values --------------------------------------------------------------------------

function values(n: number, dt: DT): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(dt === "bool" ? i % 2 : dt === "int32" ? (i % 7) - 3 : (i % 7) - 3 + 0.5);
  return out;
}

export function makeTensor(wg: Lib, s: TensorSpec, made: Tensor[]): Tensor {
  const keep = (t: Tensor): Tensor => { made.push(t); return t; };
  let shape = s.shape;
  if (s.view === "T") shape = [...shape.slice(0, -2), shape[shape.length - 1], shape[shape.length - 2]];
  if (s.view === "expand") shape = [1, ...shape.slice(1)];
  const n = shape.reduce((a, b) => a * b, 1);
  const flat = s.dt === "int32" ? Int32Array.from(values(n, s.dt)) : s.dt === "float64" ? Float64Array.from(values(n, s.dt)) : Float32Array.from(values(n, s.dt));
  let t = keep(wg.tensor(flat, { dtype: s.dt }).reshape(shape));
  if (s.rg || s.nonleaf || s.withGrad) {
    t.requiresGrad_(true);
    if (s.withGrad) t.sum().backward();
  }
  if (s.view === "T") t = keep(t.transpose(-1, -2));
  if (s.view === "expand") t = keep(t.expand(s.shape));
  if (s.nonleaf) t = keep(t.mul(1));
  if (s.disposed) t.dispose();
  return t;
}

export function materialize(wg: Lib, s: Spec, made: Tensor[]): unknown {
  switch (s.k) {
    case "t": return makeTensor(wg, s, made);
    case "num": return Number(s.v);
    case "big": return BigInt(s.v);
    case "sym": return Symbol("x");
    case "null": return null;
    case "undef": return undefined;
    case "str": return s.v;
    case "bool": return s.v;
    case "obj": return Object.fromEntries(Object.entries(s.e).map(([k, v]) => [k, materialize(wg, v, made)]));
    case "arr": return s.e.map((x) => materialize(wg, x, made));
    case "typed": {
      if (s.type === "BigInt64Array") return BigInt64Array.from(s.v.map(BigInt));
      const C = { Float32Array, Float64Array, Int32Array, Uint8Array }[s.type];
      return C.from(s.v);
    }
    case "fn":
      if (s.v === "const") return () => 42;
      if (s.v === "tensor") return () => { const t = wg.ones([2]); made.push(t); return t; };
      if (s.v === "async") return async () => 1;
      return () => { throw new Error("thrown by the user's function"); };
    case "fake": return Object.create(wg.Tensor.prototype);
    case "map": return new Map([["a", 1]]);
    case "cyc": { const a: unknown[] = [1, 2]; a.push(a); return a; }
    case "cyc0": { const a: unknown[] = []; a.push(a, a); return a; }
    case "cycobj": { const o: Record<string, unknown> = { dtype: "float32" }; o.self = o; o.requiresGrad = o; return o; }
    case "deep": {
      let a: unknown = 1;
      for (let i = 0; i < s.n; i++) a = [a];
      return a;
    }
  }
}

export function show(s: Spec): string {
  switch (s.k) {
    case "t": {
      let out = `${s.dt === "float32" ? "" : s.dt + " "}tensor${JSON.stringify(s.shape)}`;
      if (s.view === "T") out += "(transposed view)";
      if (s.view === "expand") out += "(expanded view)";
      if (s.rg) out += "(requiresGrad)";
      if (s.nonleaf) out += "(non-leaf)";
      if (s.withGrad) out += "(with .grad)";
      if (s.disposed) out += "(disposed)";
      return out;
    }
    case "num": return s.v === "Infinity" ? "Infinity" : s.v === String(2 ** 31) ? "2**31" : s.v === String(2 ** 32 + 3) ? "2**32+3" : s.v;
    case "big": return `${s.v}n`;
    case "sym": return "Symbol()";
    case "null": return "null";
    case "undef": return "undefined";
    case "str": return JSON.stringify(s.v);
    case "bool": return String(s.v);
    case "obj": return `{ ${Object.entries(s.e).map(([k, v]) => `${k}: ${show(v)}`).join(", ")} }`;
    case "arr": return `[${s.e.map(show).join(", ")}]`;
    case "typed": return `new ${s.type}(${JSON.stringify(s.v)})`;
    case "fn": return s.v === "const" ? "() => 42" : s.v === "tensor" ? "() => ones([2])" : s.v === "async" ? "async () => 1" : "() => { throw }";
    case "fake": return "Object.create(Tensor.prototype)";
    case "map": return "new Map()";
    case "cyc": return "a cyclic array (a = [1, 2, a])";
    case "cyc0": return "a cyclic array (a = [a, a])";
    case "cycobj": return "a cyclic object (o.self = o)";
    case "deep": return `a ${s.n}-deep nested array`;
  }
}

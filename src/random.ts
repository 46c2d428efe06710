// Seeded generators (torch.Generator, manual_seed) and the in-place random fills uniform_,
// normal_ and bernoulli_. The engine and its transforms are torch 1.13's CPU generator, so a seed
// gives the numbers torch gives for the same calls in the same order.

import { W, onLoad } from "./wasm/load.js";
import { F_REQUIRES_GRAD, F_NOGRAD_VIEW } from "./wasm/exports.js";
import { Tensor, h, describe } from "./tensor.js";
import { isGradEnabled } from "./gradMode.js";
import { AutogradError, DTypeError, WasmgradError, oom, safeString } from "./errors.js";
import { DTYPE_NAMES, isFloat } from "./dtype.js";
import { retryAlloc } from "./lifetime.js";
import { done, doneR, reclaim } from "./ops/util.js";

declare module "./wasm/exports.js" {
  interface CoreExports {
    genNew(): number;
    genFree(g: number): void;
    genManualSeed(g: number, lo: number, hi: number): void;
    genInitialSeedLo(g: number): number;
    genInitialSeedHi(g: number): number;
    genNext32(g: number): number;
    genCopyState(dst: number, src: number): void;
    uniformFill(h: number, g: number, from: number, to: number): number;
    normalFillOp(h: number, g: number, mean: number, std: number): number;
    bernoulliFill(h: number, g: number, p: number): number;
    bernoulliOp(p: number, g: number): number;
    randintFill(h: number, g: number, low: number, range: number): number;
    randpermFill(h: number, g: number): number;
  }
}

const registry = typeof FinalizationRegistry === "function" ? new FinalizationRegistry<number>((g) => W.genFree(g)) : null;

/** A seed as torch takes it: an integer, negative ones wrapping modulo 2^64. */
function seedBits(seed: unknown, op: string): bigint {
  if (typeof seed === "bigint") return BigInt.asUintN(64, seed);
  if (typeof seed !== "number" || !Number.isFinite(seed)) {
    throw new DTypeError(`${op}: seed must be an integer (a number or a bigint), got ${safeString(seed)}`);
  }
  const s = BigInt(Math.trunc(seed));
  if (s >= 1n << 64n) throw new DTypeError(`${op}: Overflow when unpacking long (seed ${seed} does not fit 64 bits)`);
  return BigInt.asUintN(64, s);
}

/** 64 bits from the platform's entropy (torch seeds its default generator nondeterministically). */
function entropy(): bigint {
  const c = (globalThis as { crypto?: { getRandomValues?(a: Uint32Array): Uint32Array } }).crypto;
  const w = new Uint32Array(2);
  if (c?.getRandomValues) c.getRandomValues(w);
  else { w[0] = (Math.random() * 2 ** 32) >>> 0; w[1] = (Math.random() * 2 ** 32) >>> 0; }
  return (BigInt(w[1]) << 32n) | BigInt(w[0]);
}

/**
 * A random number generator with torch's CPU engine (mt19937). Pass it as `{ generator }` to rand,
 * randn, randint, randperm, bernoulli and the in-place fills.
 * ```ts
 * const g = new Generator().manualSeed(42);
 * rand([3], { generator: g });
 * ```
 */
export class Generator {
  /** @internal address of the state block in the core; 0 for the default generator */
  _g: number;

  constructor() {
    const g = retryAlloc(() => W.genNew()) >>> 0;
    if (g === 0) throw oom("Generator");
    this._g = g;
    registry?.register(this, g);
  }

  /** Restarts from `seed` (torch.Generator.manual_seed); returns this. */
  manualSeed(seed: number | bigint): this {
    const s = seedBits(seed, "manualSeed");
    W.genManualSeed(this._g, Number(s & 0xffffffffn), Number(s >> 32n));
    return this;
  }

  /** The seed last set (a number when it is a safe integer, else a bigint), as torch's initial_seed(). */
  initialSeed(): number | bigint {
    const s = (BigInt(W.genInitialSeedHi(this._g) >>> 0) << 32n) | BigInt(W.genInitialSeedLo(this._g) >>> 0);
    return s <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(s) : s;
  }

  /** Reseeds from the platform's entropy and returns the seed (torch.Generator.seed()). */
  seed(): number | bigint {
    this.manualSeed(entropy());
    return this.initialSeed();
  }

  /** A generator in the same state as this one (its next draws are the same). */
  clone(): Generator {
    const g = new Generator();
    W.genCopyState(g._g, this._g);
    return g;
  }
}

/** torch.default_generator: behind manualSeed and every draw given no generator. */
export const defaultGenerator: Generator = Object.create(Generator.prototype) as Generator;
defaultGenerator._g = 0;
onLoad(() => defaultGenerator.manualSeed(entropy()));

/** Seeds the default generator (torch.manual_seed); returns it. */
export function manualSeed(seed: number | bigint): Generator { return defaultGenerator.manualSeed(seed); }
/** The default generator's seed (torch.initial_seed()). */
export function initialSeed(): number | bigint { return defaultGenerator.initialSeed(); }
/** Reseeds the default generator nondeterministically and returns the seed (torch.seed()). */
export function seed(): number | bigint { return defaultGenerator.seed(); }

export interface GeneratorOption { generator?: Generator }

/** The core address of opts.generator (0: the default generator). */
export function genOf(opts: GeneratorOption | undefined, op: string): number {
  const g = opts?.generator;
  if (g === undefined || g === null) return 0;
  if (!(g instanceof Generator)) throw new DTypeError(`${op}: generator must be a Generator, got ${describe(g)}`);
  return g._g;
}

/** Options given as the last argument (an object that is not a tensor or an array). */
function optsOf(v: unknown, op: string): GeneratorOption | undefined {
  if (v === undefined) return undefined;
  if (v === null || typeof v !== "object" || Array.isArray(v) || v instanceof Tensor) {
    throw new DTypeError(`${op}: options must be an object like { generator }, got ${describe(v)}`);
  }
  return v as GeneratorOption;
}

function numberArg(v: unknown, name: string, op: string): number {
  if (typeof v !== "number" || Number.isNaN(v)) throw new DTypeError(`${op}: ${name} must be a number, got ${describe(v)}`);
  return v;
}

/** In-place writes by a random fill: as torch, refused on a leaf that requires grad while grad mode is on. */
function checkWritable(t: Tensor, op: string): number {
  const ht = h(t, op);
  if (!isGradEnabled()) return ht;
  const f = W.flagsOf(ht);
  if (f & F_NOGRAD_VIEW) {
    throw new AutogradError(`${op}: a view was created in noGrad mode and is being modified in place with grad mode enabled; do the write inside noGrad() too`);
  }
  if (f & F_REQUIRES_GRAD) {
    if (W.isLeaf(ht)) throw new AutogradError(`${op}: a leaf Variable that requires grad is being used in an in-place operation; wrap the fill in noGrad() or fill .data`);
    throw new AutogradError(`${op}: a random fill of a tensor that requires grad is not supported here (its history would be discarded); fill a detached tensor instead`);
  }
  return ht;
}

function checkFloat(t: Tensor, op: string): void {
  if (!isFloat(t._dt)) throw new DTypeError(`${op}: "check_uniform_bounds" not implemented for '${DTYPE_NAMES[t._dt]}' (floating point tensors only)`);
}

/** t filled in place with U[from, to) draws (torch's uniform_); returns t. */
export function uniform_(t: Tensor, from = 0, to = 1, opts?: GeneratorOption): Tensor {
  const ht = checkWritable(t, "uniform_");
  checkFloat(t, "uniform_");
  numberArg(from, "from", "uniform_"); numberArg(to, "to", "uniform_");
  if (from > to) throw new WasmgradError(`uniform_: expects to return a [from, to) range, but found from=${from} > to=${to}`);
  const g = genOf(opts, "uniform_");
  let r = W.uniformFill(ht, g, from, to);
  if (r === 0 && reclaim()) r = W.uniformFill(t._h, g, from, to);
  doneR(r, t, "uniform_");
  return t;
}

/** t filled in place with N(mean, std^2) draws (torch's normal_); returns t. */
export function normal_(t: Tensor, mean = 0, std = 1, opts?: GeneratorOption): Tensor {
  const ht = checkWritable(t, "normal_");
  if (!isFloat(t._dt)) throw new DTypeError(`normal_: "normal_kernel_cpu" not implemented for '${DTYPE_NAMES[t._dt]}' (floating point tensors only)`);
  numberArg(mean, "mean", "normal_"); numberArg(std, "std", "normal_");
  if (!(std >= 0)) throw new WasmgradError(`normal_: normal expects std >= 0.0, but found std ${std}`);
  const g = genOf(opts, "normal_");
  let r = W.normalFillOp(ht, g, mean, std);
  if (r === 0 && reclaim()) r = W.normalFillOp(t._h, g, mean, std);
  doneR(r, t, "normal_");
  return t;
}

/** t filled in place with 1 (probability p) or 0, in t's dtype (torch's bernoulli_(p)); returns t. */
export function bernoulli_(t: Tensor, p = 0.5, opts?: GeneratorOption): Tensor {
  const ht = checkWritable(t, "bernoulli_");
  if (typeof p !== "number") throw new DTypeError(`bernoulli_: p must be a number in [0, 1], got ${describe(p)}`);
  if (!(p >= 0 && p <= 1)) throw new WasmgradError(`bernoulli_: expects p to be in [0, 1], but got p=${p}`);
  const g = genOf(opts, "bernoulli_");
  let r = W.bernoulliFill(ht, g, p);
  if (r === 0 && reclaim()) r = W.bernoulliFill(t._h, g, p);
  doneR(r, t, "bernoulli_");
  return t;
}

/** Fills a fresh contiguous tensor in place (no grad checks: nothing else can see it yet). */
export function fillNew(t: Tensor, kind: "uniform" | "normal", a: number, b: number, g: number): Tensor {
  const r = kind === "uniform" ? W.uniformFill(t._h, g, a, b) : W.normalFillOp(t._h, g, a, b);
  if (r !== 1) throw oom(kind === "uniform" ? "rand" : "randn", t._shape);
  return t;
}

/** The handle of a probability tensor for bernoulli, which must be floating point. */
export function checkProbs(p: Tensor, op: string): number {
  const hp = h(p, op);
  if (!isFloat(p._dt)) {
    throw new DTypeError(`${op}: "bernoulli_tensor_cpu_p_" not implemented for '${DTYPE_NAMES[p._dt]}' (probabilities must be float32 or float64)`);
  }
  return hp;
}

export const methods = {
  uniform_(this: Tensor, from?: number, to?: number | GeneratorOption, opts?: GeneratorOption): Tensor {
    if (typeof to === "object") return uniform_(this, from, 1, optsOf(to, "uniform_"));
    return uniform_(this, from, to, optsOf(opts, "uniform_"));
  },
  normal_(this: Tensor, mean?: number, std?: number | GeneratorOption, opts?: GeneratorOption): Tensor {
    if (typeof std === "object") return normal_(this, mean, 1, optsOf(std, "normal_"));
    return normal_(this, mean, std, optsOf(opts, "normal_"));
  },
  bernoulli_(this: Tensor, p?: number | GeneratorOption, opts?: GeneratorOption): Tensor {
    if (typeof p === "object" && !(p instanceof Tensor)) return bernoulli_(this, 0.5, optsOf(p, "bernoulli_"));
    return bernoulli_(this, p as number | undefined, optsOf(opts, "bernoulli_"));
  },
};

declare module "./tensor.js" {
  interface Tensor {
    /** Fills with uniform draws in [from, to) in place (torch's uniform_); float tensors only. */
    uniform_(from?: number, to?: number, opts?: GeneratorOption): this;
    /** Fills with normal draws in place (torch's normal_); float tensors only. */
    normal_(mean?: number, std?: number, opts?: GeneratorOption): this;
    /** Fills with 1 (probability p) or 0 in place (torch's bernoulli_ with a number p). */
    bernoulli_(p?: number, opts?: GeneratorOption): this;
  }
}

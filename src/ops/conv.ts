// Convolution and pooling (torch.nn.functional.conv1d, conv2d, max_pool2d, avg_pool2d,
// adaptive_avg_pool2d): arguments checked and output sizes resolved here, then one core call
// (im2col + GEMM for convolution, window kernels for pooling).

import { DType } from "../../assembly/abi.js";
import { writeScratch } from "../wasm/memory.js";
import { Tensor } from "../tensor.js";
import { ShapeError, DTypeError } from "../errors.js";
import { isFloat, safeString } from "../dtype.js";
import { formatShape } from "../errors.js";
import { W, h, result, describe } from "./util.js";
import { unsqueeze, squeeze, reshape } from "./shape.js";
import { pad as padOp } from "./indexing.js";
import { named, optsArg } from "../validate.js";

declare module "../wasm/exports.js" {
  interface CoreExports {
    conv2dOp(x: number, w: number, bias: number): number;
    maxPool2dOp(x: number): number;
    maxPoolIndices(): number;
    avgPool2dOp(x: number, adaptive: number): number;
  }
}

type Pair = number | readonly [number, number];

function pair(v: unknown, name: string, op: string, min: number): [number, number] {
  const p = typeof v === "number" ? [v, v] : Array.isArray(v) && v.length === 2 ? v : null;
  if (p === null || !p.every((x) => typeof x === "number" && Number.isInteger(x) && x >= min)) {
    throw new DTypeError(`${op}: ${name} must be an integer >= ${min} or a pair of them, got ${safeString(v)}`);
  }
  return [p[0] as number, p[1] as number];
}

function floatInput(x: unknown, op: string, what = "input"): Tensor {
  if (!(x instanceof Tensor)) throw new DTypeError(`${op}: expected a Tensor as ${what}, got ${describe(x)}`);
  h(x, op);
  if (!isFloat(x._dt)) throw new DTypeError(`${op}: ${what} must be float32 or float64, got ${x.dtype}`);
  return x;
}

/** Runs fn on a batched [N, C, H, W] form of x (a [C, H, W] input gets a batch of one, as torch). */
function batched(x: Tensor, op: string, fn: (x4: Tensor) => Tensor): Tensor {
  if (x._shape.length === 3) return squeeze(fn(unsqueeze(x, 0)), 0);
  if (x._shape.length !== 4) throw new ShapeError(`${op}: expected a 3-D or 4-D input (C, H, W or N, C, H, W), got shape ${formatShape(x._shape)}`);
  return fn(x);
}

/** Options of `conv2d` (torch.nn.functional.conv2d's stride, padding, dilation, groups); a number applies to both dims. */
export interface Conv2dOptions { stride?: Pair; padding?: Pair | "valid" | "same"; dilation?: Pair; groups?: number }

/** 2-D convolution (torch.nn.functional.conv2d): x [N, C, H, W], weight [O, C / groups, kh, kw]. */
export function conv2d(x: Tensor, weight: Tensor, bias?: Tensor | null, opts: Conv2dOptions = {}): Tensor {
  floatInput(x, "conv2d");
  floatInput(weight, "conv2d", "weight");
  if (bias !== undefined && bias !== null) floatInput(bias, "conv2d", "bias");
  if (opts === null || typeof opts !== "object") throw new DTypeError(`conv2d: options must be an object, got ${describe(opts)}`);
  return batched(x, "conv2d", (x4) => conv2d4(x4, weight, bias ?? null, opts));
}

function conv2d4(x: Tensor, w: Tensor, b: Tensor | null, opts: Conv2dOptions): Tensor {
  const op = "conv2d";
  if (w._shape.length !== 4) throw new ShapeError(`${op}: weight must be 4-D [out, in / groups, kh, kw], got ${formatShape(w._shape)}`);
  const groups = opts.groups ?? 1;
  if (!Number.isInteger(groups) || groups < 1) throw new DTypeError(`${op}: groups must be a positive integer, got ${safeString(groups)}`);
  const [N, C, H, Wd] = x._shape;
  const [O, Cg, kh, kw] = w._shape;
  if (Cg * groups !== C) {
    throw new ShapeError(`${op}: expected input ${formatShape(x._shape)} to have ${Cg * groups} channels (weight ${formatShape(w._shape)} with groups=${groups}), but got ${C} channels instead`);
  }
  if (O % groups !== 0) throw new ShapeError(`${op}: out channels ${O} must be divisible by groups ${groups}`);
  if (b !== null && (b._shape.length !== 1 || b._shape[0] !== O)) throw new ShapeError(`${op}: bias must have shape [${O}], got ${formatShape(b._shape)}`);
  const [sh, sw] = pair(opts.stride ?? 1, "stride", op, 1);
  const [dh, dw] = pair(opts.dilation ?? 1, "dilation", op, 1);
  let ph: number, pw: number;
  let input = x;
  if (opts.padding === "valid") { ph = 0; pw = 0; }
  else if (opts.padding === "same") {
    if (sh !== 1 || sw !== 1) throw new DTypeError(`${op}: padding='same' is not supported for strided convolutions`);
    const th = dh * (kh - 1), tw = dw * (kw - 1);
    ph = Math.floor(th / 2); pw = Math.floor(tw / 2);
    // an odd total pads one more on the bottom/right, as torch does
    if (th % 2 || tw % 2) input = padOp(x, [0, tw % 2, 0, th % 2]);
  } else [ph, pw] = pair(opts.padding ?? 0, "padding", op, 0);
  const Hi = input._shape[2], Wi = input._shape[3];
  const OH = Math.floor((Hi + 2 * ph - dh * (kh - 1) - 1) / sh) + 1;
  const OW = Math.floor((Wi + 2 * pw - dw * (kw - 1) - 1) / sw) + 1;
  if (OH <= 0 || OW <= 0) {
    throw new ShapeError(`${op}: calculated output size (${OH} x ${OW}) is too small for input ${formatShape(x._shape)}, kernel ${kh} x ${kw}, padding ${ph}, ${pw}, dilation ${dh}, ${dw}, stride ${sh}, ${sw}`);
  }
  const dt = x._dt === DType.Float64 || w._dt === DType.Float64 ? DType.Float64 : DType.Float32;
  const params = [sh, sw, ph, pw, dh, dw, groups, 0, 0];
  const hb = b === null ? 0 : b._h;
  const call = () => { writeScratch(params); return W.conv2dOp(input._h, w._h, hb); };
  return result(call(), call, [N, O, OH, OW], dt, op);
}

/** Options of `conv1d` (torch.nn.functional.conv1d's stride, padding, dilation, groups). */
export interface Conv1dOptions { stride?: number; padding?: number | "valid" | "same"; dilation?: number; groups?: number }

/** 1-D convolution (torch.nn.functional.conv1d): x [N, C, L], weight [O, C / groups, k]. */
export function conv1d(x: Tensor, weight: Tensor, bias?: Tensor | null, opts: Conv1dOptions = {}): Tensor {
  floatInput(x, "conv1d");
  floatInput(weight, "conv1d", "weight");
  const nd = x._shape.length;
  if (nd !== 2 && nd !== 3) throw new ShapeError(`conv1d: expected a 2-D or 3-D input (C, L or N, C, L), got shape ${formatShape(x._shape)}`);
  if (weight._shape.length !== 3) throw new ShapeError(`conv1d: weight must be 3-D [out, in / groups, k], got ${formatShape(weight._shape)}`);
  const o = optsArg<Conv1dOptions>(opts, "conv1d", "{ stride?, padding?, dilation?, groups? }");
  const p = o.padding;
  // a 1-D convolution is a 2-D one of height 1; what that refuses is reported as conv1d's
  const y = named("conv1d", () => conv2d(unsqueeze(x, -2), unsqueeze(weight, -2), bias, {
    stride: [1, o.stride ?? 1], dilation: [1, o.dilation ?? 1], groups: o.groups,
    padding: p === "same" || p === "valid" ? p : [0, p ?? 0],
  }));
  return squeeze(y, -2);
}

// ---- pooling --------------------------------------------------------------------------------

function poolSize(n: number, k: number, s: number, p: number, d: number, ceil: boolean): number {
  const span = n + 2 * p - d * (k - 1) - 1;
  let o = Math.floor((ceil ? span + s - 1 : span) / s) + 1;
  // in ceil mode the last window must start inside the input or its left padding
  if (ceil && (o - 1) * s >= n + p) o--;
  return o;
}

function windowParams(x: Tensor, kernel: Pair, opts: PoolOptions, op: string, dilationOk: boolean): number[] {
  const [kh, kw] = pair(kernel, "kernel size", op, 1);
  const [sh, sw] = pair(opts.stride ?? kernel, "stride", op, 1);
  const [ph, pw] = pair(opts.padding ?? 0, "padding", op, 0);
  const [dh, dw] = dilationOk ? pair(opts.dilation ?? 1, "dilation", op, 1) : [1, 1];
  if (ph > kh / 2 || pw > kw / 2) throw new ShapeError(`${op}: pad should be at most half of effective kernel size, but got pad=${ph}, ${pw} and kernel_size=${kh}, ${kw}`);
  const [, , H, Wd] = x._shape;
  const ceil = !!opts.ceilMode;
  const OH = poolSize(H, kh, sh, ph, dh, ceil), OW = poolSize(Wd, kw, sw, pw, dw, ceil);
  if (OH <= 0 || OW <= 0) throw new ShapeError(`${op}: output size is too small (${OH} x ${OW}) for input ${formatShape(x._shape)} and kernel ${kh} x ${kw}`);
  return [kh, kw, sh, sw, ph, pw, dh, dw, ceil ? 1 : 0, 0, 0, H, Wd, OH, OW];
}

/** Options of `maxPool2d` (torch.nn.functional.max_pool2d's stride, padding, dilation, ceil_mode). */
export interface PoolOptions { stride?: Pair; padding?: Pair; dilation?: Pair; ceilMode?: boolean }

/** 2-D max pooling (torch.nn.functional.max_pool2d); with `{ returnIndices: true }` also the flat indices. */
export function maxPool2d(x: Tensor, kernelSize: Pair, opts: PoolOptions & { returnIndices: true }): [Tensor, Tensor];
export function maxPool2d(x: Tensor, kernelSize: Pair, opts?: PoolOptions & { returnIndices?: false }): Tensor;
export function maxPool2d(x: Tensor, kernelSize: Pair, opts: PoolOptions & { returnIndices?: boolean } = {}): Tensor | [Tensor, Tensor] {
  floatInput(x, "maxPool2d");
  let indices: Tensor | null = null;
  const out = batched(x, "maxPool2d", (x4) => {
    const p = windowParams(x4, kernelSize, opts, "maxPool2d", true);
    const shape = [x4._shape[0], x4._shape[1], p[13], p[14]];
    const call = () => { writeScratch(p); return W.maxPool2dOp(x4._h); };
    const y = result(call(), call, shape, x4._dt, "maxPool2d");
    indices = new Tensor(W.maxPoolIndices(), shape.slice(), DType.Int32);
    return y;
  });
  if (!opts.returnIndices) { indices!.dispose(); return out; }
  const idx = x._shape.length === 3 ? squeeze(indices!, 0) : indices!;
  return [out, idx];
}

/** Options of `avgPool2d` (torch.nn.functional.avg_pool2d's stride, padding, ceil_mode, count_include_pad, divisor_override). */
export interface AvgPoolOptions { stride?: Pair; padding?: Pair; ceilMode?: boolean; countIncludePad?: boolean; divisorOverride?: number }

/** 2-D average pooling (torch.nn.functional.avg_pool2d). */
export function avgPool2d(x: Tensor, kernelSize: Pair, opts: AvgPoolOptions = {}): Tensor {
  floatInput(x, "avgPool2d");
  const o = optsArg<AvgPoolOptions>(opts, "avgPool2d", "{ stride?, padding?, ceilMode?, countIncludePad?, divisorOverride? }");
  const d = o.divisorOverride;
  if (d !== undefined && d !== null && (!Number.isInteger(d) || d === 0)) throw new DTypeError(`avgPool2d: divisorOverride must be a nonzero integer, got ${safeString(d)}`);
  return batched(x, "avgPool2d", (x4) => {
    const p = windowParams(x4, kernelSize, o, "avgPool2d", false);
    p[9] = o.countIncludePad === false ? 0 : 1;
    p[10] = d ?? 0;
    const call = () => { writeScratch(p); return W.avgPool2dOp(x4._h, 0); };
    return result(call(), call, [x4._shape[0], x4._shape[1], p[13], p[14]], x4._dt, "avgPool2d");
  });
}

/** Adaptive 2-D average pooling to outputSize (torch.nn.functional.adaptive_avg_pool2d). */
export function adaptiveAvgPool2d(x: Tensor, outputSize: Pair | readonly [number | null, number | null]): Tensor {
  floatInput(x, "adaptiveAvgPool2d");
  return batched(x, "adaptiveAvgPool2d", (x4) => {
    const [, , H, Wd] = x4._shape;
    const raw = typeof outputSize === "number" ? [outputSize, outputSize] : outputSize;
    const [OH, OW] = pair([raw[0] ?? H, raw[1] ?? Wd], "output size", "adaptiveAvgPool2d", 1);
    const p = [0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, H, Wd, OH, OW];
    const call = () => { writeScratch(p); return W.avgPool2dOp(x4._h, 1); };
    return result(call(), call, [x4._shape[0], x4._shape[1], OH, OW], x4._dt, "adaptiveAvgPool2d");
  });
}


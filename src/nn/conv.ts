// Convolution and pooling modules (torch.nn.Conv1d, Conv2d, MaxPool2d, AvgPool2d, AdaptiveAvgPool2d).

import { Tensor } from "../tensor.js";
import { empty } from "../ops/creation.js";
import { conv1d, conv2d, maxPool2d, avgPool2d, adaptiveAvgPool2d } from "../ops/conv.js";
import { DTypeError, WasmgradError } from "../errors.js";
import { show as describe } from "./show.js";
import { MAX_SIZE, boolArg, floatDtypeArg, named, optsArg, pairArg, showList, sizeArg, tupleArg } from "../validate.js";
import { Module, Parameter } from "./module.js";
import { kaimingUniform_, uniform_, calculateFanInAndFanOut } from "./init.js";

type Size = number | readonly number[];

const py = (t: readonly number[]): string => `(${t.join(", ")}${t.length === 1 ? "," : ""})`;

export interface ConvOptions {
  stride?: Size; padding?: Size | "same" | "valid"; dilation?: Size; groups?: number; bias?: boolean;
  paddingMode?: "zeros"; dtype?: "float32" | "float64";
}

/** Shared by Conv1d and Conv2d: torch's _ConvNd parameters and reset_parameters. */
abstract class ConvNd extends Module {
  inChannels: number;
  outChannels: number;
  kernelSize: number[];
  stride: number[];
  padding: number[] | "same" | "valid";
  dilation: number[];
  groups: number;
  weight!: Parameter;
  bias!: Parameter | null;

  constructor(n: number, op: string, inChannels: number, outChannels: number, kernelSize: Size, opts: ConvOptions) {
    super();
    opts = optsArg<ConvOptions>(opts, op, "{ stride?, padding?, dilation?, groups?, bias?, dtype? }");
    this.inChannels = tupleArg(inChannels, 1, "inChannels", op, 1)[0];
    this.outChannels = tupleArg(outChannels, 1, "outChannels", op, 1)[0];
    this.kernelSize = tupleArg(kernelSize, n, "kernelSize", op, 1);
    this.stride = tupleArg(opts.stride ?? 1, n, "stride", op, 1);
    this.dilation = tupleArg(opts.dilation ?? 1, n, "dilation", op, 1);
    const p = opts.padding ?? 0;
    if (p === "same" || p === "valid") {
      if (p === "same" && this.stride.some((s) => s !== 1)) throw new WasmgradError(`${op}: padding='same' is not supported for strided convolutions`);
      this.padding = p;
    } else this.padding = tupleArg(p, n, "padding", op, 0);
    const groups = sizeArg(opts.groups ?? 1, "groups", op, 1);
    if (this.inChannels % groups !== 0) throw new WasmgradError(`${op}: in_channels must be divisible by groups (${this.inChannels} % ${groups})`);
    if (this.outChannels % groups !== 0) throw new WasmgradError(`${op}: out_channels must be divisible by groups (${this.outChannels} % ${groups})`);
    if ((opts.paddingMode ?? "zeros") !== "zeros") throw new WasmgradError(`${op}: paddingMode ${describe(opts.paddingMode)} is not supported (only "zeros")`);
    this.groups = groups;
    const dtype = floatDtypeArg(opts.dtype, op);
    const bias = boolArg(opts.bias ?? true, "bias", op);
    named(op, () => {
      this.weight = new Parameter(empty([this.outChannels, this.inChannels / groups, ...this.kernelSize], { dtype }));
      if (bias) this.bias = new Parameter(empty([this.outChannels], { dtype }));
      else this.registerParameter("bias", null);
      this.resetParameters();
    });
  }

  /** torch's reset_parameters: kaiming_uniform_(a=sqrt(5)) weight, then bias ~ U(±1/sqrt(fan_in)). */
  resetParameters(): void {
    kaimingUniform_(this.weight, { a: Math.sqrt(5) });
    if (this.bias) {
      const [fanIn] = calculateFanInAndFanOut(this.weight);
      const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
      uniform_(this.bias, -bound, bound);
    }
  }

  extraRepr(): string {
    let s = `${this.inChannels}, ${this.outChannels}, kernel_size=${py(this.kernelSize)}, stride=${py(this.stride)}`;
    const p = this.padding;
    if (typeof p === "string") s += `, padding=${p}`;
    else if (p.some((v) => v !== 0)) s += `, padding=${py(p)}`;
    if (this.dilation.some((v) => v !== 1)) s += `, dilation=${py(this.dilation)}`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (!this.bias) s += ", bias=False";
    return s;
  }
}

/** 1-D convolution over [N, C, L] (torch.nn.Conv1d): `new nn.Conv1d(3, 8, 5, { padding: 2 })`. */
export class Conv1d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: Size, opts: ConvOptions = {}) {
    super(1, "Conv1d", inChannels, outChannels, kernelSize, opts);
  }
  forward(x: Tensor): Tensor {
    const p = this.padding;
    return conv1d(x, this.weight, this.bias, {
      stride: this.stride[0], dilation: this.dilation[0], groups: this.groups, padding: typeof p === "string" ? p : p[0],
    });
  }
}

/** 2-D convolution over [N, C, H, W] (torch.nn.Conv2d): `new nn.Conv2d(1, 10, 5, { padding: 2 })`. */
export class Conv2d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: Size, opts: ConvOptions = {}) {
    super(2, "Conv2d", inChannels, outChannels, kernelSize, opts);
  }
  forward(x: Tensor): Tensor {
    const p = this.padding;
    const pair = (t: number[]): [number, number] => [t[0], t[1]];
    return conv2d(x, this.weight, this.bias, {
      stride: pair(this.stride), dilation: pair(this.dilation), groups: this.groups, padding: typeof p === "string" ? p : pair(p),
    });
  }
}

type Pair = number | readonly [number, number];
const showPair = (v: Pair): string => (typeof v === "number" ? String(v) : py(v));

/** A pooling module's options: an object, or the stride alone (torch's second positional argument). */
function poolOpts<O extends { stride?: Pair }>(opts: unknown, op: string): Partial<O> {
  if (typeof opts === "number" || Array.isArray(opts)) return { stride: opts as Pair } as Partial<O>;
  return optsArg<O>(opts, op, "{ stride?, padding?, ... } or a stride");
}

/** A size kept as given (a number or a pair), checked as integers >= min. */
function pairOf(v: unknown, what: string, op: string, min: number): Pair {
  const t = pairArg(v, what, op, min);
  return typeof v === "number" ? t[0] : t;
}

export interface MaxPoolOptions { stride?: Pair; padding?: Pair; dilation?: Pair; ceilMode?: boolean; returnIndices?: boolean }

/** 2-D max pooling (torch.nn.MaxPool2d); the stride defaults to the kernel size. */
export class MaxPool2d extends Module {
  kernelSize: Pair;
  stride: Pair;
  padding: Pair;
  dilation: Pair;
  ceilMode: boolean;
  returnIndices: boolean;
  constructor(kernelSize: Pair, opts: MaxPoolOptions | Pair = {}) {
    super();
    const op = "MaxPool2d";
    const o = poolOpts<MaxPoolOptions>(opts, op);
    this.kernelSize = pairOf(kernelSize, "kernelSize", op, 1);
    this.stride = pairOf(o.stride ?? kernelSize, "stride", op, 1);
    this.padding = pairOf(o.padding ?? 0, "padding", op, 0);
    this.dilation = pairOf(o.dilation ?? 1, "dilation", op, 1);
    this.ceilMode = boolArg(o.ceilMode ?? false, "ceilMode", op);
    this.returnIndices = boolArg(o.returnIndices ?? false, "returnIndices", op);
  }
  forward(x: Tensor): Tensor | [Tensor, Tensor] {
    const opts = { stride: this.stride, padding: this.padding, dilation: this.dilation, ceilMode: this.ceilMode };
    return this.returnIndices ? maxPool2d(x, this.kernelSize, { ...opts, returnIndices: true }) : maxPool2d(x, this.kernelSize, opts);
  }
  extraRepr(): string {
    return `kernel_size=${showPair(this.kernelSize)}, stride=${showPair(this.stride)}, padding=${showPair(this.padding)}, dilation=${showPair(this.dilation)}, ceil_mode=${this.ceilMode ? "True" : "False"}`;
  }
}

export interface AvgPoolOptions { stride?: Pair; padding?: Pair; ceilMode?: boolean; countIncludePad?: boolean; divisorOverride?: number }

/** 2-D average pooling (torch.nn.AvgPool2d); the stride defaults to the kernel size. */
export class AvgPool2d extends Module {
  kernelSize: Pair;
  stride: Pair;
  padding: Pair;
  ceilMode: boolean;
  countIncludePad: boolean;
  divisorOverride: number | undefined;
  constructor(kernelSize: Pair, opts: AvgPoolOptions | Pair = {}) {
    super();
    const op = "AvgPool2d";
    const o = poolOpts<AvgPoolOptions>(opts, op);
    this.kernelSize = pairOf(kernelSize, "kernelSize", op, 1);
    this.stride = pairOf(o.stride ?? kernelSize, "stride", op, 1);
    this.padding = pairOf(o.padding ?? 0, "padding", op, 0);
    this.ceilMode = boolArg(o.ceilMode ?? false, "ceilMode", op);
    this.countIncludePad = boolArg(o.countIncludePad ?? true, "countIncludePad", op);
    const d = o.divisorOverride;
    if (d !== undefined && d !== null && (typeof d !== "number" || !Number.isInteger(d) || d === 0 || Math.abs(d) > MAX_SIZE)) {
      throw new DTypeError(`${op}: divisorOverride must be a nonzero integer, got ${describe(d)}`);
    }
    this.divisorOverride = d ?? undefined;
  }
  forward(x: Tensor): Tensor {
    return avgPool2d(x, this.kernelSize, {
      stride: this.stride, padding: this.padding, ceilMode: this.ceilMode, countIncludePad: this.countIncludePad,
      divisorOverride: this.divisorOverride,
    });
  }
  extraRepr(): string { return `kernel_size=${showPair(this.kernelSize)}, stride=${showPair(this.stride)}, padding=${showPair(this.padding)}`; }
}

/** Average pooling to a fixed output size (torch.nn.AdaptiveAvgPool2d); null keeps that input size. */
export class AdaptiveAvgPool2d extends Module {
  outputSize: number | readonly [number | null, number | null];
  constructor(outputSize: number | readonly [number | null, number | null]) {
    super();
    const ok = (v: unknown): boolean => v === null || (typeof v === "number" && Number.isInteger(v) && v >= 0 && v <= MAX_SIZE);
    if (!(typeof outputSize === "number" ? ok(outputSize) : Array.isArray(outputSize) && outputSize.length === 2 && outputSize.every(ok))) {
      throw new DTypeError(`AdaptiveAvgPool2d: outputSize must be a non-negative integer or a pair of them (null keeps a size), got ${showList(outputSize)}`);
    }
    this.outputSize = typeof outputSize === "number" ? outputSize : [outputSize[0], outputSize[1]];
  }
  forward(x: Tensor): Tensor { return adaptiveAvgPool2d(x, this.outputSize as Pair); }
  extraRepr(): string {
    const o = this.outputSize;
    return `output_size=${typeof o === "number" ? o : `(${o.map((v) => v ?? "None").join(", ")})`}`;
  }
}

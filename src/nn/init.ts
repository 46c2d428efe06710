// nn.init: in-place initialisers, with torch.nn.init's formulas (bounds computed in double, as
// Python does, and handed to uniform_/normal_ of the tensor API).

import { Tensor } from "../tensor.js";
import { noGrad } from "../gradMode.js";
import { DTypeError, WasmgradError, formatShape, safeString } from "../errors.js";
import { uniform_ as uniformOp, normal_ as normalOp } from "../random.js";
import { floatTensorArg, named, numberArg, oneOf, optsArg, tensorArg } from "../validate.js";

/** Fills t with U(low, high) draws, in place, under noGrad; returns t (torch.nn.init.uniform_). */
export function uniform_(t: Tensor, low = 0, high = 1): Tensor {
  return fillUniform(t, low, high, "uniform_");
}

function fillUniform(t: Tensor, low: number, high: number, op: string): Tensor {
  floatTensorArg(t, "tensor", op);
  numberArg(low, "low", op);
  numberArg(high, "high", op);
  named(op, () => noGrad(() => uniformOp(t, low, high)));
  return t;
}

/** Fills t with N(mean, std) draws in place (torch.nn.init.normal_). */
export function normal_(t: Tensor, mean = 0, std = 1): Tensor {
  const op = "normal_";
  floatTensorArg(t, "tensor", op);
  numberArg(mean, "mean", op);
  numberArg(std, "std", op, { min: 0 });
  named(op, () => noGrad(() => normalOp(t, mean, std)));
  return t;
}

/** Fills t with value in place (torch.nn.init.constant_). */
export function constant_(t: Tensor, value: number): Tensor {
  tensorArg(t, "tensor", "constant_");
  if (typeof value !== "number" && typeof value !== "boolean") throw new DTypeError(`constant_: value must be a number, got ${safeString(value)}`);
  named("constant_", () => noGrad(() => t.fill_(value)));
  return t;
}
/** Fills t with zeros in place, without recording (torch.nn.init.zeros_). */
export function zeros_(t: Tensor): Tensor { tensorArg(t, "tensor", "zeros_"); named("zeros_", () => noGrad(() => t.zero_())); return t; }
/** Fills t with ones in place, without recording (torch.nn.init.ones_). */
export function ones_(t: Tensor): Tensor { tensorArg(t, "tensor", "ones_"); named("ones_", () => noGrad(() => t.fill_(1))); return t; }

/** fan_in and fan_out of a weight of shape [out, in, ...kernel] (torch's _calculate_fan_in_and_fan_out). */
export function calculateFanInAndFanOut(t: Tensor): [number, number] {
  return fans(t, "calculateFanInAndFanOut");
}

function fans(t: Tensor, op: string): [number, number] {
  const s = tensorArg(t, "tensor", op)._shape;
  if (s.length < 2) {
    throw new WasmgradError(`${op}: fan in and fan out can not be computed for tensor with fewer than 2 dimensions (shape ${formatShape(s)})`);
  }
  let rf = 1;
  for (let i = 2; i < s.length; i++) rf *= s[i];
  return [s[1] * rf, s[0] * rf];
}

const NONLINEARITIES = ["linear", "conv1d", "conv2d", "conv3d", "sigmoid", "tanh", "relu", "leaky_relu", "selu"] as const;

/** The recommended gain for a nonlinearity (torch.nn.init.calculate_gain). */
export function calculateGain(nonlinearity: string, param?: number): number {
  return gain(nonlinearity, param, "calculateGain");
}

function gain(nonlinearity: unknown, param: unknown, op: string): number {
  const nl = oneOf(nonlinearity, NONLINEARITIES, "nonlinearity", op);
  switch (nl) {
    case "tanh": return 5 / 3;
    case "relu": return Math.sqrt(2);
    case "leaky_relu": {
      const a = param === undefined || param === null ? 0.01 : numberArg(param, "negative slope", op);
      return Math.sqrt(2 / (1 + a * a));
    }
    case "selu": return 3 / 4;
    default: return 1;
  }
}

/** Kaiming (He) uniform init: U(-b, b), b = gain * sqrt(3 / fan) (torch.nn.init.kaiming_uniform_). */
export function kaimingUniform_(t: Tensor, opts: { a?: number; mode?: "fan_in" | "fan_out"; nonlinearity?: string } = {}): Tensor {
  const op = "kaimingUniform_";
  floatTensorArg(t, "tensor", op);
  const o = optsArg<{ a: number; mode: string; nonlinearity: string }>(opts, op, "{ a?, mode?, nonlinearity? }");
  const mode = oneOf(o.mode ?? "fan_in", ["fan_in", "fan_out"] as const, "mode", op);
  const g = gain(o.nonlinearity ?? "leaky_relu", o.a ?? 0, op);
  const [fanIn, fanOut] = fans(t, op);
  // torch: initializing a zero-element tensor is a no-op
  if (t.numel() === 0) return t;
  const std = g / Math.sqrt(mode === "fan_in" ? fanIn : fanOut);
  const bound = Math.sqrt(3) * std;
  return fillUniform(t, -bound, bound, op);
}

/** Xavier (Glorot) uniform init (torch.nn.init.xavier_uniform_). */
export function xavierUniform_(t: Tensor, gainValue = 1): Tensor {
  const op = "xavierUniform_";
  floatTensorArg(t, "tensor", op);
  numberArg(gainValue, "gain", op);
  const [fanIn, fanOut] = fans(t, op);
  if (t.numel() === 0) return t;
  const a = Math.sqrt(3) * gainValue * Math.sqrt(2 / (fanIn + fanOut));
  return fillUniform(t, -a, a, op);
}

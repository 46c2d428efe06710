// nn.init: in-place initialisers, with torch.nn.init's formulas (bounds computed in double, as
// Python does, and handed to uniform_/normal_ of the tensor API).

import { Tensor } from "../tensor.js";
import { noGrad } from "../gradMode.js";
import { WasmgradError, formatShape } from "../errors.js";
import { uniform_ as uniformOp, normal_ as normalOp } from "../random.js";

/** Fills t with U(low, high) draws, in place, under noGrad; returns t (torch.nn.init.uniform_). */
export function uniform_(t: Tensor, low = 0, high = 1): Tensor {
  noGrad(() => uniformOp(t, low, high));
  return t;
}

/** Fills t with N(mean, std) draws in place (torch.nn.init.normal_). */
export function normal_(t: Tensor, mean = 0, std = 1): Tensor {
  noGrad(() => normalOp(t, mean, std));
  return t;
}

export function constant_(t: Tensor, value: number): Tensor { noGrad(() => t.fill_(value)); return t; }
export function zeros_(t: Tensor): Tensor { noGrad(() => t.zero_()); return t; }
export function ones_(t: Tensor): Tensor { noGrad(() => t.fill_(1)); return t; }

/** fan_in and fan_out of a weight of shape [out, in, ...kernel] (torch's _calculate_fan_in_and_fan_out). */
export function calculateFanInAndFanOut(t: Tensor): [number, number] {
  const s = t._shape;
  if (s.length < 2) {
    throw new WasmgradError(`init: fan in and fan out can not be computed for tensor with fewer than 2 dimensions (shape ${formatShape(s)})`);
  }
  let rf = 1;
  for (let i = 2; i < s.length; i++) rf *= s[i];
  return [s[1] * rf, s[0] * rf];
}

/** The recommended gain for a nonlinearity (torch.nn.init.calculate_gain). */
export function calculateGain(nonlinearity: string, param?: number): number {
  switch (nonlinearity) {
    case "linear": case "conv1d": case "conv2d": case "conv3d": case "sigmoid": return 1;
    case "tanh": return 5 / 3;
    case "relu": return Math.sqrt(2);
    case "leaky_relu": { const a = param ?? 0.01; return Math.sqrt(2 / (1 + a * a)); }
    case "selu": return 3 / 4;
    default: throw new WasmgradError(`calculateGain: unsupported nonlinearity ${nonlinearity}`);
  }
}

/** Kaiming (He) uniform init: U(-b, b), b = gain * sqrt(3 / fan) (torch.nn.init.kaiming_uniform_). */
export function kaimingUniform_(t: Tensor, opts: { a?: number; mode?: "fan_in" | "fan_out"; nonlinearity?: string } = {}): Tensor {
  const [fanIn, fanOut] = calculateFanInAndFanOut(t);
  const fan = (opts.mode ?? "fan_in") === "fan_in" ? fanIn : fanOut;
  const gain = calculateGain(opts.nonlinearity ?? "leaky_relu", opts.a ?? 0);
  const std = gain / Math.sqrt(fan);
  const bound = Math.sqrt(3) * std;
  return uniform_(t, -bound, bound);
}

/** Xavier (Glorot) uniform init (torch.nn.init.xavier_uniform_). */
export function xavierUniform_(t: Tensor, gain = 1): Tensor {
  const [fanIn, fanOut] = calculateFanInAndFanOut(t);
  const a = Math.sqrt(3) * gain * Math.sqrt(2 / (fanIn + fanOut));
  return uniform_(t, -a, a);
}

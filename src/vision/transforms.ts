// torchvision.transforms: Compose, ToTensor, Normalize, Lambda. A transform is a function or an
// object with forward(x) (torchvision's transforms are callables; JS objects cannot be called, so
// they have forward as nn modules do here); Compose and the datasets accept both.

import { Tensor } from "../tensor.js";
import { tensor } from "../ops/creation.js";
import { view } from "../ops/shape.js";
import { sub, div } from "../ops/binary.js";
import { sub_, div_ } from "../ops/inplace.js";
import { DTypeError, ShapeError, WasmgradError } from "../errors.js";
import { show } from "../nn/show.js";
import { Image } from "./image.js";
import { applyTransform, checkTransform, type Transform } from "./apply.js";
import { boolArg, optsArg } from "../validate.js";

export type { Transform } from "./apply.js";

/** Applies transforms in order: `new Compose([new ToTensor(), new Normalize([0.1307], [0.3081])])`. */
export class Compose<I = any, O = any> {
  readonly transforms: Transform[];
  constructor(transforms: Transform[]) {
    if (!Array.isArray(transforms)) throw new DTypeError(`Compose: expected an array of transforms, got ${show(transforms)}`);
    transforms.forEach((t, i) => checkTransform(t, "Compose", `transforms[${i}]`));
    this.transforms = transforms.slice();
  }
  /** The types of a chain are not checked link by link; I and O say what goes in and comes out. */
  forward(x: I): O {
    let v: unknown = x;
    for (const t of this.transforms) v = applyTransform(t, v, "Compose");
    return v as O;
  }
}

/** Applies a user function (torchvision's Lambda). */
export class Lambda<I = unknown, O = unknown> {
  /** The function this transform applies. */
  readonly lambd: (x: I) => O;
  constructor(lambd: (x: I) => O) {
    if (typeof lambd !== "function") throw new DTypeError(`Lambda: expected a function, got ${show(lambd)}`);
    this.lambd = lambd;
  }
  /** Applies the transform to one value (the same as calling it). */
  forward(x: I): O { return this.lambd(x); }
}

/** What ToTensor reads: a vision.Image, or any { data: Uint8Array, width, height, channels? } (HWC). */
export interface ImageLike {
  data: Uint8Array;
  width: number;
  height: number;
  channels?: number;
}

/**
 * An 8-bit H x W (x C) image to a float32 tensor [C, H, W] in [0, 1], as torchvision's ToTensor:
 * `img.permute(2, 0, 1).float().div(255)`.
 * @example new ToTensor().forward(img)   // img: vision.Image of 28x28 -> Tensor [1, 28, 28]
 */
export class ToTensor {
  /** Applies the transform to one value (the same as calling it). */
  forward(pic: Image | ImageLike): Tensor {
    const op = "ToTensor";
    if (pic instanceof Tensor) throw new DTypeError(`${op}: pic should be an Image (8-bit pixels), got a Tensor`);
    if (pic === null || typeof pic !== "object" || !(pic.data instanceof Uint8Array)) {
      throw new DTypeError(`${op}: pic should be an Image or { data: Uint8Array, width, height, channels? }, got ${show(pic)}`);
    }
    const { data, width: w, height: hgt } = pic;
    const c = pic instanceof Image ? pic.channels : (pic.channels ?? 1);
    for (const [name, v] of [["width", w], ["height", hgt], ["channels", c]] as const) {
      if (!Number.isInteger(v) || v <= 0) throw new ShapeError(`${op}: ${name} must be a positive integer, got ${show(v)}`);
    }
    const plane = w * hgt;
    if (data.length !== plane * c) {
      throw new ShapeError(`${op}: ${data.length} bytes for a ${w}x${hgt} image with ${c} channel${c === 1 ? "" : "s"}, which needs ${plane * c}`);
    }
    // A quotient of two float32 values computed in float64 and rounded once to float32 is the
    // correctly rounded float32 quotient (53 >= 2 * 24 + 2 bits), i.e. torch's float32 div.
    const out = new Float32Array(plane * c);
    if (c === 1) {
      for (let i = 0; i < plane; i++) out[i] = data[i] / 255;
    } else {
      for (let ch = 0; ch < c; ch++) {
        const o = ch * plane;
        for (let i = 0; i < plane; i++) out[o + i] = data[i * c + ch] / 255;
      }
    }
    return view(tensor(out), c, hgt, w);
  }
}

function values(v: unknown, name: string, op: string): number[] {
  const arr = typeof v === "number" ? [v] : Array.isArray(v) || v instanceof Float32Array || v instanceof Float64Array ? Array.from(v as ArrayLike<number>) : null;
  if (arr === null || arr.length === 0 || arr.some((x) => typeof x !== "number" || !Number.isFinite(x))) {
    throw new DTypeError(`${op}: ${name} must be a finite number or a non-empty array of them, got ${show(v)}`);
  }
  return arr;
}

/**
 * (x - mean[c]) / std[c] per channel of a float tensor [..., C, H, W], as torchvision's Normalize:
 * mean and std are converted to the tensor's dtype, then `x.sub_(mean).div_(std)` on a copy
 * (on x itself with `inplace`).
 * @example new Normalize([0.1307], [0.3081]).forward(new ToTensor().forward(img))
 */
export class Normalize {
  readonly mean: number[];
  readonly std: number[];
  readonly inplace: boolean;

  constructor(mean: number | readonly number[], std: number | readonly number[], opts: { inplace?: boolean } = {}) {
    this.mean = values(mean, "mean", "Normalize");
    this.std = values(std, "std", "Normalize");
    this.inplace = boolArg(optsArg<{ inplace: boolean }>(opts, "Normalize", "{ inplace?: boolean }").inplace ?? false, "inplace", "Normalize");
  }

  /** Applies the transform to one value (the same as calling it). */
  forward(x: Tensor): Tensor {
    const op = "Normalize";
    if (!(x instanceof Tensor)) throw new DTypeError(`${op}: img should be a Tensor image, got ${show(x)}`);
    if (x.dtype !== "float32" && x.dtype !== "float64") throw new DTypeError(`${op}: input tensor should be a float tensor, got ${x.dtype}`);
    const shape = x.shape;
    if (shape.length < 3) throw new ShapeError(`${op}: expected a tensor image of size (..., C, H, W), got shape [${shape.join(", ")}]`);
    const channels = shape[shape.length - 3];
    const round = x.dtype === "float32" ? Math.fround : (v: number) => v;
    for (const [name, vs] of [["mean", this.mean], ["std", this.std]] as const) {
      if (vs.length !== 1 && vs.length !== channels) {
        throw new ShapeError(`${op}: ${name} has ${vs.length} values for an image of ${channels} channels (shape [${shape.join(", ")}])`);
      }
    }
    if (this.std.some((s) => round(s) === 0)) {
      throw new WasmgradError(`${op}: std evaluated to zero after conversion to ${x.dtype}, leading to division by zero`);
    }
    // One value each: a number operand is cast to the tensor's dtype first, as the tensor would be.
    const per = (vs: number[]): Tensor | number => vs.length === 1 ? vs[0] : view(tensor(vs, { dtype: x.dtype }), -1, 1, 1);
    const m = per(this.mean), s = per(this.std);
    if (this.inplace) {
      sub_(x, m);
      div_(x, s);
      return x;
    }
    return div(sub(x, m), s);
  }
}

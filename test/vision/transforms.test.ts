// vision.transforms against torchvision's arithmetic computed with torch (test/fixtures/make_vision.py):
// ToTensor is `img.float().div(255)` and Normalize `sub_(mean).div_(std)`, both in the tensor's
// dtype, so the values must agree bit for bit.

import { test, expect } from "vitest";
import * as wg from "../../src/index.js";
import { fixture, type ImageCase, type TensorRec } from "./util";

const T = wg.vision.transforms;
const { gray, rgb } = fixture.transforms;

function image(c: ImageCase): wg.vision.Image {
  return new wg.vision.Image(Uint8Array.from(c.hwc), c.width, c.height, c.channels === 1 ? "L" : "RGB");
}

function expectExact(t: wg.Tensor, ref: TensorRec): void {
  expect(t.shape).toEqual(ref.shape);
  expect(t.dtype).toBe(ref.dtype);
  const got = Array.from(t.dataSync());
  const bad = got.findIndex((v, i) => !Object.is(v, ref.values[i]));
  expect(bad === -1 ? null : { index: bad, got: got[bad], want: ref.values[bad] }).toBeNull();
  expect(got.length).toBe(ref.values.length);
}

test("ToTensor: every byte value of an L image, [1, H, W] float32", () => {
  expectExact(new T.ToTensor().forward(image(gray)), gray.toTensor);
});

test("ToTensor: an RGB image becomes channels-first", () => {
  expectExact(new T.ToTensor().forward(image(rgb)), rgb.toTensor);
  // a plain { data, width, height, channels } object reads the same way
  expectExact(new T.ToTensor().forward({ data: Uint8Array.from(rgb.hwc), width: 4, height: 3, channels: 3 }), rgb.toTensor);
});

test("Normalize: MNIST's mean and std, a scalar pair, float64 and three channels", () => {
  const g = new T.ToTensor().forward(image(gray));
  expectExact(new T.Normalize([0.1307], [0.3081]).forward(g), gray.mnistNorm as TensorRec);
  expectExact(new T.Normalize(0.5, 0.25).forward(g), gray.scalarNorm as TensorRec);
  expectExact(new T.Normalize([0.1307], [0.3081]).forward(g.to("float64")), gray.float64Norm as TensorRec);
  const c = new T.ToTensor().forward(image(rgb));
  expectExact(new T.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225]).forward(c), rgb.imagenetNorm as TensorRec);
  // the input is left alone unless inplace
  expectExact(g, gray.toTensor);
  const inplace = new T.Normalize([0.1307], [0.3081], { inplace: true });
  expect(inplace.forward(g)).toBe(g);
  expectExact(g, gray.mnistNorm as TensorRec);
});

test("Normalize works on a batch [N, C, H, W] and is differentiable", () => {
  const c = new T.ToTensor().forward(image(rgb));
  const batch = wg.stack([c, c], 0).requiresGrad_();
  const y = new T.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225]).forward(batch);
  expect(y.shape).toEqual([2, 3, 3, 4]);
  expect(Array.from(y.dataSync().subarray(36))).toEqual((rgb.imagenetNorm as TensorRec).values);
  y.sum().backward();
  const g = Array.from(batch.grad!.dataSync());
  expect(g[0]).toBeCloseTo(1 / 0.229, 5);
  expect(g[12]).toBeCloseTo(1 / 0.224, 5);
  expect(g[24 + 36]).toBeCloseTo(1 / 0.225, 5);
});

test("Compose runs transforms and functions in order; Lambda wraps a function", () => {
  const t = new T.Compose([new T.ToTensor(), new T.Normalize([0.1307], [0.3081]), (x: wg.Tensor) => x.mul(2), new T.Lambda((x: wg.Tensor) => x.flatten())]);
  const y = t.forward(image(gray)) as wg.Tensor;
  expect(y.shape).toEqual([256]);
  expect(Array.from(y.dataSync())).toEqual((gray.mnistNorm as TensorRec).values.map((v) => Math.fround(v * 2)));
});

test("errors name the transform and the values", () => {
  const g = new T.ToTensor().forward(image(gray));
  expect(() => new T.ToTensor().forward(g as never)).toThrow(/^ToTensor: pic should be an Image \(8-bit pixels\), got a Tensor/);
  expect(() => new T.ToTensor().forward({ data: new Uint8Array(5), width: 2, height: 2 })).toThrow(/^ToTensor: 5 bytes for a 2x2 image with 1 channel, which needs 4/);
  expect(() => new T.ToTensor().forward([1, 2] as never)).toThrow(/^ToTensor: pic should be an Image or/);
  expect(() => new T.Normalize([0.5, 0.5], [1, 1]).forward(g)).toThrow(/^Normalize: mean has 2 values for an image of 1 channels \(shape \[1, 16, 16\]\)/);
  expect(() => new T.Normalize([0.5], [1e-46]).forward(g)).toThrow(/^Normalize: std evaluated to zero after conversion to float32, leading to division by zero/);
  expect(() => new T.Normalize([0.5], [1]).forward(g.reshape(16, 16))).toThrow(/^Normalize: expected a tensor image of size \(\.\.\., C, H, W\), got shape \[16, 16\]/);
  expect(() => new T.Normalize([0.5], [1]).forward(wg.zeros([1, 2, 2], { dtype: "int32" }))).toThrow(/^Normalize: input tensor should be a float tensor, got int32/);
  expect(() => new T.Normalize([], [1])).toThrow(/^Normalize: mean must be a finite number or a non-empty array of them/);
  expect(() => new T.Compose([new T.ToTensor(), 5 as never])).toThrow(/^Compose: transforms\[1\] must be a function or have a forward\(x\) method, got 5/);
  expect(() => new wg.vision.Image(new Uint8Array(3), 2, 2)).toThrow(/^Image: 3 bytes for a 2x2 "L" image, which needs 4/);
  expect(() => image(gray).getPixel(16, 0)).toThrow(wg.IndexError);
});

test("images and transforms check their arguments", () => {
  const { vision } = wg;
  expect(() => new vision.Image(new Uint8Array(4), 2, 2, "toString" as never)).toThrow(/^Image: mode must be "L" or "RGB", got "toString"$/);
  expect(() => new vision.Image(new Uint8Array(4), 2, Symbol() as never)).toThrow(/^Image: height must be a positive integer/);
  expect(() => new vision.transforms.Normalize([0.5], [0.5], 3 as never)).toThrow(/^Normalize: options must be an object/);
  expect(() => new vision.transforms.Normalize([0.5], [0.5], { inplace: "y" as never })).toThrow(/^Normalize: inplace must be a boolean/);
  expect(() => new vision.datasets.MNIST(wg.ones([1]) as never)).toThrow(/^MNIST: options must be an object/);
  expect(() => new vision.datasets.MNIST({ files: "x" as never })).toThrow(/^MNIST: files must be \{ images: Uint8Array, labels: Uint8Array \}/);
  expect(() => new vision.datasets.MNIST({ root: "x", download: 1 as never })).toThrow(/^MNIST: download must be a boolean/);
});

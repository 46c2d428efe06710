// Shared by the vision tests: the shipped data folder, the reference fixture, IDX builders.

import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";

export const ROOT = new URL("../../", import.meta.url).pathname;
export const DATA = `${ROOT}examples/data`;
export const RAW = `${DATA}/MNIST/raw`;

export interface TensorRec { shape: number[]; dtype: string; values: number[] }
export interface MnistRec {
  count: number; labelCounts: number[]; firstLabels: number[]; pixelSum: number; index: number; label: number;
  normalized: TensorRec; brightest: [number, number]; brightestValue: number;
}
export interface ImageCase { hwc: number[]; height: number; width: number; channels: number; toTensor: TensorRec; [k: string]: unknown }
export const fixture = JSON.parse(readFileSync(`${ROOT}test/fixtures/vision.json`, "utf8")) as {
  transforms: { gray: ImageCase; rgb: ImageCase };
  mnist: { train: MnistRec; t10k: MnistRec };
};

/** An IDX file of unsigned bytes: magic 0x0000 08 nd, big-endian dims, data. */
export function idx(dims: number[], data: Uint8Array, magic = 0x0800 | dims.length): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + data.length);
  const v = new DataView(out.buffer);
  v.setUint32(0, magic, false);
  dims.forEach((d, i) => v.setInt32(4 + 4 * i, d, false));
  out.set(data, 4 + 4 * dims.length);
  return out;
}

export const gz = (b: Uint8Array): Uint8Array => new Uint8Array(gzipSync(b));

// vision.datasets.MNIST on the shipped stand-in (examples/data, scripts/make_datasets.py) and on
// malformed files; expected values come from test/fixtures/make_vision.py, which reads the files with numpy.

import { test, expect, describe } from "vitest";
import { mkdtempSync, mkdirSync, writeFileSync, readFileSync, rmSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { tmpdir } from "node:os";
import * as wg from "../../src/index.js";
import { DATA, RAW, fixture, idx, gz } from "./util";

const { MNIST } = wg.vision.datasets;
const T = wg.vision.transforms;

function tempRoot(): string {
  return mkdtempSync(`${tmpdir()}/wg-mnist-`);
}

describe.each([["train", true], ["t10k", false]] as const)("shipped %s split", (split, train) => {
  const ref = fixture.mnist[split];
  const ds = new MNIST({ root: DATA, train });

  test("counts, labels and pixels", () => {
    expect(ds.len()).toBe(ref.count);
    expect(ds.rows).toBe(28);
    expect(ds.cols).toBe(28);
    const counts = new Array(10).fill(0);
    for (let i = 0; i < ds.len(); i++) counts[ds.getItem(i)[1] as number]++;
    expect(counts).toEqual(ref.labelCounts);
    expect(Array.from(ds.labels.subarray(0, 20))).toEqual(ref.firstLabels);
    let sum = 0;
    for (const v of ds.images) sum += v;
    expect(sum).toBe(ref.pixelSum);
  });

  test("an image without a transform is an 8-bit Image with the file's pixels", () => {
    const [img, label] = ds.getItem(ref.index) as [wg.vision.Image, number];
    expect(img).toBeInstanceOf(wg.vision.Image);
    expect([img.width, img.height, img.mode, img.channels]).toEqual([28, 28, "L", 1]);
    expect(label).toBe(ref.label);
    const [r, c] = ref.brightest;
    expect(img.getPixel(c, r)).toBe(ref.brightestValue);
    expect(img.data[r * 28 + c]).toBe(ref.brightestValue);
    // the 4-pixel border around the 20x20 digit box is black, as in MNIST
    for (let y = 0; y < 28; y++) for (let x = 0; x < 28; x++) {
      if (y < 4 || y >= 24 || x < 4 || x >= 24) expect(img.getPixel(x, y)).toBe(0);
    }
    // the sample is a copy: writing to it leaves the dataset alone
    img.data.fill(7);
    expect((ds.getItem(ref.index)[0] as wg.vision.Image).getPixel(0, 0)).toBe(0);
  });

  test("ToTensor + Normalize give torchvision's values bit for bit", () => {
    const tds = new MNIST({ root: DATA, train, transform: new T.Compose([new T.ToTensor(), new T.Normalize([0.1307], [0.3081])]) });
    const [x, label] = tds.getItem(ref.index) as [wg.Tensor, number];
    expect(x.shape).toEqual([1, 28, 28]);
    expect(x.dtype).toBe("float32");
    expect(label).toBe(ref.label);
    expect(Array.from(x.dataSync())).toEqual(ref.normalized.values);
  });
});

test("negative indices count from the end; out of range throws", () => {
  const ds = new MNIST({ root: DATA, train: false });
  expect(ds.getItem(-1)[1]).toBe(ds.labels[ds.len() - 1]);
  expect(() => ds.getItem(ds.len())).toThrow(/^MNIST: index 297 is out of range for 297 samples/);
  expect(() => ds.getItem(1.5)).toThrow(wg.IndexError);
});

test("it is a data.Dataset, batched by DataLoader", () => {
  const ds = new MNIST({ root: DATA, train: false, transform: new T.ToTensor(), targetTransform: (y: number) => y * 10 });
  expect(ds).toBeInstanceOf(wg.data.Dataset);
  const loader = new wg.data.DataLoader(ds, { batchSize: 64 });
  expect(loader.length).toBe(5);
  const [x, y] = loader[Symbol.iterator]().next().value as [wg.Tensor, wg.Tensor];
  expect(x.shape).toEqual([64, 1, 28, 28]);
  expect(Array.from(y.dataSync())).toEqual(Array.from(ds.labels.subarray(0, 64), (v) => v * 10));
  expect(Array.from(ds.targets.dataSync())).toEqual(Array.from(ds.labels));
});

test("uncompressed files and files directly in root are read too", () => {
  const root = tempRoot();
  try {
    for (const f of ["t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]) writeFileSync(`${root}/${f}`, gunzipSync(readFileSync(`${RAW}/${f}.gz`)));
    const a = new MNIST({ root, train: false }), b = new MNIST({ root: DATA, train: false });
    expect(a.len()).toBe(297);
    expect(Buffer.from(a.images).equals(Buffer.from(b.images))).toBe(true);
    expect(Buffer.from(a.labels).equals(Buffer.from(b.labels))).toBe(true);
    // a file: URL root, with or without the trailing slash
    expect(new MNIST({ root: new URL(`file://${root}`), train: false }).len()).toBe(297);
  } finally {
    rmSync(root, { recursive: true });
  }
});

test("bytes given directly, raw or gzipped", () => {
  const images = readFileSync(`${RAW}/t10k-images-idx3-ubyte.gz`), labels = readFileSync(`${RAW}/t10k-labels-idx1-ubyte.gz`);
  const a = new MNIST({ train: false, files: { images: new Uint8Array(images), labels: gunzipSync(labels) } });
  expect(a.len()).toBe(297);
  expect(a.getItem(5)[1]).toBe(fixture.mnist.t10k.label);
});

describe("malformed files", () => {
  const pixels = new Uint8Array(3 * 4 * 5).map((_, i) => i);
  const good = { images: idx([3, 4, 5], pixels), labels: idx([3], new Uint8Array([1, 2, 3])) };
  const load = (images: Uint8Array, labels: Uint8Array = good.labels) => new MNIST({ files: { images, labels } });

  test("a well-formed small file reads back (the errors below are not false alarms)", () => {
    const ds = load(good.images);
    expect([ds.len(), ds.rows, ds.cols]).toEqual([3, 4, 5]);
    expect((ds.getItem(2)[0] as wg.vision.Image).getPixel(4, 3)).toBe(59);
    expect(ds.getItem(2)[1]).toBe(3);
  });

  test.each([
    ["labels file given as images", () => load(good.labels), /^MNIST: the images file: wrong magic number 2049 \(0x00000801, IDX with unsigned bytes in 1 dim\); expected 2051 \(0x00000803, IDX with unsigned bytes in 3 dims\) for images/],
    ["images file given as labels", () => load(good.images, good.images), /^MNIST: the labels file: wrong magic number 2051 .*expected 2049/],
    ["float32 elements", () => load(idx([3, 4, 5], pixels, 0x0d03)), /wrong magic number 3331 \(0x00000d03, IDX with float32 in 3 dims\)/],
    ["not IDX at all", () => load(new TextEncoder().encode("hello world")), /wrong magic number \d+ \(0x68656c6c, not an IDX file\)/],
    ["shorter than the magic number", () => load(new Uint8Array([0, 0])), /^MNIST: the images file: truncated: 2 bytes, less than the 4-byte IDX magic number/],
    ["truncated header", () => load(good.images.subarray(0, 10)), /truncated: 10 bytes, less than the 16-byte header of 3 dims/],
    ["truncated data", () => load(good.images.subarray(0, good.images.length - 1)), /^MNIST: the images file: truncated: 59 bytes of data, the dims \[3, 4, 5\] need 60/],
    ["trailing bytes", () => load(idx([3, 4, 5], new Uint8Array(61))), /1 bytes after the end of the data: the dims \[3, 4, 5\] need 60, the file has 61/],
    ["negative dim", () => load(idx([3, -4, 5], pixels)), /dim 1 is negative \(-4\)/],
    ["zero-sized images", () => load(idx([3, 0, 5], new Uint8Array(0))), /images of 0x5 pixels/],
    ["image and label counts differ", () => load(good.images, idx([2], new Uint8Array([1, 2]))), /^MNIST: the images file has 3 images but the labels file has 2 labels/],
    ["corrupt gzip", () => load(gz(good.images).subarray(0, 20)), /^MNIST: the images file: cannot decompress: /],
  ])("%s", (_, f, re) => {
    expect(f).toThrow(wg.vision.DatasetError);
    expect(f).toThrow(wg.WasmgradError);
    expect(f).toThrow(re);
  });

  test("errors from files name the file; a .gz that is not gzip is refused", () => {
    const root = tempRoot();
    try {
      mkdirSync(`${root}/MNIST/raw`, { recursive: true });
      writeFileSync(`${root}/MNIST/raw/train-images-idx3-ubyte.gz`, gz(good.images.subarray(0, 30)));
      writeFileSync(`${root}/MNIST/raw/train-labels-idx1-ubyte`, good.labels);
      expect(() => new MNIST({ root })).toThrow(/^MNIST: train-images-idx3-ubyte\.gz: truncated: 14 bytes of data, the dims \[3, 4, 5\] need 60/);
      writeFileSync(`${root}/MNIST/raw/train-images-idx3-ubyte.gz`, good.images);
      expect(() => new MNIST({ root })).toThrow(/^MNIST: train-images-idx3-ubyte\.gz: not a gzip file/);
      writeFileSync(`${root}/MNIST/raw/train-images-idx3-ubyte.gz`, gz(good.images));
      const ds = new MNIST({ root });
      expect(ds.len()).toBe(3);
      expect(() => new MNIST({ root, train: false, download: true })).toThrow(
        /^MNIST: t10k-images-idx3-ubyte not found: looked for t10k-images-idx3-ubyte and t10k-images-idx3-ubyte\.gz in .*\/MNIST\/raw and .*; download is not supported/);
    } finally {
      rmSync(root, { recursive: true });
    }
  });

  test("bad options", () => {
    expect(() => new MNIST({ root: "" })).toThrow(/^MNIST: root must be a folder path/);
    expect(() => new MNIST({ root: DATA, train: 1 as unknown as boolean })).toThrow(/^MNIST: train must be a boolean, got 1/);
    expect(() => new MNIST({ root: DATA, transform: 3 as never })).toThrow(/^MNIST: transform must be a function or have a forward\(x\) method, got 3/);
  });
});

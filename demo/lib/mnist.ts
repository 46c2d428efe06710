// The digits the examples ship (examples/data/MNIST/raw, served under data/), fetched and gunzipped
// in the page (DecompressionStream), then read by the library's MNIST dataset from bytes.

import { vision, type Tensor } from "wasmgrad";

async function gunzipped(url: string): Promise<Uint8Array> {
  const res = await fetch(url);
  if (!res.ok || !res.body) throw new Error(`${url}: HTTP ${res.status}`);
  const stream = res.body.pipeThrough(new DecompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Lesson 9's and 10's transform: ToTensor (bytes to [0, 1]) and MNIST's mean and std. */
export const transform = new vision.transforms.Compose([
  new vision.transforms.ToTensor(), new vision.transforms.Normalize([0.1307], [0.3081]),
]);

export async function loadDigits(base = "data/"): Promise<{ train: vision.datasets.MNIST<Tensor>; test: vision.datasets.MNIST<Tensor> }> {
  const names = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"];
  const [trImages, trLabels, teImages, teLabels] = await Promise.all(names.map((n) => gunzipped(`${base}${n}.gz`)));
  return {
    train: new vision.datasets.MNIST<Tensor>({ train: true, transform, files: { images: trImages, labels: trLabels } }),
    test: new vision.datasets.MNIST<Tensor>({ train: false, transform, files: { images: teImages, labels: teLabels } }),
  };
}

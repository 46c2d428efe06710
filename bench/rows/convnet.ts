// A small convnet on 32 MNIST-sized images: two 3x3 convolutions (padding 1, 16 and 32 channels),
// each followed by ReLU and a 2x2 max pool, then one linear layer; cross-entropy, plain SGD (lr 0.01).

import { netRow } from "./nets.js";
import type { NetSpec } from "../lib/net/spec.js";

export const CONVNET: NetSpec = {
  batch: 32,
  sample: [1, 28, 28],
  classes: 10,
  layers: [
    { kind: "conv", name: "conv1", out: 16, k: 3, pad: 1 }, { kind: "relu" }, { kind: "pool" },
    { kind: "conv", name: "conv2", out: 32, k: 3, pad: 1 }, { kind: "relu" }, { kind: "pool" },
    { kind: "flatten" },
    { kind: "linear", name: "fc", out: 10 },
  ],
  lr: 0.01,
  momentum: 0,
};

export const convnetRow = netRow("convnet", "convnet step 32x1x28x28 (3x3 convs 16, 32)", CONVNET);

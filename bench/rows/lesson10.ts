// The course's lesson 10 CNN (examples/lesson10-basic-cnn.ts): conv 1->10 5x5, max pool 2, ReLU,
// conv 10->20 5x5, max pool 2, ReLU, linear 320->10; batch 64, cross-entropy, SGD(lr 0.01,
// momentum 0.5). Random images stand in for the loader's batches: the step is what is timed.

import { netRow } from "./nets.js";
import type { NetSpec } from "../lib/net/spec.js";

export const LESSON10: NetSpec = {
  batch: 64,
  sample: [1, 28, 28],
  classes: 10,
  layers: [
    { kind: "conv", name: "conv1", out: 10, k: 5, pad: 0 }, { kind: "pool" }, { kind: "relu" },
    { kind: "conv", name: "conv2", out: 20, k: 5, pad: 0 }, { kind: "pool" }, { kind: "relu" },
    { kind: "flatten" },
    { kind: "linear", name: "fc", out: 10 },
  ],
  lr: 0.01,
  momentum: 0.5,
};

export const lesson10Row = netRow("lesson10", "lesson 10 CNN step, batch 64", LESSON10);

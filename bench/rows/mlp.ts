// MLP 784-256-128-10 with ReLU, batch 128, cross-entropy, plain SGD (lr 0.01).

import { netRow } from "./nets.js";
import type { NetSpec } from "../lib/net/spec.js";

export const MLP: NetSpec = {
  batch: 128,
  sample: [784],
  classes: 10,
  layers: [
    { kind: "linear", name: "fc1", out: 256 }, { kind: "relu" },
    { kind: "linear", name: "fc2", out: 128 }, { kind: "relu" },
    { kind: "linear", name: "fc3", out: 10 },
  ],
  lr: 0.01,
  momentum: 0,
};

export const mlpRow = netRow("mlp", "MLP 784-256-128-10 step, batch 128", MLP);

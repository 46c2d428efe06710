// wasmgrad builds a NetSpec as a PyTorch user would: functional layers on parameter tensors,
// F.crossEntropy, loss.backward(), optim.SGD.

import { F, optim, type Tensor } from "wasmgrad";
import * as wgp from "../peers/wasmgrad.js";
import { paramNames, type NetSpec } from "./spec.js";
import type { Case, Inputs } from "../types.js";

export function wasmgradNet(spec: NetSpec, inp: Inputs): Case {
  const x = wgp.fromArr(inp.x), y = wgp.intLabels(inp.y);
  const names = paramNames(spec);
  const p: Record<string, Tensor> = Object.fromEntries(names.map((n) => [n, wgp.fromArr(inp[n], true)]));
  const opt = new optim.SGD(Object.values(p), { lr: spec.lr, momentum: spec.momentum });
  const forward = (input: Tensor): Tensor => {
    let a = input;
    for (const l of spec.layers) {
      if (l.kind === "linear") a = F.linear(a, p[`${l.name}.weight`], p[`${l.name}.bias`]);
      else if (l.kind === "conv") a = F.conv2d(a, p[`${l.name}.weight`], p[`${l.name}.bias`], { padding: l.pad });
      else if (l.kind === "relu") a = F.relu(a);
      else if (l.kind === "pool") a = F.maxPool2d(a, 2);
      else a = a.flatten(1);
    }
    return a;
  };
  let loss = NaN;
  return {
    step() {
      opt.zeroGrad();
      const l = F.crossEntropy(forward(x), y);
      l.backward();
      opt.step();
      loss = l.item();
    },
    probe: () => [loss],
    dispose() {
      for (const t of [x, y, ...Object.values(p)]) t.dispose();
    },
  };
}

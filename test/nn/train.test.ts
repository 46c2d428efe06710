// Whole training loops against PyTorch 1.13 (test/fixtures/nn/train.json): seeded init, data
// shuffling, dropout masks, losses, optimisers and a scheduler together give torch's losses.

import { test } from "vitest";
import * as wg from "../../src/index.js";
import { expectClose } from "../helpers/close";
import { fixture, makeTensor, needing, torchGenerator, type TensorRec } from "./util";

const { nn, optim, data, F } = wg;

interface Train {
  regression: { losses: number[]; params: [string, TensorRec][] };
  classification: { losses: number[]; evalOut: TensorRec };
}
const golden = fixture<Train>("train.json");
const gen = needing([], torchGenerator() ? [] : ["PyTorch's generator"]);
// float32 sums in a different order, compounded over 20 steps
const TOL = { atol: 1e-6, rtol: 1e-5 };

class Mlp extends nn.Module {
  fc1 = new nn.Linear(2, 3);
  act = new nn.ReLU();
  fc2 = new nn.Linear(3, 1);
  forward(x: wg.Tensor): wg.Tensor { return this.fc2.forward(this.act.forward(this.fc1.forward(x))); }
}

(gen.run ? test : test.todo)(`MLP regression with Adam: 20 losses and final params as torch${gen.why}`, () => {
  wg.manualSeed(0);
  const m = new Mlp();
  const opt = new optim.Adam(m.parameters(), { lr: 0.01 });
  const x = wg.randn(8, 2), y = wg.randn(8, 1);
  const losses: number[] = [];
  for (let i = 0; i < 20; i++) {
    opt.zeroGrad();
    const loss = F.mseLoss(m.forward(x), y);
    loss.backward();
    opt.step();
    losses.push(loss.item());
  }
  expectClose(losses, golden.regression.losses, TOL, "losses");
  const sd = m.stateDict();
  for (const [k, r] of golden.regression.params) expectClose(sd[k], makeTensor(r).toFloat32Array(), TOL, k);
});

(gen.run ? test : test.todo)(`classifier with dropout, shuffled DataLoader, Nesterov SGD, StepLR: losses as torch${gen.why}`, () => {
  wg.manualSeed(3);
  const model = new nn.Sequential(new nn.Linear(4, 8), new nn.Tanh(), new nn.Dropout(0.2), new nn.Linear(8, 3));
  const xs = wg.randn(12, 4);
  const ys = wg.randint(0, 3, [12]);
  const loader = new data.DataLoader(new data.TensorDataset(xs, ys), { batchSize: 4, shuffle: true });
  const opt = new optim.SGD(model.parameters(), { lr: 0.2, momentum: 0.9, nesterov: true });
  const sched = new optim.lrScheduler.StepLR(opt, 1, { gamma: 0.5 });
  const lossFn = new nn.CrossEntropyLoss({ labelSmoothing: 0.1 });
  const losses: number[] = [];
  for (let epoch = 0; epoch < 3; epoch++) {
    model.train();
    for (const [xb, yb] of loader as Iterable<wg.Tensor[]>) {
      opt.zeroGrad();
      const loss = lossFn.forward(model.forward(xb) as wg.Tensor, yb);
      loss.backward();
      opt.step();
      losses.push(loss.item());
    }
    sched.step();
  }
  expectClose(losses, golden.classification.losses, TOL, "losses");
  model.eval();
  expectClose(model.forward(xs.slice(0, 0, 2)) as wg.Tensor, golden.classification.evalOut.values as number[], TOL, "eval output");
});

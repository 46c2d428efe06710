// Lesson 7 (multiple dimension input), ported line for line from
// examples/torch/lesson07-multiple-dimension-input.py: a binary classifier of 8 features, Linear
// 8-6-4-1 with sigmoid activations, trained by BCELoss (mean) and SGD on the whole data set per
// step. The data is examples/data/breast-cancer-8.csv (8 features, then a 0/1 label), found from
// this script's own location as the original finds it from its own. manualSeed(0) gives the three
// nn.Linear layers the initial parameters torch draws after torch.manual_seed(0). Python ints
// (the epoch) are bigints so that print() writes them without a decimal point.

import { manualSeed, print, nn, optim, type Tensor } from "wasmgrad";
import { loadtxt } from "./lib/numpy.js";
import { Progress } from "./lib/progress.js";

manualSeed(0);

// build/examples/<name>.js and examples/<name>.ts both sit two levels below the package root.
const xy = loadtxt(new URL("../../examples/data/breast-cancer-8.csv", import.meta.url), ",");
const xData = xy.slice(1, null, -1);
const yData = xy.slice(1, -1);

class Model extends nn.Module {
  declare linear1: nn.Linear;
  declare linear2: nn.Linear;
  declare linear3: nn.Linear;
  declare sigmoid: nn.Sigmoid;

  constructor() {
    super();
    this.linear1 = new nn.Linear(8, 6);
    this.linear2 = new nn.Linear(6, 4);
    this.linear3 = new nn.Linear(4, 1);
    this.sigmoid = new nn.Sigmoid();
  }

  forward(x: Tensor): Tensor {
    x = this.sigmoid.forward(this.linear1.forward(x));
    x = this.sigmoid.forward(this.linear2.forward(x));
    x = this.sigmoid.forward(this.linear3.forward(x));
    return x;
  }
}

const model = new Model();

const criterion = new nn.BCELoss({ reduction: "mean" });
const optimizer = new optim.SGD(model.parameters(), { lr: 0.1 });

const bar = new Progress("epoch", 100);
for (let epoch = 0n; epoch < 100n; epoch++) {
  // Forward
  const yPred = model.forward(xData);
  const loss = criterion.forward(yPred, yData);
  print(epoch, loss.item());

  // Backward
  optimizer.zeroGrad();
  loss.backward();

  // Update
  optimizer.step();
  bar.tick();
}
bar.done();

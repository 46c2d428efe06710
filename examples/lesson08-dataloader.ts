// Lesson 8 (Dataset and DataLoader), ported line for line from examples/torch/lesson08-dataloader.py:
// the lesson 7 classifier trained on mini-batches of 32 samples drawn in a fresh random order
// every epoch. manualSeed(0) gives the layers torch's initial parameters and the DataLoader
// torch's shuffled order (both come from the default generator, drawn in torch's sequence).
// Python ints (the epoch, the batch index) are bigints so that print() writes them without a
// decimal point; Python's enumerate is a counter beside the for-of.

import { manualSeed, print, nn, optim, data, type Tensor } from "wasmgrad";
import { loadtxt } from "./lib/numpy.js";
import { Progress } from "./lib/progress.js";

manualSeed(0);

class DiabetesDataset extends data.Dataset<[Tensor, Tensor]> {
  declare length: number;
  declare xData: Tensor;
  declare yData: Tensor;

  constructor(filepath: URL) {
    super();
    const xy = loadtxt(filepath, ",");
    this.length = xy.shape[0];
    this.xData = xy.slice(1, null, -1);
    this.yData = xy.slice(1, -1);
  }

  getItem(index: number): [Tensor, Tensor] {
    return [this.xData.select(0, index), this.yData.select(0, index)];
  }

  len(): number {
    return this.length;
  }
}

// build/examples/<name>.js and examples/<name>.ts both sit two levels below the package root.
const dataset = new DiabetesDataset(new URL("../../examples/data/breast-cancer-8.csv", import.meta.url));
const trainLoader = new data.DataLoader<[Tensor, Tensor], [Tensor, Tensor]>(dataset, { batchSize: 32, shuffle: true });

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
const optimizer = new optim.SGD(model.parameters(), { lr: 0.01 });

const bar = new Progress("batch", 100 * trainLoader.length);
for (let epoch = 0n; epoch < 100n; epoch++) {
  let i = 0n;
  for (const data of trainLoader) {
    // 1. Prepare data
    const [inputs, labels] = data;
    // 2. Forward
    const yPred = model.forward(inputs);
    const loss = criterion.forward(yPred, labels);
    print(epoch, i, loss.item());
    // 3. Backward
    optimizer.zeroGrad();
    loss.backward();
    // 4. Update
    optimizer.step();
    bar.tick();
    i++;
  }
}
bar.done();

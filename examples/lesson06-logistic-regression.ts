// Lesson 6 (logistic regression), ported line for line from
// examples/torch/lesson06-logistic-regression.py: P(y = 1 | x) = sigmoid(w * x + b) fitted by the
// summed binary cross entropy and SGD. manualSeed(0) gives nn.Linear the initial weight and bias
// torch draws after torch.manual_seed(0). Python ints (the epoch) are bigints so that print()
// writes them without a decimal point; a module is called as model.forward(x).

import { tensor, manualSeed, sigmoid, print, nn, optim, type Tensor } from "wasmgrad";
import { Progress } from "./lib/progress.js";

manualSeed(0);

const xData = tensor([[1.0], [2.0], [3.0]]);
const yData = tensor([[0], [0], [1]]);

class LogisticRegressionModel extends nn.Module {
  declare linear: nn.Linear;

  constructor() {
    super();
    this.linear = new nn.Linear(1, 1);
  }

  forward(x: Tensor): Tensor {
    const yPred = sigmoid(this.linear.forward(x));
    return yPred;
  }
}

const model = new LogisticRegressionModel();

const criterion = new nn.BCELoss({ reduction: "sum" });
const optimizer = new optim.SGD(model.parameters(), { lr: 0.01 });

const bar = new Progress("epoch", 1000);
for (let epoch = 0n; epoch < 1000n; epoch++) {
  const yPred = model.forward(xData);
  const loss = criterion.forward(yPred, yData);
  print(epoch, loss.item());

  optimizer.zeroGrad();
  loss.backward();
  optimizer.step();
  bar.tick();
}
bar.done();

// Lesson 5 (linear regression with PyTorch), ported line for line from
// examples/torch/lesson05-linear-regression-module.py: y = w * x + b as an nn.Module, a summed
// squared error and SGD. manualSeed(0) gives nn.Linear the initial weight and bias torch draws
// after torch.manual_seed(0). Python ints (the epoch) are bigints so that print() writes them
// without a decimal point; a module is called as model.forward(x).

import { tensor, manualSeed, print, nn, optim, type Tensor } from "wasmgrad";
import { Progress } from "./lib/progress.js";

manualSeed(0);

const xData = tensor([[1.0], [2.0], [3.0]]);
const yData = tensor([[2.0], [4.0], [6.0]]);

class LinearModel extends nn.Module {
  declare linear: nn.Linear;

  constructor() {
    super();
    this.linear = new nn.Linear(1, 1);
  }

  forward(x: Tensor): Tensor {
    const yPred = this.linear.forward(x);
    return yPred;
  }
}

const model = new LinearModel();

const criterion = new nn.MSELoss({ reduction: "sum" });
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

print("w = ", model.linear.weight.item());
print("b = ", model.linear.bias!.item());

const xTest = tensor([[4.0]]);
const yTest = model.forward(xTest);
print("y_pred = ", yTest.data);

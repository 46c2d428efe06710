// The classic PyTorch lesson (a linear model y = w * x fitted by hand-written SGD), line for line.
// Its output is byte-identical to the Python original (test/fixtures/lesson.py).
// `--graph graph.dot` also writes the computation graph of the first loss as Graphviz DOT.

import { writeFileSync } from "node:fs";
import { tensor, mul, sub, toDot, type Tensor } from "wasmgrad";
import { pyFloat } from "./lib/python.js";

const graphIndex = process.argv.indexOf("--graph");
const graphFile = graphIndex > 0 ? process.argv[graphIndex + 1] : undefined;

/** print(*args): arguments joined by spaces, then a newline. */
function print(...args: (string | number)[]): void {
  process.stdout.write(args.join(" ") + "\n");
}

const xData = [1.0, 2.0, 3.0];
const yData = [2.0, 4.0, 6.0];

const w = tensor([1.0]);
w.requiresGrad = true;

function forward(x: number): Tensor {
  return mul(x, w);
}

function loss(x: number, y: number): Tensor {
  const yPred = forward(x);
  return sub(yPred, y).pow(2);
}

print("predict (before training)", 4, pyFloat(forward(4).item()));
for (let epoch = 0; epoch < 100; epoch++) {
  let l!: Tensor;
  for (let i = 0; i < xData.length; i++) {
    const [xVal, yVal] = [xData[i], yData[i]];
    l = loss(xVal, yVal);
    if (graphFile && epoch === 0 && i === 0) writeFileSync(graphFile, toDot(l, { params: { w } }));
    l.backward();
    print("\tgrad: ", pyFloat(xVal), pyFloat(yVal), pyFloat(w.grad!.item()));
    w.data = sub(w.data, mul(0.01, w.grad!.data));
    w.grad!.data.zero_();
  }
  print("progress:", epoch, pyFloat(l.item()));
}
print("predict (after training)", 4, pyFloat(forward(4).item()));

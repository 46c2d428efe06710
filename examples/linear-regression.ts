// The classic PyTorch lesson: a linear model y = w * x fitted by hand-written gradient descent,
// ported line for line from test/fixtures/lesson.py. It prints byte for byte what PyTorch 1.13
// prints for the Python original: print() formats numbers as Python floats and bigints as ints.
// `--graph graph.dot` also writes the computation graph of the first loss as Graphviz DOT.

import { writeFileSync } from "node:fs";
import { tensor, mul, sub, print, toDot, type Tensor } from "wasmgrad";

const graphIndex = process.argv.indexOf("--graph");
const graphFile = graphIndex > 0 ? process.argv[graphIndex + 1] : undefined;

const zip = <A, B>(a: A[], b: B[]): [A, B][] => a.map((v, i) => [v, b[i]]);

const xData = [1.0, 2.0, 3.0];
const yData = [2.0, 4.0, 6.0];

const w = tensor([1.0]);
w.requiresGrad = true;

function forward(x: number): Tensor {
  return mul(x, w);
}

function loss(x: number, y: number): Tensor {
  const yVal = forward(x);
  const loss = sub(yVal, y).pow(2);
  return loss;
}

print("before, w= ", forward(4).item());

for (let epoch = 0n; epoch < 100n; epoch++) {
  let l!: Tensor;
  for (const [x, y] of zip(xData, yData)) {
    l = loss(x, y);
    if (graphFile && epoch === 0n && x === xData[0]) writeFileSync(graphFile, toDot(l, { params: { w } }));
    l.backward();
    print("\tgrad:", x, y, w.grad!.item());
    w.data = sub(w.data, mul(0.01, w.grad!.data));

    w.grad!.data.zero_();
  }

  print("progress", epoch, l.item());
}

print("after, w= ", forward(4).item());

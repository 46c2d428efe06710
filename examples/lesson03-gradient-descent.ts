// Lesson 3 (gradient descent), ported line for line from examples/torch/lesson03-gradient-descent.py:
// y = x * w fitted by hand-written gradient descent on the whole training set per step, then by
// stochastic gradient descent (one update per sample). Plain numbers, as the original's are plain
// Python floats; Python ints (the epoch, the 4 of the prediction) are bigints so that print()
// writes them without a decimal point.

import { print } from "wasmgrad";

const zip = <A, B>(a: A[], b: B[]): [A, B][] => a.map((v, i) => [v, b[i]]);

const xData = [1.0, 2.0, 3.0];
const yData = [2.0, 4.0, 6.0];

let w = 1.0;

function forward(x: number): number {
  return x * w;
}

function cost(xs: number[], ys: number[]): number {
  let cost = 0;
  for (const [x, y] of zip(xs, ys)) {
    const yPred = forward(x);
    cost += (yPred - y) ** 2;
  }
  return cost / xs.length;
}

function gradientAll(xs: number[], ys: number[]): number {
  let grad = 0;
  for (const [x, y] of zip(xs, ys)) {
    grad += 2 * x * (x * w - y);
  }
  return grad / xs.length;
}

print("Predict (before training)", 4n, forward(4));
for (let epoch = 0n; epoch < 100n; epoch++) {
  const costVal = cost(xData, yData);
  const gradVal = gradientAll(xData, yData);
  w -= 0.01 * gradVal;
  print("Epoch:", epoch, "w=", w, "loss=", costVal);
}
print("Predict (after training)", 4n, forward(4));

// Stochastic gradient descent: the loss and its gradient of a single sample.
w = 1.0;

function loss(x: number, y: number): number {
  const yPred = forward(x);
  return (yPred - y) ** 2;
}

function gradient(x: number, y: number): number {
  return 2 * x * (x * w - y);
}

print("Predict (before training)", 4n, forward(4));
for (let epoch = 0n; epoch < 100n; epoch++) {
  let l!: number;
  for (const [x, y] of zip(xData, yData)) {
    const grad = gradient(x, y);
    w = w - 0.01 * grad;
    print("\tgrad: ", x, y, grad);
    l = loss(x, y);
  }
  print("progress:", epoch, "w=", w, "loss=", l);
}
print("Predict (after training)", 4n, forward(4));

// The PyTorch lesson of examples/linear-regression.ts as plain JavaScript: the browser page loads
// it beside the bundle (with examples/lib/python.js), and the package test copies both into a
// temporary project. Its output must match test/fixtures/lesson.stdout.txt byte for byte.

import { pyFloat } from "./python.js";

/**
 * Runs the lesson with the given library functions and returns what Python's print() would
 * write: one string, every line ending in "\n".
 * @param {{ tensor: Function, mul: Function, sub: Function }} wg
 * @returns {string}
 */
export function runLesson({ tensor, mul, sub }) {
  let out = "";
  /** print(*args): arguments joined by spaces, then a newline. */
  const print = (...args) => { out += args.join(" ") + "\n"; };

  const xData = [1.0, 2.0, 3.0];
  const yData = [2.0, 4.0, 6.0];

  const w = tensor([1.0]);
  w.requiresGrad = true;

  function forward(x) {
    return mul(x, w);
  }

  function loss(x, y) {
    const yPred = forward(x);
    return sub(yPred, y).pow(2);
  }

  print("predict (before training)", 4, pyFloat(forward(4).item()));
  for (let epoch = 0; epoch < 100; epoch++) {
    let l;
    for (let i = 0; i < xData.length; i++) {
      const [xVal, yVal] = [xData[i], yData[i]];
      l = loss(xVal, yVal);
      l.backward();
      print("\tgrad: ", pyFloat(xVal), pyFloat(yVal), pyFloat(w.grad.item()));
      w.data = sub(w.data, mul(0.01, w.grad.data));
      w.grad.data.zero_();
    }
    print("progress:", epoch, pyFloat(l.item()));
  }
  print("predict (after training)", 4, pyFloat(forward(4).item()));
  return out;
}

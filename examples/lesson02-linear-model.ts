// Lesson 2 (linear model), ported line for line from examples/torch/lesson02-linear-model.py: the
// mean squared error of y = x * w on the training set for w swept from 0.0 to 4.0. Plain numbers,
// as the original's are plain Python floats; print() formats them as Python does. The course then
// plots mse_list against w_list, which prints nothing and is left out of both.

import { print } from "wasmgrad";
import { arange } from "./lib/numpy.js";

const zip = <A, B>(a: A[], b: B[]): [A, B][] => a.map((v, i) => [v, b[i]]);

const xData = [1.0, 2.0, 3.0];
const yData = [2.0, 4.0, 6.0];

let w = 0;

function forward(x: number): number {
  return x * w;
}

function loss(x: number, y: number): number {
  const yPred = forward(x);
  return (yPred - y) * (yPred - y);
}

const wList: number[] = [];
const mseList: number[] = [];
for (w of arange(0.0, 4.1, 0.1)) {
  print("w=", w);
  let lSum = 0;
  for (const [xVal, yVal] of zip(xData, yData)) {
    const yPredVal = forward(xVal);
    const lossVal = loss(xVal, yVal);
    lSum += lossVal;
    print("\t", xVal, yVal, yPredVal, lossVal);
  }
  print("MSE=", lSum / 3);
  wList.push(w);
  mseList.push(lSum / 3);
}

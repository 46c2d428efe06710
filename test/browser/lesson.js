// The PyTorch lesson of examples/linear-regression.ts as plain JavaScript, with no imports:
// the browser page loads it beside the bundle, and the package test copies it into a
// temporary project. Its output must match test/fixtures/lesson.stdout.txt byte for byte.

/** repr() of a Python float: shortest round-trip digits, `4.0`, `1e-05`, `9.094947017729282e-13`. */
export function pyFloat(v) {
  if (Number.isNaN(v)) return "nan";
  if (!Number.isFinite(v)) return v > 0 ? "inf" : "-inf";
  if (v === 0) return Object.is(v, -0) ? "-0.0" : "0.0";
  const [mant, expStr] = v.toExponential().split("e"); // shortest digits, like repr
  const exp = Number(expStr);
  const sign = mant.startsWith("-") ? "-" : "";
  const digits = mant.replace("-", "").replace(".", "");
  if (exp < -4 || exp >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const e = Math.abs(exp) < 10 ? `0${Math.abs(exp)}` : `${Math.abs(exp)}`;
    return `${sign}${m}e${exp < 0 ? "-" : "+"}${e}`;
  }
  if (exp < 0) return `${sign}0.${"0".repeat(-exp - 1)}${digits}`;
  const intPart = digits.slice(0, exp + 1).padEnd(exp + 1, "0");
  const frac = digits.slice(exp + 1);
  return `${sign}${intPart}.${frac || "0"}`;
}

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

// The PyTorch lesson of examples/linear-regression.ts as plain JavaScript, printing through the
// library's own print(): the browser page loads it beside the bundle, and the package test copies
// it into a temporary project. Its output must match test/fixtures/lesson.stdout.txt byte for byte.

/**
 * Runs the lesson with the given library functions and returns what Python's print() would
 * write: one string, every line ending in "\n". print's output is captured with setPrintSink
 * while the lesson runs (and `onLine`, if given, sees each line as it is printed).
 * @param {{ tensor: Function, mul: Function, sub: Function, print: Function, setPrintSink: Function }} wg
 * @param {(text: string) => void} [onLine]
 * @returns {string}
 */
export function runLesson({ tensor, mul, sub, print, setPrintSink }, onLine) {
  let out = "";
  const prev = setPrintSink((text) => { out += text; onLine?.(text); });
  try {
    const zip = (a, b) => a.map((v, i) => [v, b[i]]);

    const xData = [1.0, 2.0, 3.0];
    const yData = [2.0, 4.0, 6.0];

    const w = tensor([1.0]);
    w.requiresGrad = true;

    function forward(x) {
      return mul(x, w);
    }

    function loss(x, y) {
      const yVal = forward(x);
      const loss = sub(yVal, y).pow(2);
      return loss;
    }

    print("before, w= ", forward(4).item());

    for (let epoch = 0n; epoch < 100n; epoch++) {
      let l;
      for (const [x, y] of zip(xData, yData)) {
        l = loss(x, y);
        l.backward();
        print("\tgrad:", x, y, w.grad.item());
        w.data = sub(w.data, mul(0.01, w.grad.data));

        w.grad.data.zero_();
      }

      print("progress", epoch, l.item());
    }

    print("after, w= ", forward(4).item());
  } finally {
    setPrintSink(prev);
  }
  return out;
}

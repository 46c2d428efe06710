// Gradients of gradients (createGraph): closed forms evaluated in float64, and torch 1.13 values
// for graphs through matmul, broadcasting and views.
import { describe, test, expect } from "vitest";
import { autograd, Tensor } from "wasmgrad";
import { f64, near, vals, scrubCaptured } from "./f64";

const TOL = { atol: 1e-12, rtol: 1e-11 };
const xs = [-1.3, -0.4, 0.2, 0.9, 1.7];
const pos = [0.3, 0.8, 1.5, 2.5];

/** d^k/dx^k of sum(f(x)) for k = 1..order, each by autograd.grad of the previous one's sum. */
function derivs(f: (x: Tensor) => Tensor, v: number[], order: number): Tensor[] {
  const x = f64(v);
  let cur = f(x).sum();
  const out: Tensor[] = [];
  for (let k = 1; k <= order; k++) {
    if (!cur.requiresGrad) { out.push(f64(v.map(() => 0), false)); continue; } // a constant derivative
    const [g] = autograd.grad(cur, [x], { createGraph: k < order });
    if (k === order) expect(g!.requiresGrad).toBe(false);
    out.push(g!);
    cur = g!.sum();
  }
  return out;
}

describe("second and third derivatives of elementwise ops", () => {
  const cases: [string, (x: Tensor) => Tensor, number[], ((x: number) => number)[]][] = [
    ["x**3", (x) => x.pow(3), xs, [(x) => 3 * x * x, (x) => 6 * x, () => 6]],
    ["x*x*x (mul)", (x) => x.mul(x).mul(x), xs, [(x) => 3 * x * x, (x) => 6 * x, () => 6]],
    ["square", (x) => x.square(), xs, [(x) => 2 * x, () => 2, () => 0]],
    ["tanh", (x) => x.tanh(), xs, [
      (x) => 1 - Math.tanh(x) ** 2,
      (x) => -2 * Math.tanh(x) * (1 - Math.tanh(x) ** 2),
      (x) => (1 - Math.tanh(x) ** 2) * (6 * Math.tanh(x) ** 2 - 2)]],
    ["sigmoid", (x) => x.sigmoid(), xs, (() => {
      const s = (x: number) => 1 / (1 + Math.exp(-x));
      return [(x: number) => s(x) * (1 - s(x)), (x: number) => s(x) * (1 - s(x)) * (1 - 2 * s(x)),
        (x: number) => s(x) * (1 - s(x)) * (1 - 6 * s(x) + 6 * s(x) ** 2)];
    })()],
    ["exp", (x) => x.exp(), xs, [Math.exp, Math.exp, Math.exp]],
    ["log", (x) => x.log(), pos, [(x) => 1 / x, (x) => -1 / x ** 2, (x) => 2 / x ** 3]],
    ["sqrt", (x) => x.sqrt(), pos, [(x) => 0.5 / Math.sqrt(x), (x) => -0.25 * x ** -1.5, (x) => 0.375 * x ** -2.5]],
    ["reciprocal", (x) => x.reciprocal(), pos, [(x) => -1 / x ** 2, (x) => 2 / x ** 3, (x) => -6 / x ** 4]],
    ["1/x (div)", (x) => x.reciprocal().mul(0).add(1).div(x), pos, [(x) => -1 / x ** 2, (x) => 2 / x ** 3, (x) => -6 / x ** 4]],
    ["2**x (pow with a tensor exponent)", (x) => f64(2, false).pow(x), xs,
      [(x) => Math.LN2 * 2 ** x, (x) => Math.LN2 ** 2 * 2 ** x, (x) => Math.LN2 ** 3 * 2 ** x]],
    ["x**x", (x) => x.pow(x), pos, [
      (x) => x ** x * (Math.log(x) + 1),
      (x) => x ** x * ((Math.log(x) + 1) ** 2 + 1 / x),
      (x) => x ** x * ((Math.log(x) + 1) ** 3 + 3 * (Math.log(x) + 1) / x - 1 / x ** 2)]],
    ["relu(x) * x", (x) => x.relu().mul(x), xs, [(x) => (x > 0 ? 2 * x : 0), (x) => (x > 0 ? 2 : 0), () => 0]],
    ["abs(x) * x", (x) => x.abs().mul(x), xs, [(x) => 2 * Math.abs(x), (x) => 2 * Math.sign(x), () => 0]],
    ["neg(x) * exp(x)", (x) => x.neg().mul(x.exp()), xs,
      [(x) => -(1 + x) * Math.exp(x), (x) => -(2 + x) * Math.exp(x), (x) => -(3 + x) * Math.exp(x)]],
  ];
  test.each(cases)("%s", (_name, f, v, want) => {
    const ds = derivs(f, v, 3);
    ds.forEach((d, k) => near(d, v.map(want[k]), TOL));
  });

  test("the first derivative from createGraph has history; from a plain pass it does not", () => {
    const x = f64([0.5]);
    const [g1] = autograd.grad(x.tanh().sum(), [x], { createGraph: true });
    expect(g1!.gradFn!.name).toBe("TanhBackwardBackward0");
    const [g2] = autograd.grad(x.tanh().sum(), [x]);
    expect(g2!.gradFn).toBeNull();
  });
});

describe("Hessians of two-input ops", () => {
  test("div: d2/da db = -1/b^2, d2/db2 = 2a/b^3", () => {
    const a = f64([1.5, -2]), b = f64([0.5, 4]);
    const [ga, gb] = autograd.grad(a.div(b).sum(), [a, b], { createGraph: true });
    near(ga, [2, 0.25]);
    near(gb, [-6, 0.125]);
    const [haa, hab] = autograd.grad(ga!.sum(), [a, b], { retainGraph: true, allowUnused: true });
    // d(1/b)/da is zero: torch gives None or zeros depending on the graph; both mean zero
    if (haa !== null) near(haa, [0, 0]);
    near(hab, [-4, -1 / 16]);
    const [hba, hbb] = autograd.grad(gb!.sum(), [a, b]);
    near(hba, [-4, -1 / 16]);
    near(hbb, [2 * 1.5 / 0.125, 2 * -2 / 64]);
  });

  test("matmul then tanh (torch 1.13)", () => {
    const A = f64([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]]);
    const B = f64([[1.0, -0.5], [0.3, 2.0], [-1.2, 0.7]]);
    const [gA, gB] = autograd.grad(A.matmul(B).tanh().sum(), [A, B], { createGraph: true });
    const T = { atol: 1e-12, rtol: 1e-10 };
    near(gA, [[-0.21328614973599022, 1.0592235789885922, 0.3081856784696715], [-0.2609256705019466, 1.1638294738835118, 0.3708832313481078]], T);
    near(gB, [[0.06586736693858228, 1.1277978951189946], [-0.04094122838969766, -0.37799192100040246], [0.0748983409726671, 0.6115527751363752]], T);
    const [hA, hB] = autograd.grad(gA!.mul(gA!).sum(), [A, B]);
    near(hA, [[-1.812054003046058, 7.034796064888559, 2.5269490950879376], [-2.001279796343317, 8.17416978600334, 2.8096545335146]], T);
    near(hB, [[-0.000867438261406478, 7.35986576676882], [0.22601493698224573, -0.05307541517582415], [-0.07848852070056143, 4.739338046596147]], T);
  });

  test("sum and mean over broadcast operands (torch 1.13)", () => {
    const a = f64([[1.0, 2.0, -1.0], [0.5, -0.5, 3.0]]);
    const b = f64([0.2, -0.3, 1.0]);
    const l = a.add(b).pow(3).mean().add(a.mul(b).sum(0).pow(2).sum());
    const [ga, gb] = autograd.grad(l, [a, b], { createGraph: true });
    const T = { atol: 1e-12, rtol: 1e-12 };
    near(ga, [[0.84, 1.7149999999999996, 4.0], [0.365, 0.5900000000000001, 12.0]], T);
    near(gb, [1.865, 0.4149999999999998, 16.0], T);
    const [ha, hb] = autograd.grad(ga!.sum().add(gb!.pow(2).sum()), [a, b]);
    near(ha, [[10.312000000000001, 1.977, 260.0], [7.947000000000001, -2.597999999999999, 392.0]], T);
    near(hb, [28.171999999999997, 1.7819999999999978, 404.0], T);
  });

  test("through views: t, reshape, unsqueeze, expand, permute, transpose, view (torch 1.13)", () => {
    const x = f64([[1.0, 2.0, 3.0], [-1.0, 0.5, 2.0]]);
    const w = f64([[1.0, -2.0, 0.5]], false).t().unsqueeze(2);
    const y = x.t().reshape(2, 3).unsqueeze(0).expand(2, 2, 3).permute(2, 0, 1);
    const l = y.pow(3).mul(w).sum().add(x.transpose(0, 1).contiguous().view(-1).exp().mean());
    const [g] = autograd.grad(l, [x], { createGraph: true });
    const T = { atol: 1e-12, rtol: 1e-12 };
    near(g, [[6.453046971409841, 13.231509349821774, -104.65241051280205], [-11.93868675980476, 1.7747868784500214, 13.231509349821774]], T);
    near(autograd.grad(g!.mul(g!).sum(), [x])[0],
      [[160.72019408736153, 350.14567934884207, 14369.280495358336], [-574.5209636084678, 22.272818833886937, 350.14567934884207]], T);
  });
});

describe("backward with createGraph", () => {
  test(".grad gets a grad_fn, and differentiating it gives the second derivative", () => {
    const x = f64([0.5, -1, 2]);
    x.pow(3).sum().backward(null, { createGraph: true });
    expect(x.grad!.requiresGrad).toBe(true);
    expect(x.grad!.gradFn).not.toBeNull();
    near(x.grad, [0.75, 3, 12]);
    const [h] = autograd.grad(x.grad!.sum(), [x]);
    near(h, [3, -6, 12]);
  });

  test("the classic double backward: x.grad, then backward through it accumulates into x.grad", () => {
    const x = f64([2]);
    x.pow(4).sum().backward(null, { createGraph: true }); // 4x^3 = 32
    const g = x.grad!;
    x.grad = null;
    g.sum().backward(); // 12x^2 = 48
    near(x.grad, [48]);
  });

  test("a graph freed by the first-order pass cannot be differentiated again", () => {
    const x = f64([0.5]);
    const y = x.tanh().sum();
    const [g] = autograd.grad(y, [x], { createGraph: true, retainGraph: false });
    expect(g!.requiresGrad).toBe(true);
    // tanh's gradient uses tanh's saved output, whose node was freed (torch raises here too)
    scrubCaptured();
    expect(() => autograd.grad(g!.sum(), [x])).toThrow(/^grad: trying to backward through the graph a second time .* at TanhBackward0/);
    scrubCaptured();
    expect(() => autograd.grad(y, [x])).toThrow(/second time .* at TanhBackward0/);
    // with the graph kept, the same second derivative works
    const z = x.tanh().sum();
    const [gz] = autograd.grad(z, [x], { createGraph: true });
    near(autograd.grad(gz!.sum(), [x])[0], [-2 * Math.tanh(0.5) * (1 - Math.tanh(0.5) ** 2)]);
  });

  test("a second-order pass through a freed first-order graph throws", () => {
    const x = f64([0.5]);
    const [g] = autograd.grad(x.exp().mul(x).sum(), [x], { createGraph: true });
    g!.sum().backward();
    expect(() => g!.sum().backward()).toThrow(/^backward: trying to backward through the graph a second time/);
  });

  test("an in-place change of a value the second-order graph saved is caught", () => {
    const x = f64([0.5, 1]);
    const y = x.mul(2);
    const [g] = autograd.grad(y.mul(y).sum(), [y], { createGraph: true }); // 2y, saves nothing of g's inputs but y
    expect(vals(g)).toEqual([2, 4]);
    const h = g!.mul(g!);
    g!.add_(1);
    expect(() => h.sum().backward()).toThrow(/modified by an inplace operation: \[torch\.DoubleTensor \[2\]\], which is output 0 of \w+, is at version 1; expected version 0/);
  });

  test("two createGraph backwards accumulate out of place; the sum differentiates (torch: 16, AddBackward0, 14)", () => {
    const x = f64([2]);
    x.pow(3).sum().backward(null, { createGraph: true });
    x.pow(2).sum().backward(null, { createGraph: true });
    near(x.grad, [16]);
    expect(x.grad!.gradFn!.name).toBe("AddBackward0");
    near(autograd.grad(x.grad!.sum(), [x])[0], [14]);
  });

  test("a leaf hook under createGraph is differentiated too (torch: [2, 8], then [4, 8])", () => {
    const x = f64([1, 2]);
    x.registerHook((g) => g.mul(x));
    x.pow(2).sum().backward(null, { createGraph: true });
    near(x.grad, [2, 8]);
    near(autograd.grad(x.grad!.sum(), [x])[0], [4, 8]);
  });
});

describe("more createGraph paths (torch 1.13 values)", () => {
  test("second derivative through a non-leaf input", () => {
    const x = f64([1, 2]);
    const y = x.exp();
    const [g] = autograd.grad(y.pow(3).sum(), [y], { createGraph: true }); // 3y^2
    near(g, [3 * Math.exp(2), 3 * Math.exp(4)], TOL);
    near(autograd.grad(g!.sum(), [x])[0], [6 * Math.exp(2), 6 * Math.exp(4)], TOL); // 6 y * y
  });

  test("a view of a leaf as an input next to the leaf itself", () => {
    const x = f64([[1, 2], [3, 4]]);
    const v = (x as any).select(0, 0) as Tensor;
    const [gv, gx] = autograd.grad(v.mul(v).sum().add(x.sum()), [v, x]);
    near(gv, [2, 4]);
    near(gx, [[3, 5], [1, 1]]);
  });

  test("third derivative through matmul", () => {
    const A = f64([[1, 2], [3, 4]]);
    const [g1] = autograd.grad(A.matmul(A).matmul(A).sum(), [A], { createGraph: true });
    const [g2] = autograd.grad(g1!.pow(2).sum(), [A], { createGraph: true });
    near(autograd.grad(g2!.sum(), [A])[0], [[8832, 11232], [10912, 13632]]);
  });
});

// The elementwise unary ops beyond the golden cases: special values (inf, NaN, -0, tiny and large
// inputs) against PyTorch 1.13, gradients at the kinks as torch defines them, dtypes, the SIMD
// bodies and their tails, second derivatives of the fused backward ops, and error messages.

import { beforeEach, describe, expect, test } from "vitest";
import * as wg from "wasmgrad";
import { Tensor, tensor, manualSeed, noGrad } from "wasmgrad";
import { gradcheck, normal, positive, awayFromZero } from "../helpers/gradcheck";
import { expectClose } from "../helpers/close";

beforeEach(() => manualSeed(7));

const X = [-Infinity, -30, -2, -1e-8, -0, 0, 1e-7, 0.5, 3, 25, Infinity, NaN];
// torch 1.13: op(torch.tensor(X, dtype)) (leakyRelu slope 0.2, softplus2 beta 2 threshold 5, clamp(-1, 2))
const REF: Record<"float32" | "float64", Record<string, number[]>> = {
  float32: {
    rsqrt: [NaN, NaN, NaN, NaN, -Infinity, Infinity, 3162.27783203125, 1.4142135381698608, 0.5773502588272095, 0.20000000298023224, 0.0, NaN],
    log1p: [NaN, NaN, NaN, -9.99999993922529e-09, -0.0, 0.0, 9.999999406318238e-08, 0.40546509623527527, 1.3862943649291992, 3.25809645652771, Infinity, NaN],
    expm1: [-1.0, -1.0, -0.8646647334098816, -9.99999993922529e-09, -0.0, 0.0, 1.000000082740371e-07, 0.6487212777137756, 19.08553695678711, 72004902912.0, Infinity, NaN],
    sin: [NaN, 0.9880316257476807, -0.9092974066734314, -9.99999993922529e-09, -0.0, 0.0, 1.0000000116860974e-07, 0.4794255495071411, 0.14112000167369843, -0.13235175609588623, NaN, NaN],
    cos: [NaN, 0.15425145626068115, -0.416146844625473, 1.0, 1.0, 1.0, 1.0, 0.8775825500488281, -0.9899924993515015, 0.9912028312683105, NaN, NaN],
    gelu: [NaN, 0.0, -0.045500099658966064, -4.999999969612645e-09, 0.0, 0.0, 5.000000058430487e-08, 0.3457311987876892, 2.995950222015381, 25.0, Infinity, NaN],
    geluTanh: [NaN, -0.0, -0.04540228843688965, -4.999999969612645e-09, -0.0, 0.0, 5.000000768973223e-08, 0.3457140028476715, 2.9963626861572266, 25.0, Infinity, NaN],
    silu: [NaN, -2.807286954981114e-12, -0.23840583860874176, -4.999999969612645e-09, -0.0, 0.0, 5.000000413701855e-08, 0.3112296760082245, 2.857722520828247, 25.0, Infinity, NaN],
    leakyRelu: [-Infinity, -6.0, -0.4000000059604645, -1.999999943436137e-09, -0.0, 0.0, 1.0000000116860974e-07, 0.5, 3.0, 25.0, Infinity, NaN],
    softplus: [0.0, 9.357622912219837e-14, 0.12692800164222717, 0.6931471824645996, 0.6931471824645996, 0.6931471824645996, 0.6931472420692444, 0.9740769863128662, 3.0485873222351074, 25.0, Infinity, NaN],
    softplus2: [0.0, 4.37825544636038e-27, 0.009074964560568333, 0.3465735912322998, 0.3465735912322998, 0.3465735912322998, 0.3465736508369446, 0.65663081407547, 3.0, 25.0, Infinity, NaN],
    clamp: [-1.0, -1.0, -1.0, -9.99999993922529e-09, -0.0, 0.0, 1.0000000116860974e-07, 0.5, 2.0, 2.0, 2.0, NaN],
    sign: [-1.0, -1.0, -1.0, -1.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.0],
  },
  float64: {
    rsqrt: [NaN, NaN, NaN, NaN, -Infinity, Infinity, 3162.277660168379, 1.414213562373095, 0.5773502691896258, 0.2, 0.0, NaN],
    log1p: [NaN, NaN, NaN, -1.0000000050000001e-08, -0.0, 0.0, 9.999999500000033e-08, 0.4054651081081644, 1.3862943611198906, 3.258096538021482, Infinity, NaN],
    expm1: [-1.0, -0.9999999999999064, -0.8646647167633873, -9.999999950000001e-09, -0.0, 0.0, 1.0000000500000016e-07, 0.6487212707001282, 19.085536923187668, 72004899336.38588, Infinity, NaN],
    sin: [NaN, 0.9880316240928618, -0.9092974268256817, -1e-08, -0.0, 0.0, 9.999999999999982e-08, 0.479425538604203, 0.1411200080598672, -0.13235175009777303, NaN, NaN],
    cos: [NaN, 0.15425144988758405, -0.4161468365471424, 1.0, 1.0, 1.0, 0.999999999999995, 0.8775825618903728, -0.9899924966004454, 0.9912028118634736, NaN, NaN],
    gelu: [NaN, -0.0, -0.04550026389635842, -4.999999960105772e-09, -0.0, 0.0, 5.00000039894228e-08, 0.34573123063700656, 2.99595030590511, 25.0, Infinity, NaN],
    geluTanh: [NaN, -0.0, -0.04540230591222494, -4.999999960105772e-09, -0.0, 0.0, 5.00000039894228e-08, 0.34571400982514394, 2.996362607918227, 25.0, Infinity, NaN],
    silu: [NaN, -2.8072868906517896e-12, -0.2384058440442351, -4.9999999750000005e-09, -0.0, 0.0, 5.0000002499999994e-08, 0.3112296656009273, 2.8577223804672998, 24.9999999996528, Infinity, NaN],
    leakyRelu: [-Infinity, -6.0, -0.4, -2e-09, -0.0, 0.0, 1e-07, 0.5, 3.0, 25.0, Infinity, NaN],
    softplus: [0.0, 9.357622968839737e-14, 0.1269280110429725, 0.6931471755599453, 0.6931471805599453, 0.6931471805599453, 0.6931472305599465, 0.9740769841801067, 3.048587351573742, 25.0, Infinity, NaN],
    softplus2: [0.0, 4.37825538134826e-27, 0.009074963958904869, 0.3465735852799727, 0.34657359027997264, 0.34657359027997264, 0.34657364027997517, 0.6566308437591114, 3.0, 25.0, Infinity, NaN],
    clamp: [-1.0, -1.0, -1.0, -1e-08, -0.0, 0.0, 1e-07, 0.5, 2.0, 2.0, 2.0, NaN],
    sign: [-1.0, -1.0, -1.0, -1.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.0],
  },
};
const OPS: Record<string, (x: Tensor) => Tensor> = {
  rsqrt: wg.rsqrt, log1p: wg.log1p, expm1: wg.expm1, sin: wg.sin, cos: wg.cos, gelu: (x) => wg.gelu(x),
  geluTanh: (x) => wg.gelu(x, { approximate: "tanh" }), silu: wg.silu, leakyRelu: (x) => wg.leakyRelu(x, 0.2),
  softplus: (x) => wg.softplus(x), softplus2: (x) => wg.softplus(x, { beta: 2, threshold: 5 }),
  clamp: (x) => wg.clamp(x, -1, 2), sign: wg.sign,
};
const ULPS = { float32: 2 ** -23, float64: 2 ** -52 };
const flat = (t: Tensor): number[] => (t.toArray() as unknown[]).flat(8) as number[];

describe("special values match torch", () => {
  for (const dt of ["float32", "float64"] as const) {
    for (const name of Object.keys(OPS)) {
      test(`${name} ${dt}`, () => {
        const y = OPS[name](tensor(X, { dtype: dt }));
        expect(y.dtype).toBe(dt);
        const got = flat(y);
        // absolute 4 ulp as the golden harness: torch's float32 gelu cancels in 1 + erf(x), ours rounds once
        expectClose(got, REF[dt][name], { atol: 4 * ULPS[dt], rtol: 4 * ULPS[dt] }, name);
        // signed zeros too (float64: torch's float32 gelu vectorisation gives +0 for -0 and -30)
        if (dt === "float64") {
          got.forEach((v, i) => { if (REF[dt][name][i] === 0) expect(Object.is(v, REF[dt][name][i]), `${name}[${i}]`).toBe(true); });
        }
      });
    }
  }
});

describe("gradients at the kinks, as torch", () => {
  const KX = [-1, 0, 2, -0, 0.5];
  const gradOf = (f: (x: Tensor) => Tensor, v: number[]): number[] => {
    const x = tensor(v).requiresGrad_(true);
    f(x).sum().backward();
    return flat(x.grad!);
  };
  test("relu: 0 at 0", () => expect(gradOf(wg.relu, KX)).toEqual([0, 0, 1, 0, 1]));
  test("leakyRelu: the slope at 0", () => expectClose(gradOf((x) => wg.leakyRelu(x, 0.2), KX), [0.2, 0.2, 1, 0.2, 1], { atol: 0, rtol: 1e-7 }));
  test("clamp: 1 at both bounds", () => expect(gradOf((x) => wg.clamp(x, -1, 2), KX)).toEqual([1, 1, 1, 1, 1]));
  test("clamp min only: 1 at the bound", () => expect(gradOf((x) => wg.clamp(x, 0), KX)).toEqual([0, 1, 1, 1, 1]));
  test("clamp max only: 1 at the bound", () => expect(gradOf((x) => wg.clamp(x, null, 0.5), KX)).toEqual([1, 1, 0, 1, 1]));
  test("abs: 0 at 0 and -0", () => expect(gradOf(wg.abs, KX)).toEqual([-1, 0, 1, 0, 1]));
  test("softplus: g itself above the threshold only", () =>
    expectClose(gradOf((x) => wg.softplus(x, { beta: 2, threshold: 1 }), [0.5, 0.4999, 0.5001, -3, 0]),
      [0.7310585975646973, 0.7310192584991455, 1, 0.0024726232513785362, 0.5], { atol: 0, rtol: 1e-6 }));
  test("rsqrt at 0 is -inf; log1p at -1 is inf", () => {
    expect(gradOf(wg.rsqrt, [0, 1, 4])).toEqual([-Infinity, -0.5, -0.0625]);
    expect(gradOf(wg.log1p, [-1, 0, 3])).toEqual([Infinity, 1, 0.25]);
  });
  test("sign of NaN is 0 and its gradient is 0", () => {
    const x = tensor([NaN, -0, 3]).requiresGrad_(true);
    const y = wg.sign(x);
    expect(Array.from(y.toFloat32Array())).toEqual([0, 0, 1]);
    y.sum().backward();
    expect(Array.from(x.grad!.toFloat32Array())).toEqual([0, 0, 0]);
  });
});

describe("SIMD bodies and tails", () => {
  const LENGTHS = [0, 1, 3, 4, 5, 7, 17, 33];
  const f32 = Math.fround;
  const SCALAR: [string, (x: Tensor) => Tensor, (v: number) => number][] = [
    ["rsqrt", wg.rsqrt, (v) => f32(1 / f32(Math.sqrt(v)))],
    ["clamp", (x) => wg.clamp(x, -0.5, 0.75), (v) => Math.min(Math.max(v, f32(-0.5)), 0.75)],
    ["clamp min", (x) => wg.clamp(x, -0.5), (v) => Math.max(v, -0.5)],
    ["leakyRelu", (x) => wg.leakyRelu(x, 0.3), (v) => (v > 0 ? v : f32(v * f32(0.3)))],
  ];
  for (const [name, f, ref] of SCALAR) {
    test.each(LENGTHS)(`${name} n=%i`, (n) => {
      const x = name === "rsqrt" ? positive([n]) : normal([n]);
      const v = Array.from(x.toFloat32Array());
      expect(Array.from(f(x).toFloat32Array())).toEqual(v.map(ref));
    });
  }
  test.each(LENGTHS)("NaN in every lane position of clamp and leakyRelu, n=%i", (n) => {
    for (let k = 0; k < n; k++) {
      const v = Array.from({ length: n }, (_, i) => (i === k ? NaN : i - 2));
      expect(Number.isNaN(wg.clamp(tensor(v), -1, 1).toFloat32Array()[k])).toBe(true);
      expect(Number.isNaN(wg.leakyRelu(tensor(v)).toFloat32Array()[k])).toBe(true);
    }
  });
});

describe("gradcheck", () => {
  const SHAPES = [[0], [1], [3], [4], [5], [7], [17], [33], [], [2, 3]];
  const CASES: [string, (x: Tensor) => Tensor, (s: number[]) => Tensor][] = [
    ["rsqrt", wg.rsqrt, positive], ["log1p", wg.log1p, positive], ["expm1", wg.expm1, normal],
    ["sin", wg.sin, normal], ["cos", wg.cos, normal], ["gelu", (x) => wg.gelu(x), normal],
    ["gelu tanh", (x) => wg.gelu(x, { approximate: "tanh" }), normal], ["silu", wg.silu, normal],
    ["leakyRelu", (x) => wg.leakyRelu(x, 0.2), awayFromZero], ["softplus", (x) => wg.softplus(x), normal],
    ["softplus beta", (x) => wg.softplus(x, { beta: 3, threshold: 2 }), awayFromZero],
    ["clamp", (x) => wg.clamp(x, -0.5, 0.5), awayFromZero],
  ];
  for (const [name, f, gen] of CASES) {
    test.each(SHAPES)(`${name} %j`, (...shape) => { expect(gradcheck(f, [gen(shape as number[])])).toBe(true); });
  }
});

describe("second derivatives", () => {
  // d/dx sum(v * d/dx sum(c * f(x))) against torch 1.13 (float64)
  const X = [-1.7, -0.3, 0.2, 1.1, 2.6];
  const C = [0.5, -1.25, 2, 0.75, -0.5];
  const V = [1, -0.5, 0.25, 2, -1.5];
  const gg = (f: (x: Tensor) => Tensor): number[] => {
    const x = tensor(X, { dtype: "float64" }).requiresGrad_(true);
    const [g] = wg.autograd.grad(f(x), [x], { gradOutputs: [tensor(C, { dtype: "float64" })], createGraph: true });
    const [h] = wg.autograd.grad(g!.mul(tensor(V, { dtype: "float64" })).sum(), [x]);
    return flat(h!);
  };
  const REF2: [string, (x: Tensor) => Tensor, number[]][] = [
    ["rsqrt", (x) => wg.rsqrt(x.abs().add(0.5)), [0.052236559591676786, 0.8188725503539273, 0.9147157724497907, 0.3474181999696704, 0.033244384158582094]],
    ["log1p", (x) => wg.log1p(x.abs()), [-0.06858710562414265, -0.36982248520710054, -0.34722222222222227, -0.3401360544217687, -0.057870370370370364]],
    ["expm1", wg.expm1, [0.09134176202636735, 0.46301138792607366, 0.6107013790800849, 4.50624903591965, 10.097803526251269]],
    ["sin", wg.sin, [0.4958324052262343, 0.18470012916333722, -0.09933466539753061, -1.3368110400921531, -0.3866260288660981]],
    ["cos", wg.cos, [0.06442224714776232, -0.5970853057035037, -0.4900332889206208, -0.680394182138366, 0.6426665650267105]],
    ["gelu", (x) => wg.gelu(x), [-0.04185183943271467, 0.45528170470600066, 0.3832218400959468, 0.2581548297835723, -0.04849120016425765]],
    ["gelu tanh", (x) => wg.gelu(x, { approximate: "tanh" }), [-0.04106698965316348, 0.4550927802711949, 0.38314822926273573, 0.2590828154144183, -0.04978963939479358]],
    ["silu", wg.silu, [0.053886749300097465, 0.29874860512176177, 0.24504962466799662, 0.40736865936756855, -0.011607673179207842]],
    ["leakyRelu", (x) => wg.leakyRelu(x, 0.2).mul(x), [0.2, 0.25, 1.0, 3.0, 1.5]],
    ["softplus", (x) => wg.softplus(x), [0.06530287348310403, 0.15278644480671613, 0.12375828635592998, 0.2810548193212808, 0.048268724381830067]],
    ["softplus beta", (x) => wg.softplus(x, { beta: 2, threshold: 3 }), [0.03125246765836165, 0.28598030057082163, 0.24026074574152914, 0.2694009871202063, 0.0]],
    ["clamp", (x) => wg.clamp(x, -1, 1).mul(x), [0.0, 1.25, 1.0, 0.0, 0.0]],
  ];
  for (const [name, f, want] of REF2) test(name, () => expectClose(gg(f), want, { atol: 1e-14, rtol: 1e-12 }, name));

  test("grad_fn names", () => {
    const x = tensor([0.5, -1]).requiresGrad_(true);
    const names = [wg.rsqrt(x), wg.log1p(x), wg.expm1(x), wg.sin(x), wg.cos(x), wg.gelu(x), wg.silu(x), wg.leakyRelu(x),
      wg.softplus(x), wg.clamp(x, 0), wg.clamp(x, null, 0), wg.clamp(x, -1, 1), wg.clamp(x, tensor([0.1]))].map((y) => y.gradFn!.name);
    expect(names).toEqual(["RsqrtBackward0", "Log1PBackward0", "Expm1Backward0", "SinBackward0", "CosBackward0", "GeluBackward0",
      "SiluBackward0", "LeakyReluBackward0", "SoftplusBackward0", "ClampBackward1", "ClampBackward1", "ClampBackward1", "ClampBackward0"]);
    const [g] = wg.autograd.grad(wg.gelu(x).sum(), [x], { createGraph: true });
    expect(g!.gradFn!.name).toBe("GeluBackwardBackward0");
  });
});

describe("clamp with tensor bounds", () => {
  test("values, broadcasting and NaN, as torch", () => {
    const x = tensor([[-2, 0.5, 3], [NaN, 1, -1]]);
    const y = wg.clamp(x, tensor([-1, 0, 0]), tensor([[1], [0.5]]));
    expect(y.shape).toEqual([2, 3]);
    expect(Array.from(y.toFloat32Array())).toEqual([-1, 0.5, 1, NaN, 0.5, 0]);
  });
  test("gradients to self, min and max (ClampBackward0)", () => {
    const x = tensor([-2, 0.5, 3, 0]).requiresGrad_(true);
    const lo = tensor([-1, 0, 0, 0]).requiresGrad_(true), hi = tensor([1]).requiresGrad_(true);
    wg.clamp(x, lo, hi).mul(tensor([1, 2, 3, 4])).sum().backward();
    expect(Array.from(x.grad!.toFloat32Array())).toEqual([0, 2, 0, 4]);
    expect(Array.from(lo.grad!.toFloat32Array())).toEqual([1, 0, 0, 0]);
    expect(Array.from(hi.grad!.toFloat32Array())).toEqual([3]);
  });
  test("min only and max only", () => {
    expect(Array.from(wg.clamp(tensor([1, 5]), tensor([2, 2])).toFloat32Array())).toEqual([2, 5]);
    expect(Array.from(wg.clamp(tensor([1, 5]), null, tensor([2])).toFloat32Array())).toEqual([1, 2]);
  });
});

describe("dtypes", () => {
  test("integer inputs of floating ops give float32", () => {
    for (const f of [wg.rsqrt, wg.log1p, wg.expm1, wg.sin, wg.cos]) expect(f(tensor([1, 4], { dtype: "int32" })).dtype).toBe("float32");
    expect(Array.from(wg.rsqrt(tensor([1, 4], { dtype: "int32" })).toFloat32Array())).toEqual([1, 0.5]);
  });
  test("clamp follows torch.result_type of the tensor and its bounds", () => {
    const i = tensor([1, 2, 5], { dtype: "int32" });
    const a = wg.clamp(i, 2, 3);
    expect(a.dtype).toBe("int32");
    expect(a.toArray()).toEqual([2, 2, 3]);
    expect(wg.clamp(i, 0.5).dtype).toBe("float32");
    expect(wg.clamp(tensor([true, false]), 0, 1).dtype).toBe("int32");
    expect(wg.clamp(tensor([1, 2], { dtype: "float64" }), 0.5).dtype).toBe("float64");
  });
  test("isnan and isfinite", () => {
    const x = tensor([0, NaN, Infinity, -Infinity, 2], { dtype: "float64" });
    expect(wg.isnan(x).toArray()).toEqual([false, true, false, false, false]);
    expect(x.isfinite().toArray()).toEqual([true, false, false, false, true]);
    expect(wg.isnan(tensor([true])).toArray()).toEqual([false]);
    expect(wg.isfinite(tensor([3], { dtype: "int32" })).toArray()).toEqual([true]);
  });
});

describe("clamp_", () => {
  test("writes through a strided view and records ClampBackward1", () => {
    const base = tensor([[-3, 1], [2, -0.25]]).requiresGrad_(true);
    const y = base.mul(1);
    const t = y.t();
    noGrad(() => t.clamp_(-1, 1));
    expect(Array.from(y.toFloat32Array())).toEqual([-1, 1, 1, -0.25]);
    const z = base.mul(2);
    expect(z.clamp_(-1, 1)).toBe(z);
    expect(z.gradFn!.name).toBe("ClampBackward1");
    z.sum().backward();
    // gradient of clamp(2x): 2 where -1 <= 2x <= 1
    expect(Array.from(base.grad!.toFloat32Array())).toEqual([0, 0, 0, 2]);
  });
  test("errors", () => {
    const leaf = tensor([1, 2]).requiresGrad_(true);
    expect(() => leaf.clamp_(0, 1)).toThrow(/^clamp_: a leaf Variable that requires grad/);
    expect(() => tensor([1, 2], { dtype: "int32" }).clamp_(0.5)).toThrow(/^clamp_: result type float32 can't be cast to the desired output type int32/);
    expect(() => tensor([1, 2]).clamp_()).toThrow(/^clamp_: at least one of min or max must be given/);
  });
});

describe("errors", () => {
  test.each([
    ["gelu", () => wg.gelu(tensor([1], { dtype: "int32" })), /^gelu: expected a floating point tensor \(float32 or float64\), got int32/],
    ["silu", () => wg.silu(tensor([true])), /^silu: expected a floating point tensor/],
    ["leakyRelu", () => wg.leakyRelu(tensor([1], { dtype: "int32" })), /^leakyRelu: expected a floating point tensor/],
    ["softplus", () => wg.softplus(tensor([1], { dtype: "int32" })), /^softplus: expected a floating point tensor/],
    ["gelu approximate", () => wg.gelu(tensor([1]), { approximate: "foo" as "tanh" }), /^gelu: approximate must be "none" or "tanh", got "foo"/],
    ["softplus option", () => wg.softplus(tensor([1]), { betta: 2 } as { beta: number }), /^softplus: unknown option "betta"/],
    ["leakyRelu slope", () => wg.leakyRelu(tensor([1]), "0.1" as unknown as number), /^leakyRelu: negativeSlope must be a number/],
    ["clamp no bounds", () => wg.clamp(tensor([1])), /^clamp: at least one of min or max must be given/],
    ["clamp mixed", () => wg.clamp(tensor([1]), tensor([0]), 2), /^clamp: min and max must both be numbers or both be tensors/],
    ["clamp shapes", () => wg.clamp(tensor([1, 2]), tensor([0, 0, 0])), /^clamp: cannot broadcast shapes \[2\] and \[3\]/],
    ["clamp bool", () => wg.clamp(tensor([true]), tensor([false])), /^clamp: not implemented for bool tensors/],
    ["rsqrt non-tensor", () => wg.rsqrt([1, 2] as unknown as Tensor), /^rsqrt: expected a Tensor/],
  ])("%s", (_, f, re) => expect(f).toThrow(re));
  test("tensors are intact after an error", () => {
    const x = tensor([1, 2, 3]);
    expect(() => wg.clamp(x, tensor([0, 0]))).toThrow();
    expect(Array.from(x.toFloat32Array())).toEqual([1, 2, 3]);
  });
});


// Results do not depend on the thread count: the same ops on 1 and 2 threads give the same bits.
// Sizes are above the kernels' split thresholds, with odd edges (partial tiles, SIMD tails).
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { matmul, randn, manualSeed, setNumThreads, getNumThreads, nn, optim, F, tensor, type Tensor } from "wasmgrad";

import { workerTasks } from "../../src/wasm/pool.js";

const bits = (t: Tensor): Uint32Array => new Uint32Array(t.toFloat32Array().slice().buffer);

/** f's outputs on 1 thread and on 2, from the same seed. */
function both(f: () => Tensor[]): [Uint32Array[], Uint32Array[]] {
  const out: Uint32Array[][] = [];
  for (const n of [1, 2]) {
    setNumThreads(n);
    manualSeed(7);
    out.push(f().map(bits));
  }
  return [out[0], out[1]];
}

/** Equal bits everywhere (toEqual on arrays of a million elements takes minutes). */
function expectSame(two: Uint32Array[], one: Uint32Array[]): void {
  expect(two.length).toBe(one.length);
  one.forEach((a, i) => {
    const b = two[i];
    expect(b.length, `output ${i}`).toBe(a.length);
    const at = a.findIndex((v, j) => v !== b[j]);
    expect(at, `output ${i} first differs at element ${at}`).toBe(-1);
  });
}

afterEach(() => setNumThreads(2));

beforeAll(async () => {
  // start the pool, so that the workers take part from the first test on
  setNumThreads(2);
  matmul(randn([256, 256]), randn([256, 256]));
  await new Promise((r) => setTimeout(r, 300));
});

afterAll(() => {
  // the 2-thread runs did split: workers ran some of the tasks
  expect(workerTasks()).toBeGreaterThan(0);
});

describe("bit equality between 1 and 2 threads", () => {
  test("the core is a threads build in Node", () => {
    setNumThreads(2);
    expect(getNumThreads()).toBe(2);
  });

  // m >= n splits rows over B packed once (gemm-parallel.ts), m < n columns over A packed once; the
  // last two cases cross an MC or NC, and a KC, block boundary in the rows and the columns split
  test.each([[256, 256, 256], [301, 77, 259], [67, 513, 130], [1030, 40, 9], [9, 300, 1029], [128, 1100, 128],
    [1100, 300, 1030], [200, 300, 1100]])(
    "GEMM %i x %i @ %i x .. (plain, transposed operands)", (m, k, n) => {
      const [one, two] = both(() => {
        const a = randn([m, k]), b = randn([k, n]), bt = randn([n, k]), at = randn([k, m]);
        return [matmul(a, b), matmul(a, bt.t()), matmul(at.t(), b)];
      });
      expectSame(two, one);
    });

  test("GEMM of expanded operands whose packed copy would pass 4 GiB stays on one thread, right", () => {
    // 8 x (2^27 + 3) @ (2^27 + 3) x 8 of stride-0 views: packing B whole would take 4 GiB + 96 bytes
    const k = 2 ** 27 + 3;
    const [one, two] = both(() => [matmul(tensor([[1]]).expand([8, k]), tensor([[1]]).expand([k, 8]))]);
    expectSame(two, one);
    const v = new Float32Array(one[0].buffer);
    expect(v.every((x) => x > 0.9 * k && x <= k)).toBe(true);
  });

  test("conv2d forward and backward", () => {
    const [one, two] = both(() => {
      const x = randn([8, 3, 34, 33], { requiresGrad: true }), w = randn([16, 3, 5, 5], { requiresGrad: true });
      const b = randn([16], { requiresGrad: true });
      const y = F.conv2d(x, w, b, { padding: 2, stride: 1 });
      y.mul(randn(y.shape as number[])).sum().backward();
      return [y, x.grad!, w.grad!, b.grad!];
    });
    expectSame(two, one);
  });

  test("sum, mean and large elementwise ops", () => {
    const [one, two] = both(() => {
      const x = randn([1 << 20 | 13]), y = randn([1 << 20 | 13]);
      return [x.sum(), x.mean(), x.exp(), x.mul(y), x.add(2), x.tanh(), x.relu()];
    });
    expectSame(two, one);
  });

  test("randn in float32 and float64 (the Box-Muller blocks split across threads, a tail redrawn)", () => {
    const [one, two] = both(() => [randn([100003]), randn([3, 8191]), randn([50001], { dtype: "float64" }).float()]);
    expectSame(two, one);
  });

  test("a large .grad accumulated in place by a second backward (the flat add, split across threads)", () => {
    const n = (1 << 18) + 3;
    const [one, two] = both(() => {
      const x = randn([n]), c = randn([n]);
      x.requiresGrad = true;
      x.mul(c).sum().backward();
      x.mul(c).sum().backward();
      const twice = c.add(c);
      expectSame([bits(x.grad!)], [bits(twice)]); // not toEqual: its diff of 2^18 values takes minutes
      return [x.grad!];
    });
    expectSame(two, one);
  });

  test("a training step", () => {
    const [one, two] = both(() => {
      const model = new nn.Sequential(
        new nn.Conv2d(1, 8, 3, { padding: 1 }), new nn.ReLU(), new nn.Flatten(),
        new nn.Linear(8 * 16 * 16, 128), new nn.Tanh(), new nn.Linear(128, 10));
      const opt = new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
      const x = randn([64, 1, 16, 16]), target = tensor(Int32Array.from({ length: 64 }, (_, i) => i % 10));
      const losses: Tensor[] = [];
      for (let step = 0; step < 2; step++) {
        opt.zeroGrad();
        const loss = F.crossEntropy(model.forward(x), target);
        loss.backward();
        opt.step();
        losses.push(loss);
      }
      return [...losses, ...model.parameters()];
    });
    expectSame(two, one);
  });
});

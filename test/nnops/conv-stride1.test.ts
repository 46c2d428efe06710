// With stride 1 along a row, im2col copies and col2im adds whole runs of the row, with the
// padding's zeros either side (assembly/kernels/im2col.ts); other strides go element by element.
// Both against a direct convolution in float64 JS: output, input gradient and weight gradient,
// with paddings wider than the kernel's reach and dilations that clip runs at both ends.

import { test, expect } from "vitest";
import * as wg from "../../src/index.js";

interface Geo { N: number; C: number; H: number; W: number; O: number; kh: number; kw: number; sh: number; sw: number; ph: number; pw: number; dh: number; dw: number }

function outSize(g: Geo): [number, number] {
  return [Math.floor((g.H + 2 * g.ph - g.dh * (g.kh - 1) - 1) / g.sh) + 1, Math.floor((g.W + 2 * g.pw - g.dw * (g.kw - 1) - 1) / g.sw) + 1];
}

/** y = conv(x, w); gx and gw for the upstream gradient c, all by the definition. */
function direct(g: Geo, x: number[], w: number[], c: number[]) {
  const [OH, OW] = outSize(g);
  const y = new Array(g.N * g.O * OH * OW).fill(0), gx = new Array(x.length).fill(0), gw = new Array(w.length).fill(0);
  for (let n = 0; n < g.N; n++) for (let o = 0; o < g.O; o++) for (let oy = 0; oy < OH; oy++) for (let ox = 0; ox < OW; ox++) {
    const yi = ((n * g.O + o) * OH + oy) * OW + ox;
    for (let ci = 0; ci < g.C; ci++) for (let i = 0; i < g.kh; i++) for (let j = 0; j < g.kw; j++) {
      const yy = oy * g.sh - g.ph + i * g.dh, xx = ox * g.sw - g.pw + j * g.dw;
      if (yy < 0 || yy >= g.H || xx < 0 || xx >= g.W) continue;
      const xi = ((n * g.C + ci) * g.H + yy) * g.W + xx, wi = ((o * g.C + ci) * g.kh + i) * g.kw + j;
      y[yi] += x[xi] * w[wi];
      gx[xi] += c[yi] * w[wi];
      gw[wi] += c[yi] * x[xi];
    }
  }
  return { y, gx, gw, OH, OW };
}

const GEOS: Geo[] = [
  { N: 2, C: 3, H: 6, W: 7, O: 4, kh: 3, kw: 3, sh: 1, sw: 1, ph: 1, pw: 1, dh: 1, dw: 1 },
  { N: 1, C: 2, H: 5, W: 9, O: 3, kh: 2, kw: 3, sh: 1, sw: 1, ph: 2, pw: 3, dh: 1, dw: 2 },
  { N: 1, C: 1, H: 4, W: 3, O: 2, kh: 1, kw: 1, sh: 1, sw: 1, ph: 0, pw: 4, dh: 1, dw: 1 },
  { N: 2, C: 2, H: 7, W: 13, O: 2, kh: 3, kw: 5, sh: 2, sw: 1, ph: 0, pw: 2, dh: 2, dw: 3 },
  { N: 1, C: 3, H: 8, W: 30, O: 5, kh: 3, kw: 3, sh: 1, sw: 1, ph: 1, pw: 1, dh: 1, dw: 1 },
];

const rand = (n: number, seed: number): number[] => {
  let s = seed;
  return Array.from({ length: n }, () => ((s = (s * 16807) % 2147483647) / 2147483647) * 2 - 1);
};

for (const [k, g] of GEOS.entries()) {
  for (const dtype of ["float32", "float64"] as const) {
    test(`${dtype} k${g.kh}x${g.kw} stride ${g.sh},${g.sw} padding ${g.ph},${g.pw} dilation ${g.dh},${g.dw} on [${g.N}, ${g.C}, ${g.H}, ${g.W}]`, () => {
      const xs = rand(g.N * g.C * g.H * g.W, 11 + k), ws = rand(g.O * g.C * g.kh * g.kw, 23 + k);
      const [OH, OW] = outSize(g);
      const cs = rand(g.N * g.O * OH * OW, 37 + k);
      const want = direct(g, xs, ws, cs);
      const x = wg.tensor(xs, { dtype }).reshape(g.N, g.C, g.H, g.W).requiresGrad_();
      const w = wg.tensor(ws, { dtype }).reshape(g.O, g.C, g.kh, g.kw).requiresGrad_();
      const y = wg.conv2d(x, w, null, { stride: [g.sh, g.sw], padding: [g.ph, g.pw], dilation: [g.dh, g.dw] });
      expect(y.shape).toEqual([g.N, g.O, OH, OW]);
      y.mul(wg.tensor(cs, { dtype }).reshape(y.shape)).sum().backward();
      // float32: the weight gradient sums up to N*OH*OW (240) products of values below 1
      const tol = dtype === "float32" ? 5e-6 : 1e-13;
      const close = (got: Float32Array | Float64Array, ref: number[], what: string) =>
        ref.forEach((r, i) => expect(Math.abs(got[i] - r), `${what} ${i}: ${got[i]} vs ${r}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(r))));
      const arr = (t: wg.Tensor) => (dtype === "float32" ? t.toFloat32Array() : new Float64Array((t.toArray() as number[][][][]).flat(3)));
      close(arr(y), want.y, "y");
      close(arr(x.grad!), want.gx, "gx");
      close(arr(w.grad!), want.gw, "gw");
    });
  }
}

// Plain-JS float64 forward passes for the agreement check: the loss of the first training step
// (before any update), computed without any of the libraries under test.

import type { Arr } from "./types.js";

/** A dense NCHW (or [N, F]) float64 activation. */
export interface Act {
  shape: number[];
  data: Float64Array;
}

export const act = (a: Arr): Act => ({ shape: [...a.shape], data: Float64Array.from(a.data) });

/** x [N, F] · W^T [F, O] + b, as torch.nn.functional.linear. */
export function linear(x: Act, w: Arr, b: Arr): Act {
  const [n, f] = [x.shape[0], x.data.length / x.shape[0]];
  const o = w.shape[0];
  const out = new Float64Array(n * o);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < o; j++) {
      let acc = b.data[j];
      for (let p = 0; p < f; p++) acc += x.data[i * f + p] * w.data[j * f + p];
      out[i * o + j] = acc;
    }
  }
  return { shape: [n, o], data: out };
}

export function relu(x: Act): Act {
  return { shape: x.shape, data: x.data.map((v) => (v > 0 ? v : 0)) };
}

/** Stride 1, symmetric zero padding, weight [O, C, K, K]. */
export function conv2d(x: Act, w: Arr, b: Arr, pad: number): Act {
  const [n, c, h, wd] = x.shape;
  const [o, , k] = w.shape;
  const oh = h + 2 * pad - k + 1, ow = wd + 2 * pad - k + 1;
  const out = new Float64Array(n * o * oh * ow);
  for (let s = 0; s < n; s++) {
    for (let q = 0; q < o; q++) {
      for (let y = 0; y < oh; y++) {
        for (let z = 0; z < ow; z++) {
          let acc = b.data[q];
          for (let ch = 0; ch < c; ch++) {
            for (let dy = 0; dy < k; dy++) {
              const iy = y + dy - pad;
              if (iy < 0 || iy >= h) continue;
              for (let dz = 0; dz < k; dz++) {
                const iz = z + dz - pad;
                if (iz < 0 || iz >= wd) continue;
                acc += x.data[((s * c + ch) * h + iy) * wd + iz] * w.data[((q * c + ch) * k + dy) * k + dz];
              }
            }
          }
          out[((s * o + q) * oh + y) * ow + z] = acc;
        }
      }
    }
  }
  return { shape: [n, o, oh, ow], data: out };
}

/** 2x2 max pooling, stride 2. */
export function maxPool2(x: Act): Act {
  const [n, c, h, w] = x.shape;
  const oh = h >> 1, ow = w >> 1;
  const out = new Float64Array(n * c * oh * ow);
  for (let p = 0; p < n * c; p++) {
    for (let y = 0; y < oh; y++) {
      for (let z = 0; z < ow; z++) {
        const at = (dy: number, dz: number): number => x.data[(p * h + 2 * y + dy) * w + 2 * z + dz];
        out[(p * oh + y) * ow + z] = Math.max(at(0, 0), at(0, 1), at(1, 0), at(1, 1));
      }
    }
  }
  return { shape: [n, c, oh, ow], data: out };
}

/** Mean cross-entropy of logits [N, K] against integer labels. */
export function crossEntropy(logits: Act, labels: Arr): number {
  const [n, k] = logits.shape;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const row = logits.data.subarray(i * k, (i + 1) * k);
    const m = Math.max(...row);
    let s = 0;
    for (const v of row) s += Math.exp(v - m);
    total += m + Math.log(s) - row[labels.data[i]];
  }
  return total / n;
}

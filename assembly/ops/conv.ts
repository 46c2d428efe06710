// 2-D convolution as im2col + GEMM, and its two backward products as ops of their own:
//   conv2d(x, w)            y[n, o]  = W_g @ im2col(x[n, g])
//   convBackwardInput(g, w) dx[n, g] = col2im(W_g^T @ g[n, o])
//   convBackwardWeight(x, g) dW_g    = sum_n g[n, o] @ im2col(x[n, g])^T
// All three are bilinear, and each one's derivatives are the other two, so their rules close
// over each other and derivatives of any order work. Parameters (stride, padding, dilation,
// groups) are validated and resolved by the facade; conv1d is conv2d with a height of 1.

import { OpCode, DType, MAX_DIMS } from "../abi";
import { alloc, free } from "../memory";
import { dataPtr, dimOf, dtypeOf, newTensor, release, SIZE_LIMIT } from "../tensor";
import { newNode, attach, shouldRecord3, save, setAttrI, attrI, attrIPtr } from "../autograd/tape";
import { gemmF32, gemmF64, gemmScratchA, gemmScratchB } from "../kernels/matmul";
import { im2col, col2im, G_C, G_H, G_W, G_KH, G_KW, G_SH, G_SW, G_PH, G_PW, G_DH, G_DW, G_OH, G_OW, G_LEN } from "../kernels/im2col";
import { asDtype, dropAs, failed, widerDtype, scratch, setDim, dimAt } from "./common";
import { saved, give, needs } from "../autograd/backward";
import { sumOp } from "./reduce";

// Parameter block: stride h/w, padding h/w, dilation h/w, groups, then two sizes (the input's H and
// W for convBackwardInput, the kernel's kh and kw for convBackwardWeight).
const P_LEN: i32 = 9;
const K_FWD: i32 = 0;
const K_INPUT: i32 = 1;
const K_WEIGHT: i32 = 2;

// @ts-ignore: decorator
@lazy const geom: usize = memory.data(G_LEN * 4, 16);
// @ts-ignore: decorator
@lazy const outShape: usize = memory.data(MAX_DIMS * 4, 16);
// @ts-ignore: decorator
@lazy const ins: usize = memory.data(16, 16);
// @ts-ignore: decorator
@lazy const pbuf: usize = memory.data(P_LEN * 4, 16);

function gemm(dt: i32, c: usize, a: usize, b: usize, m: i32, k: i32, n: i32, rsA: i32, csA: i32, rsB: i32, csB: i32,
              acc: bool, sa: usize, sb: usize): void {
  if (dt == DType.Float32) gemmF32(c, a, b, m, k, n, rsA, csA, rsB, csB, acc, sa, sb);
  else gemmF64(c, a, b, m, k, n, rsA, csA, rsB, csB, acc);
}

/**
 * One of the three products (kind K_*) of tensors a and b with parameters at p; a new tensor or
 * 0 when out of memory. Shapes: K_FWD a = x [N,C,H,W], b = w [O,C/g,kh,kw]; K_INPUT a = grad
 * [N,O,OH,OW], b = w; K_WEIGHT a = x, b = grad.
 */
function product(kind: i32, a: i32, b: i32, p: usize): i32 {
  const dt = widerDtype(dtypeOf(a), dtypeOf(b));
  const groups = dimAt(p, 6);
  let N: i32, C: i32, H: i32, W: i32, O: i32, kh: i32, kw: i32;
  if (kind == K_FWD) { N = dimOf(a, 0); C = dimOf(a, 1); H = dimOf(a, 2); W = dimOf(a, 3); O = dimOf(b, 0); kh = dimOf(b, 2); kw = dimOf(b, 3); }
  else if (kind == K_INPUT) { N = dimOf(a, 0); O = dimOf(a, 1); C = dimOf(b, 1) * groups; H = dimAt(p, 7); W = dimAt(p, 8); kh = dimOf(b, 2); kw = dimOf(b, 3); }
  else { N = dimOf(a, 0); C = dimOf(a, 1); H = dimOf(a, 2); W = dimOf(a, 3); O = dimOf(b, 1); kh = dimAt(p, 7); kw = dimAt(p, 8); }
  const Cg = C / groups, Og = O / groups;
  const OH = (H + 2 * dimAt(p, 2) - dimAt(p, 4) * (kh - 1) - 1) / dimAt(p, 0) + 1;
  const OW = (W + 2 * dimAt(p, 3) - dimAt(p, 5) * (kw - 1) - 1) / dimAt(p, 1) + 1;
  const L = OH * OW, K = Cg * kh * kw;
  if (kind == K_FWD) { setDim(outShape, 0, N); setDim(outShape, 1, O); setDim(outShape, 2, OH); setDim(outShape, 3, OW); }
  else if (kind == K_INPUT) { setDim(outShape, 0, N); setDim(outShape, 1, C); setDim(outShape, 2, H); setDim(outShape, 3, W); }
  else { setDim(outShape, 0, O); setDim(outShape, 1, Cg); setDim(outShape, 2, kh); setDim(outShape, 3, kw); }
  const out = newTensor(4, outShape, dt);
  if (!out) return 0;
  const es: usize = dt == DType.Float64 ? 3 : 2;
  const pa = asDtype(a, dt), pb = asDtype(b, dt);
  const colBytes = sat((<u64>K * <u64>L) << <u64>es);
  const col = alloc(colBytes);
  // packing space for the f32 GEMM's blocks of its operands: [gm, gk] @ [gk, gn]
  const gm = kind == K_INPUT ? K : Og, gk = kind == K_FWD ? K : kind == K_INPUT ? Og : L, gn = kind == K_WEIGHT ? K : L;
  const saBytes = gemmScratchA(gm, gk), packBytes = saBytes + gemmScratchB(gk, gn);
  const pack: usize = dt != DType.Float32 ? 0 : alloc(packBytes);
  if (!pa || !pb || !col || (dt == DType.Float32 && !pack)) {
    dropAs(a, dt, pa); dropAs(b, dt, pb);
    if (col) free(col, colBytes);
    if (pack) free(pack, packBytes);
    return failed(out);
  }
  store<i32>(geom + (<usize>G_C << 2), Cg); store<i32>(geom + (<usize>G_H << 2), H); store<i32>(geom + (<usize>G_W << 2), W);
  store<i32>(geom + (<usize>G_KH << 2), kh); store<i32>(geom + (<usize>G_KW << 2), kw);
  store<i32>(geom + (<usize>G_SH << 2), dimAt(p, 0)); store<i32>(geom + (<usize>G_SW << 2), dimAt(p, 1));
  store<i32>(geom + (<usize>G_PH << 2), dimAt(p, 2)); store<i32>(geom + (<usize>G_PW << 2), dimAt(p, 3));
  store<i32>(geom + (<usize>G_DH << 2), dimAt(p, 4)); store<i32>(geom + (<usize>G_DW << 2), dimAt(p, 5));
  store<i32>(geom + (<usize>G_OH << 2), OH); store<i32>(geom + (<usize>G_OW << 2), OW);
  const po = dataPtr(out);
  if (kind == K_INPUT) memory.fill(po, 0, <usize>N * C * H * W << es);
  for (let n = 0; n < N; n++) {
    for (let g = 0; g < groups; g++) {
      const img = (<usize>(n * C + g * Cg) * <usize>(H * W)) << es;   // x[n, g*Cg]
      const wg = (<usize>(g * Og) * <usize>K) << es;                  // w[g*Og]
      const yo = (<usize>(n * O + g * Og) * <usize>L) << es;          // y[n, g*Og]
      if (kind == K_FWD) {
        if (dt == DType.Float32) im2col<f32>(col, pa + img, geom); else im2col<f64>(col, pa + img, geom);
        gemm(dt, po + yo, pb + wg, col, Og, K, L, K, 1, L, 1, false, pack, pack + saBytes);
      } else if (kind == K_INPUT) {
        // dcol [K, L] = W_g^T [K, Og] @ grad[n, g] [Og, L]
        gemm(dt, col, pb + wg, pa + yo, K, Og, L, 1, K, L, 1, false, pack, pack + saBytes);
        if (dt == DType.Float32) col2im<f32>(po + img, col, geom); else col2im<f64>(po + img, col, geom);
      } else {
        // dW_g [Og, K] += grad[n, g] [Og, L] @ im2col(x[n, g])^T [L, K]
        if (dt == DType.Float32) im2col<f32>(col, pa + img, geom); else im2col<f64>(col, pa + img, geom);
        gemm(dt, po + wg, pb + yo, col, Og, L, K, L, 1, 1, L, n > 0, pack, pack + saBytes);
      }
    }
  }
  if (kind == K_WEIGHT && N == 0) memory.fill(po, 0, <usize>O * K << es);
  dropAs(a, dt, pa); dropAs(b, dt, pb);
  free(col, colBytes);
  if (pack) free(pack, packBytes);
  return out;
}

/** A byte count saturated at SIZE_LIMIT (so an impossible size fails to allocate instead of wrapping). */
function sat(b: u64): usize { return b > <u64>SIZE_LIMIT ? SIZE_LIMIT : <usize>b; }

/** Records node kind op on inputs a, b (and c), saving a and b, with the parameter block. */
function recordProduct(op: i32, out: i32, a: i32, b: i32, c: i32, p: usize): i32 {
  store<i32>(ins, a); store<i32>(ins, b, 4); store<i32>(ins, c, 8);
  const node = newNode(op, c ? 3 : 2, ins, 2, 0, P_LEN);
  if (!node) return failed(out);
  for (let i = 0; i < P_LEN; i++) setAttrI(node, i, dimAt(p, i));
  attach(node, out);
  if (!save(node, 0, a, false) || !save(node, 1, b, false)) return failed(out);
  return out;
}

/** conv2d(x, w, bias) with the parameter block at p (bias 0: none). */
export function conv2dAt(x: i32, w: i32, bias: i32, p: usize): i32 {
  if (!x || !w) return 0;
  const out = product(K_FWD, x, w, p);
  if (!out) return 0;
  if (bias) {
    const dt = dtypeOf(out), O = dimOf(out, 1), L = dimOf(out, 2) * dimOf(out, 3), N = dimOf(out, 0);
    const pbias = asDtype(bias, dt);
    if (!pbias) return failed(out);
    const po = dataPtr(out);
    for (let n = 0; n < N; n++) for (let o = 0; o < O; o++) {
      const row = (<usize>(n * O + o) * <usize>L);
      if (dt == DType.Float32) { const v = load<f32>(pbias + (<usize>o << 2)); for (let i = 0; i < L; i++) { const q = po + ((row + i) << 2); store<f32>(q, load<f32>(q) + v); } }
      else { const v = load<f64>(pbias + (<usize>o << 3)); for (let i = 0; i < L; i++) { const q = po + ((row + i) << 3); store<f64>(q, load<f64>(q) + v); } }
    }
    dropAs(bias, dt, pbias);
  }
  if (!shouldRecord3(x, w, bias)) return out;
  return recordProduct(OpCode.Conv2d, out, x, w, bias, p);
}
/** ABI form: the parameter block (stride, padding, dilation, groups) is in scratch[0..7). */
export function conv2dOp(x: i32, w: i32, bias: i32): i32 {
  memory.copy(pbuf, scratch, <usize>P_LEN << 2);
  return conv2dAt(x, w, bias, pbuf);
}

/** The gradient of conv2d's input for output gradient g (input H, W in p[7], p[8]). */
export function convBackwardInput(g: i32, w: i32, p: usize): i32 {
  if (!g || !w) return 0;
  const out = product(K_INPUT, g, w, p);
  if (!out || !shouldRecord3(g, w, 0)) return out;
  return recordProduct(OpCode.ConvBackwardInput, out, g, w, 0, p);
}

/** The gradient of conv2d's weight for input x and output gradient g (kernel kh, kw in p[7], p[8]). */
export function convBackwardWeight(x: i32, g: i32, p: usize): i32 {
  if (!x || !g) return 0;
  const out = product(K_WEIGHT, x, g, p);
  if (!out || !shouldRecord3(x, g, 0)) return out;
  return recordProduct(OpCode.ConvBackwardWeight, out, x, g, 0, p);
}

// @ts-ignore: decorator
@lazy const rp: usize = memory.data(P_LEN * 4, 16);

/** Copies the node's parameters to rp with sizes s0, s1 in the last two slots. */
function paramsOf(node: usize, s0: i32, s1: i32): usize {
  memory.copy(rp, attrIPtr(node), <usize>P_LEN << 2);
  setDim(rp, 7, s0); setDim(rp, 8, s1);
  return rp;
}

/** Backward rules of this family; false if `op` is not one of its node kinds. */
export function convRule(node: usize, op: i32, g: i32): bool {
  const a = saved(node, 0), b = saved(node, 1);
  switch (op) {
    case OpCode.Conv2d: // x: convBackwardInput(g, w); w: convBackwardWeight(x, g); bias: sum over n, h, w
      if (needs(node, 0)) give(node, 0, convBackwardInput(g, b, paramsOf(node, dimOf(a, 2), dimOf(a, 3))));
      if (needs(node, 1)) give(node, 1, convBackwardWeight(a, g, paramsOf(node, dimOf(b, 2), dimOf(b, 3))));
      if (needs(node, 2)) give(node, 2, sumOp(g, 0b1101, false, false, true, dtypeOf(g)));
      return true;
    case OpCode.ConvBackwardInput: // dx = Bi(grad, w): grad <- conv2d(c, w); w <- convBackwardWeight(c, grad)
      if (needs(node, 0)) give(node, 0, conv2dAt(g, b, 0, paramsOf(node, 0, 0)));
      if (needs(node, 1)) give(node, 1, convBackwardWeight(g, a, paramsOf(node, dimOf(b, 2), dimOf(b, 3))));
      return true;
    case OpCode.ConvBackwardWeight: // dW = Bw(x, grad): x <- convBackwardInput(grad, c); grad <- conv2d(x, c)
      if (needs(node, 0)) give(node, 0, convBackwardInput(b, g, paramsOf(node, dimOf(a, 2), dimOf(a, 3))));
      if (needs(node, 1)) give(node, 1, conv2dAt(a, g, 0, paramsOf(node, 0, 0)));
      return true;
    default: return false;
  }
}


// torch.nn.functional.linear with a bias, x[M, K] @ w[N, K]^T + b[N], as one GEMM whose bias is
// added in the kernel's store (kernels/matmul.ts gemmF32Bias): the same values as the product
// followed by a broadcast add, without the second pass over the output. w^T is read through its
// strides. Backward: grad_x = g @ w, grad_w = g^T @ x (g read transposed in place), grad_b = the
// column sums of g; all three are ops, so the rule records under createGraph.

import { OpCode, DType, MAX_DIMS } from "../abi";
import { alloc, free } from "../memory";
import { dataPtr, dimOf, dtypeOf, newTensor, strideOf, release } from "../tensor";
import { newNode, attach, save, shouldRecord3 } from "../autograd/tape";
import { saved, give, needs } from "../autograd/backward";
import { gemmF32Bias, gemmF64, gemmScratchA, gemmScratchB } from "../kernels/matmul";
import { asDtype, dropAs, failed, setDim } from "./common";
import { matmulOp } from "./linalg";
import { transposeOp } from "./shape";
import { sumOp } from "./reduce";

// @ts-ignore: decorator
@lazy const shape2: usize = memory.data(MAX_DIMS * 4, 16);
// @ts-ignore: decorator
@lazy const ins: usize = memory.data(16, 16);

/**
 * x[M, K] @ w[N, K]^T + bias[N] for float32 or float64 operands of one dtype (checked by the
 * facade, as are the shapes). Records a Linear node (AddmmBackward0) saving x and w.
 */
export function linearOp(x: i32, w: i32, bias: i32): i32 {
  if (!x || !w || !bias) return 0;
  const dt = dtypeOf(x);
  const M = dimOf(x, 0), K = dimOf(x, 1), N = dimOf(w, 0);
  setDim(shape2, 0, M); setDim(shape2, 1, N);
  const out = newTensor(2, shape2, dt);
  if (!out) return 0;
  const pb = asDtype(bias, dt);
  if (!pb) return failed(out);
  const po = dataPtr(out), px = dataPtr(x), pw = dataPtr(w);
  const rsA = strideOf(x, 0), csA = strideOf(x, 1), rsB = strideOf(w, 1), csB = strideOf(w, 0);
  if (dt == DType.Float32) {
    const saBytes = gemmScratchA(M, K), sbBytes = gemmScratchB(K, N);
    const sa = alloc(saBytes), sb = sa ? alloc(sbBytes) : 0;
    if (!sb) { if (sa) free(sa, saBytes); dropAs(bias, dt, pb); return failed(out); }
    gemmF32Bias(po, px, pw, M, K, N, rsA, csA, rsB, csB, false, sa, sb, pb);
    free(sa, saBytes); free(sb, sbBytes);
  } else {
    gemmF64(po, px, pw, M, K, N, rsA, csA, rsB, csB, false);
    for (let i = 0; i < M; i++) {
      const row = po + (<usize>i * <usize>N << 3);
      for (let j = 0; j < N; j++) {
        const q = row + (<usize>j << 3);
        store<f64>(q, load<f64>(q) + load<f64>(pb + (<usize>j << 3)));
      }
    }
  }
  dropAs(bias, dt, pb);
  if (!shouldRecord3(x, w, bias)) return out;
  store<i32>(ins, x); store<i32>(ins, w, 4); store<i32>(ins, bias, 8);
  const node = newNode(OpCode.Linear, 3, ins, 2, 0, 0);
  if (!node) return failed(out);
  attach(node, out);
  if (!save(node, 0, x, false) || !save(node, 1, w, false)) return failed(out);
  return out;
}

/** The rule of Linear; false for other node kinds. */
export function linearRule(node: usize, op: i32, g: i32): bool {
  if (op != OpCode.Linear) return false;
  const x = saved(node, 0), w = saved(node, 1);
  if (needs(node, 0)) give(node, 0, matmulOp(g, w, false));
  if (needs(node, 1)) {
    const gt = transposeOp(g, 0, 1, false);
    give(node, 1, gt ? matmulOp(gt, x, false) : 0);
    if (gt) release(gt);
  }
  if (needs(node, 2)) give(node, 2, sumOp(g, 1, false, false, true, dtypeOf(g)));
  return true;
}

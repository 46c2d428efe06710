// The float32 GEMM split across the thread pool (parallel.ts), in two regions. First the operand
// that every panel of C reads (B when C is split by rows, m >= n; A when by columns) is packed
// whole, once, its blocks shared out as tasks; then C's panels are shared out, each packing only
// its own part of the other operand. (Before, every panel packed the shared operand again: four
// times for one product on two threads.) Every output is summed in the blocks and order of the
// one-thread product (gemm-blocked.ts), so the values do not depend on the thread count.

import { packA, packB } from "./gemm-pack";
import { alloc, free } from "../memory";
import { JOB_GEMM, JOB_GEMM_PACK, threadCount, runParallel, jobArg, setJobArg } from "./parallel";
import { MR, KC, MC, NC, EDGE_BYTES, gemmScratchA, gemmScratchB, blocked, packedAFloats, packedBFloats, packedAAt, packedBAt } from "./gemm-blocked";

// Products of at least this many multiply-adds are split across threads. Measured with
// bench/threads.bench.ts, 2 threads against 1, three runs with the pool spinning between regions:
// 0.78-1.67x at 96^3 (a loss once), 1.08-1.49x at 112^3, 1.32-1.64x at 128^3.
export const PAR_MIN_MACS: f64 = 104 * 104 * 104;
// Panels of C per thread: with the shared operand packed once, a finer split costs only task
// hand-offs, and a thread that starts late (the machine is shared) holds the others back less.
const TASKS_PER_THREAD: i32 = 4;
// Rows of A or columns of B per packing task: whole panels, dividing MC and NC, so that a task
// stays inside one block.
const PACK_ROWS: i32 = 32;
const PACK_COLS: i32 = 64;
// The shared operand is packed whole only up to this size (a 16384 x 16384 float32 matrix).
const MAX_SHARED_BYTES: f64 = 1073741824; // 1 GiB

/**
 * Splits c[m, n] (+)= A @ B (+ bias) into panels of whole tiles, rows of C when m >= n and
 * columns otherwise (gemmF32Bias's operands). False (nothing done) when the scratch cannot be had.
 */
export function gemmParallel(c: usize, a: usize, b: usize, m: i32, k: i32, n: i32, rsA: i32, csA: i32, rsB: i32, csB: i32,
                             acc: bool, bias: usize): bool {
  const t = threadCount(), rows = m >= n;
  const len = rows ? m : n, unit = rows ? MR : 8, parts = TASKS_PER_THREAD * t;
  const chunk = ((len + parts - 1) / parts + unit - 1) / unit * unit;
  const tasks = (len + chunk - 1) / chunk;
  if (tasks < 2) return false;
  // an operand that big is an expanded view: the product stays on one thread rather than copy it
  const sharedBytes = (rows ? packedBFloats(k, n) : packedAFloats(m, k)) * 4;
  if (sharedBytes > MAX_SHARED_BYTES) return false;
  const shared = (<usize>sharedBytes + 15) & ~15;
  const own = rows ? gemmScratchA(chunk, k) : gemmScratchB(k, chunk);
  const per = (own + <usize>EDGE_BYTES + 15) & ~15;
  const bytes = shared + per * <usize>t;
  const scratch = alloc(bytes);
  if (!scratch) return false;
  // JOB_GEMM_PACK's arguments: source, k, m or n, its strides, destination, A?
  setJobArg(0, <i32>(rows ? b : a)); setJobArg(1, k); setJobArg(2, rows ? n : m);
  setJobArg(3, rows ? rsB : rsA); setJobArg(4, rows ? csB : csA); setJobArg(5, <i32>scratch); setJobArg(6, <i32>!rows);
  const groups = rows ? (n + PACK_COLS - 1) / PACK_COLS : (m + PACK_ROWS - 1) / PACK_ROWS;
  runParallel(JOB_GEMM_PACK, (k + KC - 1) / KC * groups);
  // JOB_GEMM's arguments: c, a, b, m, k, n, rsA, csA, rsB, csB, acc, per-slot scratch, its bytes
  // per slot, rows?, panel width, slots, bias, the shared packed operand, the own scratch's bytes
  setJobArg(0, <i32>c); setJobArg(1, <i32>a); setJobArg(2, <i32>b);
  setJobArg(3, m); setJobArg(4, k); setJobArg(5, n);
  setJobArg(6, rsA); setJobArg(7, csA); setJobArg(8, rsB); setJobArg(9, csB);
  setJobArg(10, <i32>acc); setJobArg(11, <i32>(scratch + shared)); setJobArg(12, <i32>per); setJobArg(13, <i32>rows);
  setJobArg(14, chunk); setJobArg(15, t); setJobArg(16, <i32>bias); setJobArg(17, <i32>scratch); setJobArg(18, <i32>own);
  runParallel(JOB_GEMM, tasks);
  free(scratch, bytes);
  return true;
}

/** Task t of a JOB_GEMM_PACK: PACK_ROWS rows of A or PACK_COLS columns of B in one KC-deep block. */
export function gemmPackTask(t: i32): void {
  const src = <usize>jobArg(0), k = jobArg(1), len = jobArg(2), rs = jobArg(3), cs = jobArg(4);
  const dst = <usize>jobArg(5), isA = jobArg(6) != 0;
  const step = isA ? PACK_ROWS : PACK_COLS, groups = (len + step - 1) / step;
  const pc = t / groups * KC, at = t % groups * step;
  const kc = min(KC, k - pc), width = min(step, len - at);
  if (isA) {
    const ic = at / MC * MC;
    const to = packedAAt(len, k, ic, pc) + <usize>(at - ic) * <usize>kc;
    packA(dst + (to << 2), src + (<usize>at * <usize>rs + <usize>pc * <usize>cs << 2), width, kc, rs, cs, MR);
  } else {
    const jc = at / NC * NC;
    const to = packedBAt(k, len, jc, pc) + <usize>(at - jc) * <usize>kc;
    packB(dst + (to << 2), src + (<usize>pc * <usize>rs + <usize>at * <usize>cs << 2), kc, width, rs, cs);
  }
}

/** Task t of a JOB_GEMM: one panel of rows or columns of C, on pool slot `slot`'s scratch. */
export function gemmTask(t: i32, slot: i32): void {
  const c = <usize>jobArg(0), a = <usize>jobArg(1), b = <usize>jobArg(2);
  const m = jobArg(3), k = jobArg(4), n = jobArg(5);
  const rsA = jobArg(6), csA = jobArg(7), rsB = jobArg(8), csB = jobArg(9);
  const acc = jobArg(10) != 0, rows = jobArg(13) != 0, chunk = jobArg(14), bias = <usize>jobArg(16);
  const own = <usize>jobArg(11) + <usize>(slot % jobArg(15)) * <usize>jobArg(12), edge = own + <usize>jobArg(18);
  const shared = <usize>jobArg(17), start = t * chunk;
  if (rows) {
    blocked(c + (<usize>start * <usize>n << 2), n, a + (<usize>start * <usize>rsA << 2), 0, min(chunk, m - start), k, n,
      rsA, csA, 0, 0, acc, own, 0, edge, bias, 0, shared);
  } else {
    blocked(c + (<usize>start << 2), n, 0, b + (<usize>start * <usize>csB << 2), m, k, min(chunk, n - start),
      0, 0, rsB, csB, acc, 0, own, edge, bias ? bias + (<usize>start << 2) : 0, shared, 0);
  }
}

// The float32 GEMM split across the thread pool (parallel.ts). Rows of C (m >= n): B is packed
// whole once, its panels shared out as tasks, then the rows are shared out in panels that each
// pack only their rows of A; before, every row panel packed all of B again (4 packings of B for
// one product on 2 threads). Columns (m < n): each panel packs its columns of B and all of A.
// Either way every output is summed in the blocks and order of the one-thread product, so the
// values do not depend on the thread count.

import { packB } from "./gemm-pack";
import { alloc, free } from "../memory";
import { JOB_GEMM, JOB_GEMM_PACK, threadCount, runParallel, jobArg, setJobArg } from "./parallel";
import { MR, KC, NC, EDGE_BYTES, gemmScratchA, gemmScratchB, blocked, packedBFloats, packedBlockAt } from "./gemm-blocked";

// Products of at least this many multiply-adds are split across threads: below, a hand-off
// (tens of microseconds) costs about what the second thread saves. Measured with
// bench/threads.bench.ts, 2 threads against 1: 0.79x at 96^3 (a loss), 1.02x at 112^3, 1.18x at 128^3.
export const PAR_MIN_MACS: f64 = 120 * 120 * 120;


// Columns of B per packing task: whole panels, and NC a multiple of it, so a task never straddles
// two column blocks.
const PACK_COLS: i32 = 64;
// Row panels per thread in the rows split: with B packed once, a finer split costs only the
// task hand-offs, and a thread that starts late (the machine is shared) holds the others back less.
const ROW_TASKS_PER_THREAD: i32 = 4;

// JOB_GEMM_PACK's arguments: b, k, n, rsB, csB, packed B.
/** Task t of a JOB_GEMM_PACK: PACK_COLS columns of one KC-deep block of B, into B packed whole. */
export function gemmPackTask(t: i32): void {
  const b = <usize>jobArg(0), k = jobArg(1), n = jobArg(2), rsB = jobArg(3), csB = jobArg(4), pb = <usize>jobArg(5);
  const groups = (n + PACK_COLS - 1) / PACK_COLS;
  const pc = t / groups * KC, col = t % groups * PACK_COLS;
  const kc = min(KC, k - pc), cols = min(PACK_COLS, n - col), jc = col / NC * NC;
  const at = packedBlockAt(k, n, jc, pc) + <usize>(col - jc) * <usize>kc;
  packB(pb + (at << 2), b + (<usize>pc * <usize>rsB + <usize>col * <usize>csB << 2), kc, cols, rsB, csB);
}

// The row tasks' arguments (JOB_GEMM with rows? = 2): as gemmParallel's, with the packed B at 19.
/** The rows split with B packed once; false (nothing done) when its scratch cannot be had. */
function rowsPacked(c: usize, a: usize, b: usize, m: i32, k: i32, n: i32, rsA: i32, csA: i32, rsB: i32, csB: i32,
                    acc: bool, bias: usize, t: i32): bool {
  const parts = ROW_TASKS_PER_THREAD * t;
  const chunk = ((m + parts - 1) / parts + MR - 1) / MR * MR;
  const tasks = (m + chunk - 1) / chunk;
  if (tasks < 2) return false;
  const sa = gemmScratchA(chunk, k);
  const per = (sa + <usize>EDGE_BYTES + 15) & ~15;
  const bBytes = ((packedBFloats(k, n) << 2) + 15) & ~15;
  const bytes = bBytes + per * <usize>t;
  const scratch = alloc(bytes);
  if (!scratch) return false;
  setJobArg(0, <i32>b); setJobArg(1, k); setJobArg(2, n); setJobArg(3, rsB); setJobArg(4, csB); setJobArg(5, <i32>scratch);
  runParallel(JOB_GEMM_PACK, (k + KC - 1) / KC * ((n + PACK_COLS - 1) / PACK_COLS));
  setJobArg(0, <i32>c); setJobArg(1, <i32>a); setJobArg(2, <i32>b);
  setJobArg(3, m); setJobArg(4, k); setJobArg(5, n);
  setJobArg(6, rsA); setJobArg(7, csA); setJobArg(8, rsB); setJobArg(9, csB);
  setJobArg(10, <i32>acc); setJobArg(11, <i32>(scratch + bBytes)); setJobArg(12, <i32>per); setJobArg(13, 2);
  setJobArg(14, chunk); setJobArg(15, <i32>sa); setJobArg(16, 0); setJobArg(17, t); setJobArg(18, <i32>bias);
  setJobArg(19, <i32>scratch);
  runParallel(JOB_GEMM, tasks);
  free(scratch, bytes);
  return true;
}

// The job's arguments: c, a, b, m, k, n, rsA, csA, rsB, csB, acc, scratch, bytes per slot, rows?,
// panel width, scratchA bytes, scratchB bytes, slots, bias.
/**
 * Splits the product into panels of whole tiles, rows of C when m >= n and columns otherwise; each
 * output is summed exactly as in the single-threaded product, whatever panel it falls in. False
 * (nothing done) when the per-thread scratch cannot be had.
 */
export function gemmParallel(c: usize, a: usize, b: usize, m: i32, k: i32, n: i32, rsA: i32, csA: i32, rsB: i32, csB: i32,
                      acc: bool, bias: usize): bool {
  const t = threadCount(), rows = m >= n;
  if (rows && rowsPacked(c, a, b, m, k, n, rsA, csA, rsB, csB, acc, bias, t)) return true;
  const len = rows ? m : n, unit = rows ? MR : 8;
  // two panels per thread, so a thread that lags (the machine is shared) holds back less
  const chunk = ((len + 2 * t - 1) / (2 * t) + unit - 1) / unit * unit;
  const tasks = (len + chunk - 1) / chunk;
  if (tasks < 2) return false;
  const sa = gemmScratchA(rows ? chunk : m, k), sb = gemmScratchB(k, rows ? n : chunk);
  const per = (sa + sb + <usize>EDGE_BYTES + 15) & ~15;
  const bytes = per * <usize>t;
  const scratch = alloc(bytes);
  if (!scratch) return false;
  setJobArg(0, <i32>c); setJobArg(1, <i32>a); setJobArg(2, <i32>b);
  setJobArg(3, m); setJobArg(4, k); setJobArg(5, n);
  setJobArg(6, rsA); setJobArg(7, csA); setJobArg(8, rsB); setJobArg(9, csB);
  setJobArg(10, <i32>acc); setJobArg(11, <i32>scratch); setJobArg(12, <i32>per); setJobArg(13, <i32>rows);
  setJobArg(14, chunk); setJobArg(15, <i32>sa); setJobArg(16, <i32>sb); setJobArg(17, t); setJobArg(18, <i32>bias);
  runParallel(JOB_GEMM, tasks);
  free(scratch, bytes);
  return true;
}

/** Task t of a JOB_GEMM: one panel of rows or columns of C, on pool slot `slot`'s scratch. */
export function gemmTask(t: i32, slot: i32): void {
  const c = <usize>jobArg(0), a = <usize>jobArg(1), b = <usize>jobArg(2);
  const m = jobArg(3), k = jobArg(4), n = jobArg(5);
  const rsA = jobArg(6), csA = jobArg(7), rsB = jobArg(8), csB = jobArg(9);
  const acc = jobArg(10) != 0, split = jobArg(13), rows = split != 0, chunk = jobArg(14), bias = <usize>jobArg(18);
  const s = <usize>jobArg(11) + <usize>(slot % jobArg(17)) * <usize>jobArg(12);
  const pa = s, pb = s + <usize>jobArg(15), pe = pb + <usize>jobArg(16);
  const start = t * chunk;
  if (split == 2) {
    blocked(c + (<usize>start * <usize>n << 2), n, a + (<usize>start * <usize>rsA << 2), 0, min(chunk, m - start), k, n,
      rsA, csA, 0, 0, acc, pa, 0, s + <usize>jobArg(15), bias, <usize>jobArg(19));
    return;
  }
  if (rows) {
    const mt = min(chunk, m - start);
    blocked(c + (<usize>start * <usize>n << 2), n, a + (<usize>start * <usize>rsA << 2), b, mt, k, n,
      rsA, csA, rsB, csB, acc, pa, pb, pe, bias);
  } else {
    const nt = min(chunk, n - start);
    blocked(c + (<usize>start << 2), n, a, b + (<usize>start * <usize>csB << 2), m, k, nt,
      rsA, csA, rsB, csB, acc, pa, pb, pe, bias ? bias + (<usize>start << 2) : 0);
  }
}


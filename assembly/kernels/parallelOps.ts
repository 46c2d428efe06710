// Large elementwise kernels and the float32 sum, split across threads (parallel.ts). Elementwise
// tasks are fixed runs of the arrays, so every element is computed as in one pass. The sum keeps
// sumF32's order exactly: its 1024-value blocks are summed by whichever thread claims them, each
// into its own slot, and the calling thread adds the block sums in order, as sumF32 does.

import { DType } from "../abi";
import { alloc, free } from "../memory";
import { JOB_SUM, JOB_BINARY, JOB_UNARY, JOB_GRAD, JOB_FAULT, threadCount, runParallel, jobArg, setJobArg } from "./parallel";
import { sumF32, sumBlock, SUM_BLOCK } from "./reduce";
import { binaryKernel, MODE_VS, MODE_SV, B_AXPY, B_POW, B_ATAN2, B_FMOD } from "./binary";
import { unaryKernel, gradKernel, U_EXP, U_LOG, U_SIGMOID, U_TANH, U_MORE, G_MORE } from "./unary";
import { U_LEAKY, U_CLAMP, U_ISNAN, U_ISFINITE, G_LEAKY } from "./unaryMore";

// Arrays of at least this many elements are split. With the pool spinning between regions
// (src/wasm/pool.ts) a hand-off costs a few microseconds instead of a futex wake-up's tens, so a
// memory-bound pass (add, relu: well under a nanosecond an element) pays for it from 2^17
// elements, a sum (whose block sums the caller adds alone) from 2^18, a transcendental (exp,
// tanh: ~1.3 ns an element) from 2^16. Measured with bench/threads.bench.ts, 2 threads against 1,
// three runs: add 1.43/1.38/1.43x at 2^17; sum 0.95/1.13/1.07x at 2^17, 1.47/1.12/1.44x at
// 2^18; exp 1.83/1.67/1.89x at 2^16. (Before the pool spun, add at 2^18 was 0.96x.)
const PAR_MIN_HEAVY: i32 = 1 << 16;
const PAR_MIN_LIGHT: i32 = 1 << 17;
const PAR_MIN_SUM: i32 = 1 << 18;
// Elements per task (a multiple of 16, so every task but the last runs whole SIMD steps).
const TASK_ELEMS: i32 = 1 << 15;

// @ts-ignore: decorator
@inline function splits(n: i32, heavy: bool = false): bool {
  return n >= (heavy ? PAR_MIN_HEAVY : PAR_MIN_LIGHT) && threadCount() > 1;
}
// @ts-ignore: decorator
@inline function tasksFor(n: i32, per: i32): i32 { return (n + per - 1) / per; }

/** sumF32(a, n), the blocks summed across threads when n is large; the same value either way. */
export function sumF32Par(a: usize, n: i32): f32 {
  if (n < PAR_MIN_SUM || threadCount() < 2) return sumF32(a, n);
  const blocks = (n + SUM_BLOCK - 1) / SUM_BLOCK;
  const bytes = <usize>blocks << 2;
  const sums = alloc(bytes);
  if (!sums) return sumF32(a, n);
  const per = TASK_ELEMS / SUM_BLOCK;
  setJobArg(0, <i32>a); setJobArg(1, n); setJobArg(2, <i32>sums); setJobArg(3, per);
  runParallel(JOB_SUM, tasksFor(blocks, per));
  let total: f64 = 0;
  for (let i = 0; i < blocks; i++) total += <f64>load<f32>(sums + (<usize>i << 2));
  free(sums, bytes);
  return <f32>total;
}

export function sumTask(t: i32): void {
  const a = <usize>jobArg(0), n = jobArg(1), sums = <usize>jobArg(2), per = jobArg(3);
  const blocks = (n + SUM_BLOCK - 1) / SUM_BLOCK;
  const end = min(blocks, (t + 1) * per);
  for (let i = t * per; i < end; i++) {
    const start = i * SUM_BLOCK;
    store<f32>(sums + (<usize>i << 2), sumBlock(a + (<usize>start << 2), min(SUM_BLOCK, n - start)));
  }
}

/**
 * binaryKernel for float32/float64 arrays of n elements split across threads; false (nothing
 * done) when n is small, for other dtypes, or for B_AXPY (its alpha is a per-thread global).
 */
// @ts-ignore: decorator
@inline export function binaryPar(k: i32, dt: i32, out: usize, a: usize, b: usize, n: i32, mode: i32): bool {
  // inline: the size test alone on every small op's path
  return n >= PAR_MIN_HEAVY && binaryParRun(k, dt, out, a, b, n, mode);
}
function binaryParRun(k: i32, dt: i32, out: usize, a: usize, b: usize, n: i32, mode: i32): bool {
  if (!splits(n, k == B_POW || k == B_ATAN2 || k == B_FMOD) || k == B_AXPY || (dt != DType.Float32 && dt != DType.Float64)) return false;
  setJobArg(0, k); setJobArg(1, dt); setJobArg(2, <i32>out); setJobArg(3, <i32>a); setJobArg(4, <i32>b);
  setJobArg(5, n); setJobArg(6, mode);
  runParallel(JOB_BINARY, tasksFor(n, TASK_ELEMS));
  return true;
}

/**
 * binaryKernel over n elements of any dtype, split across threads when binaryPar takes it: the
 * one dispatch of the flat elementwise paths (ops/binary.ts, in-place updates, .grad accumulation).
 */
// @ts-ignore: decorator
@inline export function binaryFlat(k: i32, dt: i32, out: usize, a: usize, b: usize, n: i32, mode: i32): void {
  if (binaryPar(k, dt, out, a, b, n, mode)) return;
  if (dt == DType.Float32) binaryKernel<f32>(k, out, a, b, n, mode);
  else if (dt == DType.Float64) binaryKernel<f64>(k, out, a, b, n, mode);
  else if (dt == DType.Int32) binaryKernel<i32>(k, out, a, b, n, mode);
  else binaryKernel<u8>(k, out, a, b, n, mode);
}

export function binaryTask(t: i32): void {
  const k = jobArg(0), dt = jobArg(1), mode = jobArg(6), n = jobArg(5);
  const start = t * TASK_ELEMS, len = min(TASK_ELEMS, n - start);
  const sh = dt == DType.Float32 ? 2 : 3;
  const o = <usize>start << sh;
  const out = <usize>jobArg(2) + o;
  const a = <usize>jobArg(3) + (mode == MODE_SV ? 0 : o), b = <usize>jobArg(4) + (mode == MODE_VS ? 0 : o);
  if (dt == DType.Float32) binaryKernel<f32>(k, out, a, b, len, mode);
  else binaryKernel<f64>(k, out, a, b, len, mode);
}

/** Unary kernels whose elements cost several nanoseconds: transcendentals and what is built on them. */
function heavyUnary(k: i32): bool {
  return k == U_EXP || k == U_LOG || k == U_SIGMOID || k == U_TANH
    || (k >= U_MORE && k != U_LEAKY && k != U_CLAMP && k != U_ISNAN && k != U_ISFINITE);
}

/** unaryKernel (float32/float64) split across threads; false when n is small. */
export function unaryPar(k: i32, dt: i32, out: usize, a: usize, n: i32): bool {
  if (!splits(n, heavyUnary(k)) || (dt != DType.Float32 && dt != DType.Float64)) return false;
  setJobArg(0, k); setJobArg(1, dt); setJobArg(2, <i32>out); setJobArg(3, <i32>a); setJobArg(5, n);
  runParallel(JOB_UNARY, tasksFor(n, TASK_ELEMS));
  return true;
}

export function unaryTask(t: i32): void {
  const k = jobArg(0), dt = jobArg(1), n = jobArg(5);
  const start = t * TASK_ELEMS, len = min(TASK_ELEMS, n - start);
  const o = <usize>start << (dt == DType.Float32 ? 2 : 3);
  if (dt == DType.Float32) unaryKernel<f32>(k, <usize>jobArg(2) + o, <usize>jobArg(3) + o, len);
  else unaryKernel<f64>(k, <usize>jobArg(2) + o, <usize>jobArg(3) + o, len);
}

/** gradKernel (float32/float64) split across threads; false when n is small. */
export function gradPar(k: i32, dt: i32, out: usize, g: usize, s: usize, n: i32): bool {
  if (!splits(n, k >= G_MORE && k != G_LEAKY) || (dt != DType.Float32 && dt != DType.Float64)) return false;
  setJobArg(0, k); setJobArg(1, dt); setJobArg(2, <i32>out); setJobArg(3, <i32>g); setJobArg(4, <i32>s);
  setJobArg(5, n);
  runParallel(JOB_GRAD, tasksFor(n, TASK_ELEMS));
  return true;
}

export function gradTask(t: i32): void {
  const k = jobArg(0), dt = jobArg(1), n = jobArg(5);
  const start = t * TASK_ELEMS, len = min(TASK_ELEMS, n - start);
  const o = <usize>start << (dt == DType.Float32 ? 2 : 3);
  const out = <usize>jobArg(2) + o, g = <usize>jobArg(3) + o, s = <usize>jobArg(4) + o;
  if (dt == DType.Float32) gradKernel<f32>(k, out, g, s, len);
  else gradKernel<f64>(k, out, g, s, len);
}

/**
 * For tests of the pool's error path: a job of two tasks in which a worker's task traps while the
 * calling thread's waits (up to a few seconds) for it. Returns 0 when there is no pool.
 */
export function workerFaultTest(): i32 {
  if (!ASC_FEATURE_THREADS || threadCount() < 2) return 0;
  store<i32>(faultFlag, 0);
  runParallel(JOB_FAULT, 2);
  return 1;
}
// @ts-ignore: decorator
@lazy const faultFlag: usize = memory.data(16, 16);

export function faultTask(slot: i32): void {
  if (ASC_FEATURE_THREADS) {
    if (slot != 0) { atomic.store<i32>(faultFlag, 1); unreachable(); }
    for (let i = 0; i < 1 << 30 && atomic.load<i32>(faultFlag) == 0; i++) { /* wait for a worker's task */ }
  }
}

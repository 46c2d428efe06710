// The thread pool's side in the core. A parallel region is one job: the calling thread writes the
// job's kind and arguments to the job record (static, so in the memory every thread shares), then
// calls the host's parallelRun(nTasks), which wakes the worker threads; every thread, the caller
// included, claims task indices until none is left and runs each through runTask (tasks.ts), and
// parallelRun returns once all are done. Workers run their own instances of this module over the
// same memory: their globals are their own (threads stays 1 there, so a task never nests a region)
// and they never allocate. A job's partition never depends on the thread count, and each task
// writes its own part of the output, so results are the same for any number of threads.

/** Job kinds (tasks.ts dispatches on them). */
export const JOB_GEMM: i32 = 1;
export const JOB_SUM: i32 = 2;
export const JOB_BINARY: i32 = 3;
export const JOB_UNARY: i32 = 4;
export const JOB_GRAD: i32 = 5;
export const JOB_FAULT: i32 = 6;
export const JOB_GEMM_PACK: i32 = 7;
export const JOB_NORMAL: i32 = 8;

/** The job record: kind at 0, then 31 argument words (i32, or usize on wasm32). */
// @ts-ignore: decorator
@lazy export const job: usize = memory.data(128, 16);

// @ts-ignore: decorator
@inline export function jobArg(i: i32): i32 { return load<i32>(job + 4 + (<usize>i << 2)); }
// @ts-ignore: decorator
@inline export function setJobArg(i: i32, v: i32): void { store<i32>(job + 4 + (<usize>i << 2), v); }
/** An f64 argument in words i and i + 1. */
// @ts-ignore: decorator
@inline export function jobArgF64(i: i32): f64 { return load<f64>(job + 4 + (<usize>i << 2)); }
// @ts-ignore: decorator
@inline export function setJobArgF64(i: i32, v: f64): void { store<f64>(job + 4 + (<usize>i << 2), v); }
// @ts-ignore: decorator
@inline export function jobKind(): i32 { return load<i32>(job); }

// @ts-ignore: decorator
@external("env", "parallelRun")
declare function hostParallelRun(nTasks: i32): void;

// @ts-ignore: decorator
@lazy let threads: i32 = 1;

/** Threads a region may use on this instance (1 in builds without shared memory and on workers). */
export function threadCount(): i32 { return threads; }

/** Sets the thread count the host's pool serves (the pool itself is the host's). */
export function setThreads(n: i32): void {
  if (ASC_FEATURE_THREADS) threads = n < 1 ? 1 : n;
}

/**
 * Runs the job in the record as nTasks tasks across the pool. Only with threadCount() > 1; the
 * caller has done every allocation the tasks need (memory never grows inside a region).
 */
export function runParallel(kind: i32, nTasks: i32): void {
  store<i32>(job, kind);
  if (ASC_FEATURE_THREADS) hostParallelRun(nTasks);
}

// One task of the job in parallel.ts's record, run by whichever thread claimed it; `slot` is that
// thread's index in the pool (0 for the calling thread), so per-thread scratch is slot's own.

import { JOB_GEMM, JOB_GEMM_PACK, JOB_SUM, JOB_BINARY, JOB_UNARY, JOB_GRAD, JOB_FAULT, JOB_NORMAL, jobKind } from "./parallel";
import { normalTask } from "./random";
import { gemmTask, gemmPackTask } from "./gemm-parallel";
import { sumTask, binaryTask, unaryTask, gradTask, faultTask } from "./parallelOps";

/** Runs task t of the current job on pool slot `slot`. */
export function runTask(t: i32, slot: i32): void {
  const k = jobKind();
  if (k == JOB_GEMM) gemmTask(t, slot);
  else if (k == JOB_GEMM_PACK) gemmPackTask(t);
  else if (k == JOB_SUM) sumTask(t);
  else if (k == JOB_BINARY) binaryTask(t);
  else if (k == JOB_UNARY) unaryTask(t);
  else if (k == JOB_GRAD) gradTask(t);
  else if (k == JOB_FAULT) faultTask(slot);
  else if (k == JOB_NORMAL) normalTask(t);
}

// Grad mode: whether ops are recorded for backward (torch.no_grad / enable_grad).
// Mirrored in JS so in-place checks need no boundary crossing.

import { W } from "./wasm/load.js";
import { DTypeError } from "./errors.js";

let enabled = true;

/** Whether ops are currently recorded for autograd. */
export function isGradEnabled(): boolean {
  return enabled;
}

/** Turns recording on or off (prefer noGrad(fn) / enableGrad(fn), which restore the mode). */
export function setGradEnabled(flag: boolean): void {
  enabled = !!flag;
  W.setGradEnabled(enabled ? 1 : 0);
}

function withMode<T>(flag: boolean, fn: () => T, op: string): T {
  if (typeof fn !== "function") throw new DTypeError(`${op}: expected a function, got ${typeof fn}`);
  const prev = enabled;
  setGradEnabled(flag);
  try {
    return fn();
  } finally {
    setGradEnabled(prev);
  }
}

/**
 * Runs fn without recording ops (torch.no_grad). Example:
 * `noGrad(() => w.sub_(w.grad!.mul(lr)))`
 */
export function noGrad<T>(fn: () => T): T {
  return withMode(false, fn, "noGrad");
}

/** Runs fn with recording on, even inside noGrad (torch.enable_grad). */
export function enableGrad<T>(fn: () => T): T {
  return withMode(true, fn, "enableGrad");
}

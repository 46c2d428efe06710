// Per-tensor accessors and lifetime calls used by the facade.

import {
  geti, seti, release, retain, flagsOf as flags, setFlags, dataPtr,
  E_GRAD, E_NODE, F_REQUIRES_GRAD, F_RETAINS_GRAD,
} from "./tensor";
import { nset, nodeRelease, N_WATCH } from "./autograd/tape";
import { F_VIEW, F_HAS_HOOK } from "./tensor";
import { freshen } from "./ops/copySlices";

/** Releases n handles listed at ptr (i32 each; 0 entries are skipped). */
export function releaseMany(ptr: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    const h = load<i32>(ptr + (<usize>i << 2));
    if (h) release(h);
  }
}

/** The handle of h's .grad (0 if none); the caller takes no reference. */
export function gradOf(h: i32): i32 { return geti(h, E_GRAD); }

/** Sets h's .grad to g (0: none), taking a reference to g. */
export function setGrad(h: i32, g: i32): void {
  const old = geti(h, E_GRAD);
  if (g) retain(g);
  seti(h, E_GRAD, g);
  if (old) release(old);
}

export function flagsOf(h: i32): i32 { return flags(h); }
export function isLeaf(h: i32): bool { freshen(h); return geti(h, E_NODE) == 0; }
export function dataAddr(h: i32): usize { return dataPtr(h); }

/** Sets requires_grad on a leaf (the facade rejects non-leaves). */
export function setRequiresGrad(h: i32, on: bool): void {
  const f = flags(h);
  setFlags(h, on ? f | F_REQUIRES_GRAD : f & ~F_REQUIRES_GRAD);
}

/** Makes backward keep the gradient of non-leaf h in its .grad. */
export function retainGrad(h: i32): void {
  freshen(h);
  setFlags(h, flags(h) | F_RETAINS_GRAD);
  const node = <usize>geti(h, E_NODE);
  if (node) nset(node, N_WATCH, h);
}

/** Marks that h has hooks (backward then calls runHooks with its gradient). */
export function setHooked(h: i32): void {
  freshen(h);
  setFlags(h, flags(h) | F_HAS_HOOK);
  const node = <usize>geti(h, E_NODE);
  if (node) nset(node, N_WATCH, h);
}

/** Drops h's history: no node, no requires_grad (detach_). */
export function detachInPlace(h: i32): void {
  const node = <usize>geti(h, E_NODE);
  seti(h, E_NODE, 0);
  setFlags(h, flags(h) & ~(F_REQUIRES_GRAD | F_RETAINS_GRAD | F_VIEW | F_HAS_HOOK));
  if (node) nodeRelease(node, h);
}

// Graph nodes. Each recorded op creates one node that holds: its op code and sequence number,
// edges to the producers of its inputs (another node, or a leaf tensor whose .grad accumulates,
// like PyTorch's AccumulateGrad), the tensors it saved for backward (by storage, with the version
// they had), scalar/int attributes, and the shapes of its output and inputs.
// A node is owned by the tensor it produced and by the edges of later nodes (reference counts),
// so an unused graph is freed with the last tensor that reaches it.

import { alloc, free } from "../memory";
import {
  geti, seti, release, retain, isContiguous, numelOf, dataPtr, newStorage, newTensorLike,
  storageRetain, storageRelease, requiresGrad, shapePtr, stridesPtr, shapeRec, ndimOf,
  E_NODE, E_STORAGE, E_OFFSET, flagsOf, setFlags, F_REQUIRES_GRAD, F_RETAINS_GRAD, S_VERSION, S_DATA,
} from "../tensor";
import { stridedCopy } from "../kernels/layout";
import { dimsNdim, dimsRetain, dimsRelease, R_DATA } from "../dims";

export const N_OP: usize = 0;
export const N_SEQ: usize = 4;
export const N_REFS: usize = 8;
export const N_FLAGS: usize = 12;
export const N_EPOCH: usize = 16;
export const N_RETAIN: usize = 20;
export const N_GRADP: usize = 24;
export const N_NEXT: usize = 28;  // 2 x i32: tagged edge (node ptr, or leaf handle << 1 | 1)
const N_SAVED: usize = 36;        // block of 2 x { storage, offset, version cell, version }, or 0
export const N_F0: usize = 40;
export const N_I0: usize = 44;
export const N_I1: usize = 48;
export const N_OUT: usize = 52;   // interned shape record of the output
export const N_IN: usize = 56;    // 2 x interned shape record of the inputs
const SAVED_REC: usize = 16;
const SAVED_BYTES: usize = 2 * SAVED_REC; // allocated only by nodes that save tensors
const NODE_BYTES: usize = 64;

/** Saved tensors were freed by a backward without retainGraph. */
export const NF_RELEASED: i32 = 1;
/** The node saved tensors (so a second backward through it must fail once they are freed). */
export const NF_HAS_SAVED: i32 = 2;

// @ts-ignore: decorator
@lazy let seqCounter: i32 = 0;
// @ts-ignore: decorator
@lazy let gradEnabled: bool = true;

export function setGradEnabled(on: bool): void { gradEnabled = on; }

/** Whether an op on inputs a, b (0 = none) must be recorded. */
// @ts-ignore: decorator
@inline export function shouldRecord(a: i32, b: i32): bool {
  return gradEnabled && (requiresGrad(a) || (b != 0 && requiresGrad(b)));
}

// @ts-ignore: decorator
@inline export function nget(node: usize, f: usize): i32 { return load<i32>(node + f); }
// @ts-ignore: decorator
@inline export function nset(node: usize, f: usize, v: i32): void { store<i32>(node + f, v); }
// @ts-ignore: decorator
@inline export function inShape(node: usize, i: i32): usize { return <usize>load<u32>(node + N_IN + (<usize>i << 2)) + R_DATA; }
// @ts-ignore: decorator
@inline export function inNdim(node: usize, i: i32): i32 { return dimsNdim(<usize>load<u32>(node + N_IN + (<usize>i << 2))); }
// @ts-ignore: decorator
@inline export function outShape(node: usize): usize { return <usize>load<u32>(node + N_OUT) + R_DATA; }
// @ts-ignore: decorator
@inline export function outNdim(node: usize): i32 { return dimsNdim(<usize>load<u32>(node + N_OUT)); }
// @ts-ignore: decorator
@inline export function nextOf(node: usize, i: i32): i32 { return load<i32>(node + N_NEXT + (<usize>i << 2)); }

/** Stores h's shape record at dst, with a reference for the node. */
function copyShape(dst: usize, h: i32): void {
  const sr = shapeRec(h);
  dimsRetain(sr);
  store<u32>(dst, <u32>sr);
}

function edgeTo(h: i32): i32 {
  if (!h || !requiresGrad(h)) return 0;
  const node = <usize>geti(h, E_NODE);
  if (node) { nodeRetain(node); return <i32>node; }
  retain(h);
  return (h << 1) | 1;
}

/**
 * Records op `op` producing `out` from inputs a and b (0 = none): makes `out` require grad and
 * point at the new node. For an in-place op `out` may be `a`: its previous node becomes the
 * new node's input edge. Returns the node, or 0 when out of memory (nothing changed).
 */
export function record(op: i32, out: i32, a: i32, b: i32): usize {
  const node = alloc(NODE_BYTES);
  if (!node) return 0;
  memory.fill(node, 0, NODE_BYTES);
  nset(node, N_OP, op);
  nset(node, N_SEQ, ++seqCounter);
  nset(node, N_REFS, 1);
  nset(node, N_NEXT, edgeTo(a));
  nset(node, N_NEXT + 4, edgeTo(b));
  if (a) copyShape(node + N_IN, a);
  if (b) copyShape(node + N_IN + 4, b);
  copyShape(node + N_OUT, out);
  const prev = <usize>geti(out, E_NODE);
  seti(out, E_NODE, <i32>node);
  const fl = flagsOf(out);
  setFlags(out, fl | F_REQUIRES_GRAD);
  if (fl & F_RETAINS_GRAD) nset(node, N_RETAIN, out);
  if (prev) nodeRelease(prev, out);
  return node;
}

/** The node's block of saved slots, allocated on first use; 0 when out of memory. */
function savedBlock(node: usize): usize {
  let block = <usize>nget(node, N_SAVED);
  if (!block) {
    block = alloc(SAVED_BYTES);
    if (!block) return 0;
    memory.fill(block, 0, SAVED_BYTES);
    nset(node, N_SAVED, <i32>block);
  }
  return block;
}

/**
 * Saves tensor h in slot i of the node: its storage (a contiguous copy if h is a strided view)
 * and its version counter with the current version, so backward can detect later in-place writes.
 * Returns false when out of memory.
 */
export function save(node: usize, i: i32, h: i32): bool {
  const block = savedBlock(node);
  if (!block) return false;
  const rec = block + <usize>i * SAVED_REC;
  let s: usize, off: i32;
  if (isContiguous(h)) {
    s = <usize>geti(h, E_STORAGE);
    off = geti(h, E_OFFSET);
    storageRetain(s);
  } else {
    const n = numelOf(h);
    const data = alloc(<usize>n << 2);
    if (!data) return false;
    stridedCopy(data, dataPtr(h), ndimOf(h), shapePtr(h), stridesPtr(h));
    s = newStorage(data, n << 2, 1);
    if (!s) { free(data, <usize>n << 2); return false; }
    off = 0;
  }
  // the version to watch is that of h's own storage record (the data may be a copy)
  const vc = <usize>geti(h, E_STORAGE);
  storageRetain(vc);
  store<i32>(rec, <i32>s);
  store<i32>(rec, off, 4);
  store<i32>(rec, <i32>vc, 8);
  store<i32>(rec, load<i32>(vc + S_VERSION), 12);
  nset(node, N_FLAGS, nget(node, N_FLAGS) | NF_HAS_SAVED);
  return true;
}

/**
 * Remembers h's version in slot i without keeping its values: a view's node uses this so that an
 * in-place op recorded on the base after the view was taken (which the view's history would not
 * include) is caught at backward instead of giving a wrong gradient. It does not count as saving
 * (a second backward through a view still works, as in PyTorch).
 */
export function watchVersion(node: usize, i: i32, h: i32): bool {
  const block = savedBlock(node);
  if (!block) return false;
  const rec = block + <usize>i * SAVED_REC;
  const s = <usize>geti(h, E_STORAGE);
  storageRetain(s); // released as the saved data...
  storageRetain(s); // ...and as the version counter by releaseSaved
  store<i32>(rec, <i32>s);
  store<i32>(rec, 0, 4);
  store<i32>(rec, <i32>s, 8);
  store<i32>(rec, load<i32>(s + S_VERSION), 12);
  return true;
}

/** Saves a private copy of h's current values (for in-place ops that overwrite h). */
export function saveCopy(node: usize, i: i32, h: i32): bool {
  const c = newTensorLike(h);
  if (!c) return false;
  stridedCopy(dataPtr(c), dataPtr(h), ndimOf(h), shapePtr(h), stridesPtr(h));
  const ok = save(node, i, c);
  release(c);
  return ok;
}

// @ts-ignore: decorator
@inline function savedRec(node: usize, i: i32): usize { return <usize>nget(node, N_SAVED) + <usize>i * SAVED_REC; }

/** Address of the values saved in slot i. */
export function savedData(node: usize, i: i32): usize {
  const rec = savedRec(node, i);
  return <usize>load<i32>(<usize>load<i32>(rec) + S_DATA) + (<usize>load<i32>(rec, 4) << 2);
}

/** Slot of the first saved tensor modified in place since it was saved, or -1. */
export function staleSaved(node: usize): i32 {
  if (!nget(node, N_SAVED)) return -1;
  for (let i = 0; i < 2; i++) {
    const rec = savedRec(node, i);
    const vc = <usize>load<i32>(rec, 8);
    if (vc && load<i32>(vc + S_VERSION) != load<i32>(rec, 12)) return i;
  }
  return -1;
}

export function savedVersion(node: usize, i: i32): i32 { return load<i32>(savedRec(node, i), 12); }
export function savedCurrentVersion(node: usize, i: i32): i32 {
  return load<i32>(<usize>load<i32>(savedRec(node, i), 8) + S_VERSION);
}

/** Frees what the node saved (after a backward without retainGraph); edges stay. */
export function releaseSaved(node: usize): void {
  const block = <usize>nget(node, N_SAVED);
  if (block) {
    for (let i = 0; i < 2; i++) {
      const rec = block + <usize>i * SAVED_REC;
      const s = <usize>load<i32>(rec);
      if (s) { storageRelease(s); storageRelease(<usize>load<i32>(rec, 8)); }
    }
    free(block, SAVED_BYTES);
    nset(node, N_SAVED, 0);
  }
  nset(node, N_FLAGS, nget(node, N_FLAGS) | NF_RELEASED);
}

/** Marks that the node saved a value (a scalar operand), as torch's wrapped-number tensors. */
export function markSaved(node: usize): void { nset(node, N_FLAGS, nget(node, N_FLAGS) | NF_HAS_SAVED); }

export function nodeRetain(node: usize): void { nset(node, N_REFS, nget(node, N_REFS) + 1); }

// Nodes whose last reference is gone, waiting to be freed, linked through N_REFS. Freeing a node
// drops its edges, which can free the next node and so on down a chain as long as the graph:
// a loop over this list instead of recursion keeps the stack flat for any depth.
// @ts-ignore: decorator
@lazy let doomed: usize = 0;
// @ts-ignore: decorator
@lazy let freeing: bool = false;

/** Drops one reference to `node` held by tensor `owner` (0 for an edge). */
export function nodeRelease(node: usize, owner: i32): void {
  if (owner && nget(node, N_RETAIN) == owner) nset(node, N_RETAIN, 0);
  const r = nget(node, N_REFS) - 1;
  if (r > 0) { nset(node, N_REFS, r); return; }
  nset(node, N_REFS, <i32>doomed);
  doomed = node;
  if (freeing) return; // an outer call is draining the list
  freeing = true;
  while (doomed) {
    const n = doomed;
    doomed = <usize>nget(n, N_REFS);
    freeNode(n);
  }
  freeing = false;
}

function freeNode(node: usize): void {
  releaseSaved(node);
  for (let i = 0; i < 2; i++) {
    const nx = nextOf(node, i);
    if (!nx) continue;
    if (nx & 1) release(nx >>> 1);
    else nodeRelease(<usize>nx, 0);
  }
  for (let i: usize = 0; i < 3; i++) {
    const sr = <usize>load<u32>(node + N_OUT + (i << 2));
    if (sr) dimsRelease(sr);
  }
  free(node, NODE_BYTES);
}

/** The op code of the node that produced h, or 0 for a leaf. */
export function gradFnOf(h: i32): i32 {
  const node = <usize>geti(h, E_NODE);
  return node ? nget(node, N_OP) : 0;
}

// Graph nodes. Each recorded op creates one node holding: its op code and sequence number, an
// edge per input (to the node that produced it, or to a leaf whose .grad accumulates, like
// PyTorch's AccumulateGrad) with the input's shape and dtype, the tensors it saved for backward
// (with the version they had), and attributes: f64 scalars and i32 lists (dims, sizes, padding).
// A node is owned by the tensor it produced and by the edges of later nodes (reference counts),
// so an unused graph is freed with the last tensor that reaches it, without recursion.
//
// Layout: a 48-byte header, then nIn edges, nIn input shape records, nIn input dtypes, nSaved
// saved slots of 8 bytes {handle, version}, nF f64 attributes (8-aligned), nI i32 attributes.

import { alloc, free, zeroBlock } from "../memory";
import {
  geti, seti, release, retain, requiresGrad, shapeRec, dtypeOf, flagsOf, setFlags, newView, copyDims,
  E_NODE, E_STORAGE, F_REQUIRES_GRAD, F_RETAINS_GRAD, S_VERSION,
} from "../tensor";
import { dimsRetain, dimsRelease } from "../dims";
import { OpCode } from "../abi";
import { freshen } from "../ops/copySlices";

export const N_OP: usize = 0;
export const N_SEQ: usize = 4;
export const N_REFS: usize = 8;
export const N_FLAGS: usize = 12;
export const N_EPOCH: usize = 16;
/** Tensor (not owned) whose gradient backward must also deliver: retainGrad, hooks. */
export const N_WATCH: usize = 20;
/** Gradient of the node's output collected during backward (a handle, owned), 0 if none yet. */
export const N_GRAD: usize = 24;
const N_COUNTS: usize = 28; // nIn | nSaved << 8 | nF << 16 | nI << 24
export const N_OUT: usize = 32; // interned shape record of the output
export const N_OUTDT: usize = 36;
const N_BYTES: usize = 40;
const N_HEADER: usize = 48;

/** Saved tensors were freed by a backward without retainGraph. */
export const NF_RELEASED: i32 = 1;
/** The node saved tensors or values (so a second backward through it must fail once freed). */
export const NF_HAS_SAVED: i32 = 2;
/** Bit 8 + i: saved slot i holds the node's own output (unpacked with this node as its history). */
const NF_SAVED_OUTPUT: i32 = 256;

// @ts-ignore: decorator
@lazy let seqCounter: i32 = 0;
// @ts-ignore: decorator
@lazy let gradEnabled: bool = true;

export function setGradEnabled(on: bool): void { gradEnabled = on; }
export function isGradEnabled(): bool { return gradEnabled; }

// @ts-ignore: decorator
@inline export function nget(node: usize, f: usize): i32 { return load<i32>(node + f); }
// @ts-ignore: decorator
@inline export function nset(node: usize, f: usize, v: i32): void { store<i32>(node + f, v); }
// @ts-ignore: decorator
@inline export function numInputs(node: usize): i32 { return load<i32>(node + N_COUNTS) & 0xff; }
// @ts-ignore: decorator
@inline export function numSaved(node: usize): i32 { return (load<i32>(node + N_COUNTS) >> 8) & 0xff; }
// @ts-ignore: decorator
@inline function numF(node: usize): i32 { return (load<i32>(node + N_COUNTS) >> 16) & 0xff; }
// @ts-ignore: decorator
@inline function edgesAt(node: usize): usize { return node + N_HEADER; }
// @ts-ignore: decorator
@inline function inShapesAt(node: usize): usize { return node + N_HEADER + (<usize>numInputs(node) << 2); }
// @ts-ignore: decorator
@inline function inDtypesAt(node: usize): usize { return node + N_HEADER + (<usize>numInputs(node) << 3); }
// @ts-ignore: decorator
@inline function savedAt(node: usize): usize { return node + N_HEADER + <usize>numInputs(node) * 12; }
// @ts-ignore: decorator
@inline function fAt(node: usize): usize { return (savedAt(node) + (<usize>numSaved(node) << 3) + 7) & ~7; }
// @ts-ignore: decorator
@inline function iAt(node: usize): usize { return fAt(node) + (<usize>numF(node) << 3); }

/**
 * Edge 0 of the in-place op held by a CopySlices node: its gradient is handed back to that
 * node's rule (backward.ts) instead of flowing to the view's old history.
 */
export const CAPTURE: i32 = 2;

/** Edge i: a node pointer (even), a leaf handle << 1 | 1 (odd), CAPTURE, or 0 (needs no gradient). */
// @ts-ignore: decorator
@inline export function nextOf(node: usize, i: i32): i32 { return load<i32>(edgesAt(node) + (<usize>i << 2)); }
/** Interned shape record of input i when the op ran. */
// @ts-ignore: decorator
@inline export function inShapeRec(node: usize, i: i32): usize { return <usize>load<u32>(inShapesAt(node) + (<usize>i << 2)); }
// @ts-ignore: decorator
@inline export function inDtype(node: usize, i: i32): i32 { return load<i32>(inDtypesAt(node) + (<usize>i << 2)); }
// @ts-ignore: decorator
@inline export function attrF(node: usize, i: i32): f64 { return load<f64>(fAt(node) + (<usize>i << 3)); }
// @ts-ignore: decorator
@inline export function attrI(node: usize, i: i32): i32 { return load<i32>(iAt(node) + (<usize>i << 2)); }
// @ts-ignore: decorator
@inline export function setAttrF(node: usize, i: i32, v: f64): void { store<f64>(fAt(node) + (<usize>i << 3), v); }
// @ts-ignore: decorator
@inline export function setAttrI(node: usize, i: i32, v: i32): void { store<i32>(iAt(node) + (<usize>i << 2), v); }
/** Address of the i32 attributes (for list attributes such as dims and sizes). */
// @ts-ignore: decorator
@inline export function attrIPtr(node: usize): usize { return iAt(node); }
// @ts-ignore: decorator
@inline export function outShapeRec(node: usize): usize { return <usize>load<u32>(node + N_OUT); }

/** Whether an op on these inputs must be recorded (grad mode on and some input requires grad). */
// @ts-ignore: decorator
@inline export function shouldRecord(a: i32, b: i32): bool {
  return gradEnabled && ((a != 0 && requiresGrad(a)) || (b != 0 && requiresGrad(b)));
}
/** shouldRecord for three inputs. */
// @ts-ignore: decorator
@inline export function shouldRecord3(a: i32, b: i32, c: i32): bool {
  return gradEnabled && ((a != 0 && requiresGrad(a)) || (b != 0 && requiresGrad(b)) || (c != 0 && requiresGrad(c)));
}

/** The in-place op's node a CopySlices node holds (owned by it), or 0 for other kinds. */
export function innerNode(node: usize): usize {
  return nget(node, N_OP) == OpCode.CopySlices ? <usize>attrI(node, 0) : 0;
}

function edgeTo(h: i32): i32 {
  if (!h || !requiresGrad(h)) return 0;
  const node = <usize>geti(h, E_NODE);
  if (node) { nodeRetain(node); return <i32>node; }
  retain(h);
  return (h << 1) | 1;
}

/**
 * Allocates a node for op `op` with nIn inputs (handles at `ins`, 0 entries allowed), room for
 * nSaved saved tensors, nF f64 and nI i32 attributes (filled by the caller), without attaching it
 * to an output yet. Returns 0 when out of memory (nothing changed).
 */
export function newNode(op: i32, nIn: i32, ins: usize, nSaved: i32, nF: i32, nI: i32): usize {
  // the counts are packed in 8 bits each (the facade splits longer input lists into several nodes)
  if (<u32>nIn > 255 || <u32>nSaved > 255 || <u32>nF > 255 || <u32>nI > 255) return 0;
  // a view whose base was written in place since gets its new history first
  for (let i = 0; i < nIn; i++) {
    const h = load<i32>(ins + (<usize>i << 2));
    if (h && !freshen(h)) return 0;
  }
  const fEnd = ((N_HEADER + <usize>nIn * 12 + (<usize>nSaved << 3) + 7) & ~7) + (<usize>nF << 3);
  const bytes = fEnd + (<usize>nI << 2);
  const node = alloc(bytes);
  if (!node) return 0;
  zeroBlock(node, bytes);
  nset(node, N_OP, op);
  nset(node, N_REFS, 1);
  nset(node, N_BYTES, <i32>bytes);
  nset(node, N_COUNTS, nIn | (nSaved << 8) | (nF << 16) | (nI << 24));
  for (let i = 0; i < nIn; i++) {
    const h = load<i32>(ins + (<usize>i << 2));
    store<i32>(edgesAt(node) + (<usize>i << 2), edgeTo(h));
    if (h) {
      const sr = shapeRec(h);
      dimsRetain(sr);
      store<u32>(inShapesAt(node) + (<usize>i << 2), <u32>sr);
      store<i32>(inDtypesAt(node) + (<usize>i << 2), dtypeOf(h));
    }
  }
  return node;
}

/** Sets input i of node (created with a 0 entry there) to h: its edge, shape and dtype. */
export function linkInput(node: usize, i: i32, h: i32): void {
  store<i32>(edgesAt(node) + (<usize>i << 2), edgeTo(h));
  const sr = shapeRec(h);
  dimsRetain(sr);
  store<u32>(inShapesAt(node) + (<usize>i << 2), <u32>sr);
  store<i32>(inDtypesAt(node) + (<usize>i << 2), dtypeOf(h));
}

/** Makes input i of dst (created with a 0 entry there) a copy of input j of src: same target, shape, dtype. */
export function copyInput(dst: usize, i: i32, src: usize, j: i32): void {
  const nx = nextOf(src, j);
  if (nx & 1) retain(nx >>> 1);
  else if (nx > CAPTURE) nodeRetain(<usize>nx);
  store<i32>(edgesAt(dst) + (<usize>i << 2), nx > CAPTURE || (nx & 1) ? nx : 0);
  const sr = inShapeRec(src, j);
  if (sr) dimsRetain(sr);
  store<u32>(inShapesAt(dst) + (<usize>i << 2), <u32>sr);
  store<i32>(inDtypesAt(dst) + (<usize>i << 2), inDtype(src, j));
}

/** Replaces edge i of node by CAPTURE (or by nothing when `keep` is false), dropping its old target. */
export function captureInput(node: usize, i: i32, keep: bool): void {
  const nx = nextOf(node, i);
  store<i32>(edgesAt(node) + (<usize>i << 2), keep ? CAPTURE : 0);
  if (nx & 1) release(nx >>> 1);
  else if (nx > CAPTURE) nodeRelease(<usize>nx, 0);
}

/**
 * Makes `out` the output of `node`: it requires grad and points at the node (for an in-place op
 * `out` is also an input; its previous node is already the node's input edge).
 */
export function attach(node: usize, out: i32): void {
  nset(node, N_SEQ, ++seqCounter);
  const sr = shapeRec(out);
  dimsRetain(sr);
  store<u32>(node + N_OUT, <u32>sr);
  nset(node, N_OUTDT, dtypeOf(out));
  const prev = <usize>geti(out, E_NODE);
  seti(out, E_NODE, <i32>node);
  const fl = flagsOf(out);
  setFlags(out, fl | F_REQUIRES_GRAD);
  if (fl & F_RETAINS_GRAD) nset(node, N_WATCH, out);
  if (prev) nodeRelease(prev, out);
}

// @ts-ignore: decorator
@lazy const ins2: usize = memory.data(16, 16);

/** newNode + attach for ops of up to two inputs (b = 0: one input). */
export function record(op: i32, out: i32, a: i32, b: i32, nSaved: i32, nF: i32, nI: i32): usize {
  store<i32>(ins2, a);
  store<i32>(ins2, b, 4);
  const node = newNode(op, b ? 2 : 1, ins2, nSaved, nF, nI);
  if (node) attach(node, out);
  return node;
}

/**
 * Saves tensor h in slot i: its values as they are now (watched by the storage's version counter)
 * and, for createGraph, its history. An input is saved as itself, as torch 1.13's SavedVariable
 * keeps the original tensor of a non-output: its node is the one it has when unpacked, and an
 * in-place change after saving is caught by the version check. The node's own output
 * (`isOutput`) is saved as a view without history (a strong link back would be a cycle);
 * `saved()` gives it this node as history when the backward pass is recorded. Returns false when
 * out of memory.
 */
export function save(node: usize, i: i32, h: i32, isOutput: bool): bool {
  let s = h;
  if (isOutput) {
    s = newView(h, true);
    if (!s || !copyDims(s, h)) { if (s) release(s); return false; }
    nset(node, N_FLAGS, nget(node, N_FLAGS) | (NF_SAVED_OUTPUT << i));
  } else retain(h);
  const slot = savedAt(node) + (<usize>i << 3);
  store<i32>(slot, s);
  store<i32>(slot, load<i32>(<usize>geti(h, E_STORAGE) + S_VERSION), 4);
  nset(node, N_FLAGS, nget(node, N_FLAGS) | NF_HAS_SAVED);
  return true;
}

/** The handle saved in slot i (borrowed; 0 if the slot is empty). */
export function savedRaw(node: usize, i: i32): i32 { return load<i32>(savedAt(node) + (<usize>i << 3)); }
/** True when slot i holds the node's own output. */
export function savedIsOutput(node: usize, i: i32): bool { return (nget(node, N_FLAGS) & (NF_SAVED_OUTPUT << i)) != 0; }

/** Marks that the node saved a value (a scalar operand), as torch's wrapped-number tensors. */
export function markSaved(node: usize): void { nset(node, N_FLAGS, nget(node, N_FLAGS) | NF_HAS_SAVED); }

/** Slot of the first saved tensor modified in place since it was saved, or -1. */
export function staleSaved(node: usize): i32 {
  const n = numSaved(node);
  for (let i = 0; i < n; i++) {
    const slot = savedAt(node) + (<usize>i << 3);
    const s = load<i32>(slot);
    if (s && load<i32>(<usize>geti(s, E_STORAGE) + S_VERSION) != load<i32>(slot, 4)) return i;
  }
  return -1;
}
export function savedVersion(node: usize, i: i32): i32 { return load<i32>(savedAt(node) + (<usize>i << 3), 4); }
export function savedCurrentVersion(node: usize, i: i32): i32 {
  return load<i32>(<usize>geti(savedRaw(node, i), E_STORAGE) + S_VERSION);
}

/** Frees what the node saved (after a backward without retainGraph); edges stay. */
export function releaseSaved(node: usize): void {
  const inner = innerNode(node);
  if (inner) releaseSaved(inner);
  const n = numSaved(node);
  for (let i = 0; i < n; i++) {
    const slot = savedAt(node) + (<usize>i << 3);
    const s = load<i32>(slot);
    if (s) { store<i32>(slot, 0); release(s); }
  }
  nset(node, N_FLAGS, nget(node, N_FLAGS) | NF_RELEASED);
}

export function nodeRetain(node: usize): void { nset(node, N_REFS, nget(node, N_REFS) + 1); }

// Nodes whose last reference is gone, waiting to be freed, linked through N_REFS. Freeing a node
// drops its edges, which can free the next node and so on down a chain as long as the graph:
// a loop over this list instead of recursion keeps the stack flat for any depth.
// @ts-ignore: decorator
@lazy let doomed: usize = 0;
// @ts-ignore: decorator
@lazy let freeing: bool = false;

/** Drops one reference to `node` held by tensor `owner` (0 for an edge or a saved view). */
export function nodeRelease(node: usize, owner: i32): void {
  if (owner && nget(node, N_WATCH) == owner) nset(node, N_WATCH, 0);
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
  const inner = innerNode(node);
  releaseSaved(node);
  if (inner) nodeRelease(inner, 0);
  const g = nget(node, N_GRAD);
  if (g) release(g);
  const nIn = numInputs(node);
  for (let i = 0; i < nIn; i++) {
    const nx = nextOf(node, i);
    if (nx & 1) release(nx >>> 1);
    else if (nx > CAPTURE) nodeRelease(<usize>nx, 0);
    const sr = inShapeRec(node, i);
    if (sr) dimsRelease(sr);
  }
  const out = outShapeRec(node);
  if (out) dimsRelease(out);
  free(node, <usize>nget(node, N_BYTES));
}

/** The op code of the node that produced h, or 0 for a leaf. */
export function gradFnOf(h: i32): i32 {
  freshen(h);
  const node = <usize>geti(h, E_NODE);
  return node ? nget(node, N_OP) : 0;
}

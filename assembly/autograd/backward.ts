// The reverse pass in one call: collect every node reachable from the roots, check them (freed
// graphs, tensors changed in place, shapes changed through .data), order them by decreasing
// sequence number (a valid reverse topological order, as PyTorch does) and run each node's rule.
// Rules are written with the core's own ops (autograd/rules.ts): with createGraph those ops
// record, which gives gradients of gradients; otherwise grad mode is off while they run.
// Nothing visible changes until every rule has run: leaf gradients are collected first and only
// then accumulated, so a failure (out of memory, a hook that throws) leaves every .grad as it was.

import { Status, DType } from "../abi";
import {
  geti, seti, release, retain, shapeRec, dtypeOf, newView, copyDims, setFlags, flagsOf, isContiguous,
  hasOverlap, bumpVersion, E_NODE, E_GRAD, E_REFS, F_REQUIRES_GRAD, F_VIEW, F_HAS_HOOK, F_RETAINS_GRAD,
} from "../tensor";
import {
  nget, nset, nextOf, numInputs, inShapeRec, inDtype, outShapeRec, staleSaved, releaseSaved, savedRaw,
  savedIsOutput, savedVersion, savedCurrentVersion, nodeRetain, setGradEnabled, isGradEnabled, innerNode,
  CAPTURE, N_OP, N_SEQ, N_FLAGS, N_EPOCH, N_WATCH, N_GRAD, N_OUTDT, NF_RELEASED, NF_HAS_SAVED,
} from "./tape";
import { runRule } from "./rules";
import { freshen } from "../ops/copySlices";
import { order, pending, temps, captured, lenOf, setLen, push, at, put, sortNodes } from "./lists";
import { sumTo, cast, addInPlace, addOut, cloneOf, fullOfRec } from "./gradOps";

// Details of the last failure, read by the facade to build its message:
// [0] op code, [1] saved slot / input index, [2] current version, [3] expected version,
// [4] tensor handle, [5] grad handle, [6] shape record given, [7] shape record expected,
// [8] a saved tensor changed in place (borrowed from its node), [9] the op that made it (0: a leaf).
// @ts-ignore: decorator
@lazy const errInfo: usize = memory.data(64, 16);
export function backwardErrorInfo(i: i32): i32 { return load<i32>(errInfo + (<usize>i << 2)); }
function setErr(i: i32, v: i32): void { store<i32>(errInfo + (<usize>i << 2), v); }

// @ts-ignore: decorator
@lazy let epoch: i32 = 0;
// @ts-ignore: decorator
@lazy let status: i32 = 0;
// @ts-ignore: decorator
@lazy let recording: bool = false;
// @ts-ignore: decorator
@lazy let capturing: bool = false;
// @ts-ignore: decorator
@lazy let running: bool = false;

/** Calls the JS hooks registered on tensor h with gradient g: a replacement gradient (owned), 0 to keep g, -1 on error. */
// @ts-ignore: decorator
@external("env", "runHooks")
declare function runHooks(h: i32, g: i32): i32;

function fail(s: i32): void { if (status == Status.Ok) status = s; }
/** Records a rule's failure (a Status), for rules that run other nodes' rules. */
export function failWith(s: i32): void { fail(s); }

// The gradient given to a CAPTURE edge (a CopySlices node's in-place op, input 0), owned.
// @ts-ignore: decorator
@lazy let captureSlot: i32 = 0;
/** Takes the gradient given to a CAPTURE edge since the last call (owned; 0 if none). */
export function takeCaptured(): i32 { const g = captureSlot; captureSlot = 0; return g; }

// ---- what rules call ----------------------------------------------------------------------

/** True when input i of the node needs a gradient (PyTorch's grad_input_mask). */
export function needs(node: usize, i: i32): bool { return i < numInputs(node) && nextOf(node, i) != 0; }

/** g with one more reference, for a rule that passes the same gradient on. */
export function own(g: i32): i32 { if (g) retain(g); return g; }

/**
 * The tensor saved in slot i (borrowed for the duration of the rule). A saved output gets this
 * node as its history when the backward pass is recorded, so its gradient flows on.
 */
export function saved(node: usize, i: i32): i32 {
  const s = savedRaw(node, i);
  if (!recording || !savedIsOutput(node, i) || !s) return s;
  const v = newView(s, true);
  if (!v || !copyDims(v, s) || !push(temps, v)) { if (v) release(v); fail(Status.OutOfMemory); return 0; }
  nodeRetain(node);
  seti(v, E_NODE, <i32>node);
  setFlags(v, flagsOf(v) | F_REQUIRES_GRAD);
  return v;
}

/**
 * Gives input i of `node` the gradient t (ownership passes): summed down to the input's shape
 * (undoing broadcasting, in this one place), converted to the input's dtype, then accumulated.
 */
export function give(node: usize, i: i32, t: i32): void {
  if (!t) { fail(Status.OutOfMemory); return; }
  const nx = i < numInputs(node) ? nextOf(node, i) : 0;
  if (!nx || status != Status.Ok) { release(t); return; }
  const want = inShapeRec(node, i);
  if (shapeRec(t) != want) {
    const r = sumTo(t, want);
    release(t);
    if (!r) { fail(Status.OutOfMemory); return; }
    t = r;
  }
  const dt = inDtype(node, i);
  if (dtypeOf(t) != dt) {
    const r = cast(t, dt);
    release(t);
    if (!r) { fail(Status.OutOfMemory); return; }
    t = r;
  }
  if (nx & 1) collectLeaf(nx >>> 1, t);
  else if (nx == CAPTURE) {
    if (!captureSlot) { captureSlot = t; return; }
    const s = addOut(captureSlot, t);
    release(captureSlot); release(t);
    captureSlot = s;
    if (!s) fail(Status.OutOfMemory);
  } else accumulate(<usize>nx, t);
}

/** Adds t into the gradient collected so far for a node's output (ownership passes). */
function accumulate(node: usize, t: i32): void {
  const old = nget(node, N_GRAD);
  if (!old) { nset(node, N_GRAD, t); return; }
  const s = addOut(old, t);
  release(old); release(t);
  nset(node, N_GRAD, s);
  if (!s) fail(Status.OutOfMemory);
}

/** Collects a gradient for tensor h (a leaf, or a non-leaf that retains its grad); applied at the end. */
function collectLeaf(h: i32, t: i32): void {
  for (let i = 0; i < lenOf(pending); i += 2) {
    if (at(pending, i) != h) continue;
    const old = at(pending, i + 1);
    const s = addOut(old, t);
    release(old); release(t);
    put(pending, i + 1, s);
    if (!s) fail(Status.OutOfMemory);
    return;
  }
  retain(h);
  if (!push(pending, h) || !push(pending, t)) { release(h); release(t); fail(Status.OutOfMemory); }
}

// ---- the walk -------------------------------------------------------------------------------

/** Adds the node to the walk (once per backward) after checking it can run; false on error. */
function visit(node: usize): bool {
  if (nget(node, N_EPOCH) == epoch) return true;
  nset(node, N_EPOCH, epoch);
  if (!runnable(node)) return false;
  const inner = innerNode(node);
  if (inner && !runnable(inner)) return false;
  if (!push(order, <i32>node)) { status = Status.OutOfMemory; return false; }
  return true;
}

/** Checks that the node's saved tensors are there and unchanged; false (and the error details) if not. */
function runnable(node: usize): bool {
  const fl = nget(node, N_FLAGS);
  if ((fl & NF_RELEASED) && (fl & NF_HAS_SAVED)) { setErr(0, nget(node, N_OP)); status = Status.FreedGraph; return false; }
  const stale = staleSaved(node);
  if (stale >= 0) {
    const s = savedRaw(node, stale);
    // named by its grad_fn now, as torch does (a view of a base written since gets its new one)
    if (!savedIsOutput(node, stale)) freshen(s);
    const from = savedIsOutput(node, stale) ? node : <usize>geti(s, E_NODE);
    setErr(0, nget(node, N_OP)); setErr(1, stale);
    setErr(2, savedCurrentVersion(node, stale)); setErr(3, savedVersion(node, stale));
    setErr(8, s); setErr(9, from ? nget(from, N_OP) : 0);
    status = Status.VersionMismatch;
    return false;
  }
  return true;
}

/** Checks edge i of node: its target's shape is what the op saw (differs only after `.data =`). */
function edgeFits(node: usize, i: i32): bool {
  const nx = nextOf(node, i);
  if (!nx) return true;
  const want = inShapeRec(node, i);
  const have = nx & 1 ? shapeRec(nx >>> 1) : outShapeRec(<usize>nx);
  if (have == want) return true;
  setErr(0, nget(node, N_OP)); setErr(1, i); setErr(6, <i32>have); setErr(7, <i32>want);
  status = Status.InvalidGradient;
  return false;
}

/**
 * Runs backward from the n roots listed at `roots` with gradients at `grads` (0 entries: ones).
 * `keepGraph`: keep saved tensors for another backward; `createGraph`: record the pass.
 * `inputs`/`nInputs`: autograd.grad mode — collect the gradients of these tensors (written back
 * at `inputs + 4 * nInputs`, 0 when none reached them) instead of accumulating into any .grad.
 * Returns a Status.
 */
export function backward(roots: usize, grads: usize, n: i32, keepGraph: bool, createGraph: bool,
                         inputs: usize, nInputs: i32): i32 {
  if (running) return Status.Reentrant; // a hook called backward
  running = true;
  status = Status.Ok;
  setLen(order, 0); setLen(pending, 0); setLen(temps, 0); setLen(captured, 0);
  recording = createGraph;
  capturing = nInputs > 0;
  const wasEnabled = isGradEnabled();
  epoch++;
  // views whose base was written in place since take their new history (roots and grad's inputs)
  for (let r = 0; r < n; r++) if (!freshen(load<i32>(roots + (<usize>r << 2)))) fail(Status.OutOfMemory);
  for (let r = 0; r < nInputs; r++) if (!freshen(load<i32>(inputs + (<usize>r << 2)))) fail(Status.OutOfMemory);
  for (let r = 0; r < n && status == Status.Ok; r++) {
    const root = load<i32>(roots + (<usize>r << 2));
    const node = <usize>geti(root, E_NODE);
    if (node && outShapeRec(node) != shapeRec(root)) {
      setErr(0, nget(node, N_OP)); setErr(1, 0); setErr(6, <i32>shapeRec(root)); setErr(7, <i32>outShapeRec(node));
      status = Status.InvalidGradient;
    } else if (node) visit(node);
  }
  for (let i = 0; i < lenOf(order) && status == Status.Ok; i++) {
    const node = <usize>at(order, i);
    const nIn = numInputs(node);
    for (let j = 0; j < nIn && status == Status.Ok; j++) {
      if (!edgeFits(node, j)) break;
      const nx = nextOf(node, j);
      if (nx && !(nx & 1)) visit(<usize>nx);
    }
  }
  if (status == Status.Ok) {
    sortNodes(lenOf(order));
    if (capturing) for (let i = 0; i < nInputs; i++) {
      if (!push(captured, load<i32>(inputs + (<usize>i << 2))) || !push(captured, 0)) fail(Status.OutOfMemory);
    }
  }
  setGradEnabled(createGraph);
  // seed the roots
  for (let r = 0; r < n && status == Status.Ok; r++) {
    const root = load<i32>(roots + (<usize>r << 2));
    let g = load<i32>(grads + (<usize>r << 2));
    if (g) retain(g);
    else g = fullOfRec(shapeRec(root), dtypeOf(root), 1);
    if (!g) { fail(Status.OutOfMemory); break; }
    const node = <usize>geti(root, E_NODE);
    if (node) accumulate(node, g);
    else deliverTensor(root, g);
  }
  for (let i = 0; i < lenOf(order) && status == Status.Ok; i++) {
    const node = <usize>at(order, i);
    let g = nget(node, N_GRAD);
    if (!g) continue;
    nset(node, N_GRAD, 0);
    // autograd.grad returns a non-leaf input's gradient as it arrives, before its hooks (torch 1.13)
    if (capturing) captureNonLeaf(node, g);
    const watch = nget(node, N_WATCH);
    if (watch) {
      g = hooked(watch, g);
      if (!g) break;
      if (flagsOf(watch) & F_RETAINS_GRAD && !capturing) { retain(g); collectLeaf(watch, g); }
    }
    const st = runRule(node, g);
    if (st != Status.Ok) { setErr(0, nget(node, N_OP)); fail(st); }
    release(g);
    for (let t = 0; t < lenOf(temps); t++) release(at(temps, t));
    setLen(temps, 0);
  }
  if (status == Status.Ok) applyPending();
  setGradEnabled(wasEnabled);
  // clean up: gradients left on nodes (after a failure), collected gradients, saved tensors
  for (let i = 0; i < lenOf(order); i++) {
    const node = <usize>at(order, i);
    const g = nget(node, N_GRAD);
    if (g) { release(g); nset(node, N_GRAD, 0); }
    if (status == Status.Ok && !keepGraph) releaseSaved(node);
  }
  for (let i = 0; i < lenOf(pending); i += 2) {
    release(at(pending, i));
    const g = at(pending, i + 1);
    if (g) release(g < 0 ? -g : g);
  }
  setLen(pending, 0);
  for (let t = 0; t < lenOf(temps); t++) release(at(temps, t));
  setLen(temps, 0);
  release(takeCaptured());
  if (capturing) {
    // a walk that failed early never listed the inputs: read only what this call pushed
    const listed = min(nInputs, lenOf(captured) >> 1);
    for (let i = 0; i < listed; i++) {
      const g = at(captured, 2 * i + 1);
      if (status == Status.Ok) store<i32>(inputs + (<usize>(nInputs + i) << 2), g);
      else if (g) release(g);
    }
    setLen(captured, 0);
  }
  capturing = false;
  recording = false;
  running = false;
  return status;
}

// @ts-ignore: decorator
@lazy const oneRoot: usize = memory.data(16, 16);

/** backward(root) with the implicit gradient and no options: the common l.backward(), in one call with no list to write. */
export function backwardRoot(root: i32): i32 {
  store<i32>(oneRoot, root);
  store<i32>(oneRoot, 0, 4);
  return backward(oneRoot, oneRoot + 4, 1, false, false, oneRoot + 8, 0);
}

/** A root that is a leaf: its gradient is the given one. */
function deliverTensor(h: i32, g: i32): void {
  if (capturing) { captureLeaf(h, g); return; }
  collectLeaf(h, g);
}

function hooked(h: i32, g: i32): i32 {
  if (!(flagsOf(h) & F_HAS_HOOK)) return g;
  const r = runHooks(h, g);
  if (r < 0) { release(g); fail(Status.HookFailed); return 0; }
  if (r == 0) return g;
  release(g);
  return r;
}

function captureNonLeaf(node: usize, g: i32): void {
  for (let i = 0; i < lenOf(captured); i += 2) {
    if (<usize>geti(at(captured, i), E_NODE) == node && !at(captured, i + 1)) { retain(g); put(captured, i + 1, g); }
  }
}
function captureLeaf(h: i32, g: i32): void {
  for (let i = 0; i < lenOf(captured); i += 2) {
    if (at(captured, i) != h) continue;
    const old = at(captured, i + 1);
    if (!old) { put(captured, i + 1, g); return; }
    const s = addOut(old, g);
    release(old); release(g);
    put(captured, i + 1, s);
    if (!s) fail(Status.OutOfMemory);
    return;
  }
  release(g);
}

/** Accumulates the collected gradients into .grad (after every rule ran without error). */
function applyPending(): void {
  if (capturing) {
    for (let i = 0; i < lenOf(pending); i += 2) {
      const g = at(pending, i + 1);
      put(pending, i + 1, 0);
      captureLeaf(at(pending, i), g);
    }
    return;
  }
  // Pass 1 may allocate and fail; nothing visible changes in it. Hooks on leaves run here too.
  for (let i = 0; i < lenOf(pending); i += 2) {
    const h = at(pending, i);
    let g = at(pending, i + 1);
    if (!geti(h, E_NODE)) {
      g = hooked(h, g);
      put(pending, i + 1, g);
      if (!g) return;
    }
    const old = geti(h, E_GRAD);
    if (old && shapeRec(old) != shapeRec(g)) {
      setErr(4, h); setErr(5, old);
      status = Status.GradShapeMismatch;
      return;
    }
    if (!old) {
      // a fresh .grad must be a tensor of its own: not a view, not shared with the graph
      if (!recording && (geti(g, E_REFS) > 1 || !isContiguous(g) || (flagsOf(g) & F_VIEW))) {
        const c = cloneOf(g);
        if (!c) { status = Status.OutOfMemory; return; }
        release(g);
        put(pending, i + 1, c);
      }
    } else if (!recording && hasOverlap(old)) {
      // as PyTorch: an expanded .grad cannot be accumulated into in place
      setErr(4, h); setErr(5, old);
      status = Status.InternalOverlap;
      return;
    } else if (recording || dtypeOf(old) != dtypeOf(g)) {
      // out of place: with createGraph the old gradient's graph stays
      const s = addOut(old, g);
      if (!s) { status = Status.OutOfMemory; return; }
      release(g);
      put(pending, i + 1, -s); // marks "replace .grad"
    }
  }
  // Pass 2 allocates nothing.
  for (let i = 0; i < lenOf(pending); i += 2) {
    const h = at(pending, i), g = at(pending, i + 1), old = geti(h, E_GRAD);
    put(pending, i + 1, 0);
    if (g < 0) { seti(h, E_GRAD, -g); release(old); }
    else if (!old) seti(h, E_GRAD, g);
    else { addInPlace(old, g); bumpVersion(old); release(g); }
  }
}

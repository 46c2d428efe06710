// Lifetimes of WASM-side tensors. JavaScript has no destructors, so:
// - Automatic: tensors are tracked in chunks of 64. A chunk is one small object that all its
//   tensors point to; it is registered once with a FinalizationRegistry, and when every tensor of
//   the chunk is unreachable the registry releases all 64 handles together. Registering one object
//   per tensor would cost more than the op itself; per chunk it is a few ns a tensor.
//   A tensor of more than BIG_BYTES gets a chunk of its own, so a long-lived small tensor pins
//   at most 63 small neighbours and never a large one.
// - Synchronous loops: in Node, the registry comes from a context where V8's cleanupSome() exists,
//   so reclaimed chunks are released inside a loop that never yields, and when the core's heap
//   passes a threshold a full GC is forced (the only kind of GC that finds dead chunks: V8's
//   scavenges keep FinalizationRegistry targets). The heap is checked every CHECK_TENSORS new
//   tensors or once the bytes they were estimated to take reach a budget, whichever comes first:
//   a loop of tiny temporaries checks as rarely as a count allows, a loop of large ones checks
//   before it can pass the threshold by much. Browsers reclaim when the loop yields, in a GC the
//   engine schedules itself; past the threshold an untouched ArrayBuffer tells the engine how much
//   memory is waiting (signalPressure). Long synchronous loops there use tidy().
// - Out of memory: retryAlloc() collects and tries an allocation once more before giving up.
// - Explicit: dispose(), tidy(fn) and `using` release at once and make memory deterministic
//   (scopes.ts keeps the open tidy() scopes).

import { W } from "./wasm/load.js";
import { i32, scratchIndex } from "./wasm/memory.js";
import { DisposedError, DTypeError } from "./errors.js";
import { nextScale, gcThreshold } from "./gcScale.js";
import { openScope, closeScope, innermostScope, addToScope, scopedBytes, collect } from "./scopes.js";

const CHUNK = 64;
const BIG_BYTES = 4096; // 1024 float32 elements

/** The part of a Tensor that lifetime management reads and writes. */
export interface Owned {
  _h: number;
  _chunk: Chunk | null;
  _slot: number;
}

// Handle arrays of released chunks, reused: allocating a typed array costs more than the
// 64 tensors' bookkeeping together.
const pool: Int32Array[] = [];

class Chunk {
  readonly handles: Int32Array;
  n = 0;
  constructor(size: number) {
    this.handles = size === CHUNK && pool.length !== 0 ? pool.pop()! : new Int32Array(size);
  }
}

function releaseHandles(handles: Int32Array): void {
  const base = scratchIndex();
  const v = i32();
  let k = 0;
  for (let i = 0; i < handles.length; i++) {
    if (handles[i] !== 0) v[base + k++] = handles[i];
  }
  if (k > 0) W.releaseMany(base << 2, k);
  if (handles.length === CHUNK && pool.length < 1024) {
    handles.fill(0);
    pool.push(handles);
  }
}

interface Registry {
  register(target: object, held: Int32Array): void;
  cleanupSome?: () => void;
}

let registry!: Registry;
let forceGc: (() => void) | null = null;
// The JS heap a forced GC has to mark (Node), read after each one: see gcScale.ts.
let jsHeapBytes: () => number = () => 0;

function setUpRegistry(): void {
  const FR = globalThis.FinalizationRegistry;
  const node = typeof process !== "undefined" && !!process.versions?.node && !!process.getBuiltinModule;
  if (node) {
    try {
      // cleanupSome() and a callable gc() come from a fresh context made after setting the V8 flags
      const v8 = process.getBuiltinModule("node:v8") as typeof import("node:v8");
      const vm = process.getBuiltinModule("node:vm") as typeof import("node:vm");
      v8.setFlagsFromString("--harmony-weak-refs-with-cleanup-some");
      v8.setFlagsFromString("--expose-gc");
      const ctx = vm.createContext();
      const NodeFR = vm.runInContext("FinalizationRegistry", ctx) as typeof FinalizationRegistry;
      registry = new NodeFR(releaseHandles) as unknown as Registry;
      const gc = vm.runInContext("gc", ctx) as (() => void) | undefined;
      if (typeof gc === "function") forceGc = gc;
      jsHeapBytes = () => v8.getHeapStatistics().used_heap_size;
      if (typeof registry.cleanupSome !== "function") delete registry.cleanupSome;
      return;
    } catch {
      // fall through to the plain registry
    }
  }
  registry = new FR(releaseHandles) as unknown as Registry;
}
setUpRegistry();

let current = new Chunk(CHUNK);
registry.register(current, current.handles);

/** Starts a new current chunk, so the old one can be finalized once its tensors are unreachable. */
function closeChunk(): void {
  if (current.n === 0) return;
  current = new Chunk(CHUNK);
  registry.register(current, current.handles);
}

// When to force a full GC (Node): gcThreshold (gcScale.ts) of gcHeapBytes, the scale and the heap
// after the last collection. A fixed target keeps the peak memory of small programs predictable
// (table pages and other bookkeeping count too); the proportional part keeps programs with large
// live data from collecting after every small allocation.
let gcHeapBytes = 12 << 20;
// Heap bytes after the last collection (the lowest seen since, if tensors were disposed).
let baseline = 0;
// When to look at the heap: every CHECK_TENSORS tensors, or once the estimate of the bytes that
// tensors tracked since the last check took passes checkBytes. The estimate is the bytes of their
// elements (it overcounts views, which only makes a check come early) plus TENSOR_OVERHEAD for the
// table entry, storage record and graph node.
const CHECK_TENSORS = 1024;
const TENSOR_OVERHEAD = 128;
let sinceCheck = 0;
let bytesSinceCheck = 0;

let scale = 1;
let share = 0;
let lastGcEnd = 0;

/** The heap size past which a check forces a GC. */
function threshold(): number {
  return gcThreshold(gcHeapBytes, scale, baseline);
}

/** The forced collection of a check, timed, and the threshold scaled by its share of the time. */
function timedCollection(): void {
  const tensors = W.liveTensors(), heap = W.heapLiveBytes();
  const t0 = performance.now();
  fullCollection();
  const t1 = performance.now();
  share = (share + (t1 - t0) / Math.max(t1 - lastGcEnd, 1e-3)) / 2;
  lastGcEnd = t1;
  const next = nextScale(scale, share, heap - W.heapLiveBytes(), tensors - W.liveTensors(), jsHeapBytes() / gcHeapBytes);
  if (next === scale) return;
  scale = next;
  setBudget(baseline);
}
let checkBytes = gcHeapBytes / 2;

/**
 * The next byte budget: half the room left below the GC threshold, so that allocations the estimate
 * misses (size-class rounding, tensors made inside backward) cannot carry the heap far past it
 * before the next check; at least 1/16 of gcHeapBytes (and 64 KiB), so checks near the threshold
 * stay rare compared with the work that allocates.
 */
function setBudget(live: number): void {
  const limit = threshold();
  checkBytes = Math.max((limit - live) / 2, gcHeapBytes / 16, 64 << 10);
}

/** Sets gcHeapBytes (checked by setMemoryOptions, memoryOptions.ts) and the next check's budget. */
export function setGcHeapBytes(v: number): void {
  gcHeapBytes = v;
  setBudget(W.heapLiveBytes());
}

/** Runs pending releases; forces a GC when the heap passed its threshold. */
function checkMemory(): void {
  sinceCheck = 0;
  bytesSinceCheck = 0;
  registry.cleanupSome?.();
  let live = W.heapLiveBytes();
  if (live < baseline) baseline = live;
  if (live > threshold()) live -= scopedBytes();
  if (forceGc && live > threshold()) {
    timedCollection();
  } else if (live > threshold()) {
    signalPressure(live);
    setBudget(live);
  } else {
    setBudget(live);
  }
}

// Browsers: no GC can be forced, and the engine's heuristics see only the small JS wrappers, not
// the core's memory they hold, so dead tensors could pile up for a long time between collections.
// An ArrayBuffer as large as the core's heap (up to 64 MiB) tells the engine how much memory is at
// stake: engines count ArrayBuffer backing stores as external memory and schedule a full GC when
// it grows, which finds the dead tensors. Its pages are never touched, so it costs address space,
// not memory; only the newest one is kept, the older ones are garbage for that same GC.
let pressure: ArrayBuffer | null = null;
function signalPressure(live: number): void {
  try {
    pressure = new ArrayBuffer(Math.min(Math.max(live, 1 << 20), 64 << 20));
  } catch {
    pressure = null; // no address space to spare: the engine's own schedule has to do
  }
  // the next signal only after the heap grew by half again (or fell below this level)
  baseline = live;
}

/** Forces a full GC and runs the releases it queued; resets the baseline and the budget. */
function fullCollection(): void {
  closeChunk();
  forceGc?.();
  registry.cleanupSome?.();
  baseline = W.heapLiveBytes();
  sinceCheck = 0;
  bytesSinceCheck = 0;
  setBudget(baseline);
}

/**
 * Releases every tensor that is already unreachable, synchronously where the engine allows it
 * (Node); returns whether anything was released. For the op layer: call it when the core ran out
 * of memory, then try once more (see retryAlloc).
 */
export function reclaim(): boolean {
  const tensors = W.liveTensors(), heap = W.heapLiveBytes();
  fullCollection();
  return W.liveTensors() < tensors || W.heapLiveBytes() < heap;
}

/**
 * Runs an allocating core call; if it returns 0 (out of memory), releases the unreachable tensors
 * (reclaim) and, if that freed anything, runs it once more. Returns the handle, or 0 if memory is
 * still short (the caller then throws OutOfMemoryError, as `wrap` does).
 *
 * fn must read its inputs' handles inside (`() => W.matmulOp(a._h, b._h)`), not capture handles taken
 * earlier: holding fn then keeps the input tensors reachable through the collection, so they cannot
 * be released under the retry.
 * ```ts
 * const out = retryAlloc(() => W.matmulOp(a._h, b._h));
 * if (out === 0) throw oom("matmul", shape);
 * ```
 */
export function retryAlloc(fn: () => number): number {
  const out = fn();
  if (out !== 0 || !reclaim()) return out;
  return fn();
}

/** Starts tracking a new tensor of `bytes` bytes of data (its handle holds one reference for this object). */
export function track(t: Owned, bytes: number): void {
  let c = current;
  if (bytes > BIG_BYTES) {
    c = new Chunk(1);
    registry.register(c, c.handles);
  } else if (c.n === CHUNK) {
    c = current = new Chunk(CHUNK);
    registry.register(c, c.handles);
  }
  t._chunk = c;
  t._slot = c.n;
  c.handles[c.n++] = t._h;
  const scope = innermostScope();
  if (scope !== null) addToScope(scope, t, bytes + TENSOR_OVERHEAD);
  if (++sinceCheck === CHECK_TENSORS || (bytesSinceCheck += bytes + TENSOR_OVERHEAD) > checkBytes) checkMemory();
}

/** Releases the tensor's WASM reference now; later use throws. Idempotent. */
export function dispose(t: Owned): void {
  const handle = t._h;
  if (handle === 0) return;
  // forget the handle before the core frees it, so no path can release it twice
  if (t._chunk) t._chunk.handles[t._slot] = 0;
  t._h = 0;
  t._chunk = null;
  W.release(handle);
}

export function disposedError(op: string): DisposedError {
  return new DisposedError(`${op}: tensor was disposed`);
}

/**
 * Runs fn and disposes every tensor created inside it except those it returns (a tensor, or an
 * array / object of tensors). Scopes nest.
 */
export function tidy<T>(fn: () => T): T {
  if (typeof fn !== "function") throw new DTypeError(`tidy: expected a function, got ${typeof fn}`);
  return inScope(fn, true);
}

/**
 * tidy() for state a library object keeps across calls (an optimizer's momentum buffers): the
 * tensors fn returns outlive every scope, the enclosing ones included, instead of passing to the
 * caller's tidy().
 */
export function tidyKeeping<T>(fn: () => T): T {
  return inScope(fn, false);
}

function inScope<T>(fn: () => T, handOn: boolean): T {
  const scope = openScope();
  let result: T;
  try {
    result = fn();
  } finally {
    closeScope();
  }
  if (result instanceof Promise) {
    for (const t of scope.tensors) dispose(t);
    throw new DTypeError("tidy: fn must be synchronous (it returned a Promise); tensors it made were disposed");
  }
  const keep = new Set<Owned>();
  collect(result, keep, new Set());
  // survivors belong to the enclosing scope, if any (and if handed on)
  const outer = handOn ? innermostScope() : null;
  scope.tensors.forEach((t, i) => {
    if (!keep.has(t)) dispose(t);
    else if (outer) addToScope(outer, t, scope.bytes[i]);
  });
  return result;
}

/** What the WASM core holds. */
export interface MemoryInfo {
  /** Live tensors (including unreachable ones not yet released). */
  tensors: number;
  /** Bytes of tensor data held by them. */
  bytes: number;
  /** Size of the WASM memory (it grows and never shrinks, so this is also its peak). */
  wasmBytes: number;
  /** Bytes allocated in the core: tensor data plus metadata, graph nodes and the tensor table. */
  heapBytes: number;
  /** Highest heapBytes so far. */
  peakHeapBytes: number;
}

/** Live tensors and bytes held by the WASM core, and the size of its memory. */
export function memory(): MemoryInfo {
  return {
    tensors: W.liveTensors(),
    bytes: W.tensorBytes(),
    wasmBytes: W.memory.buffer.byteLength,
    heapBytes: W.heapLiveBytes(),
    peakHeapBytes: W.heapPeakBytes(),
  };
}

/**
 * Releases every tensor that is already unreachable, including the newest ones (Node: forces a GC
 * first; browsers release what their GC has already found).
 * ```ts
 * collectGarbage();
 * console.log(memory().tensors);
 * ```
 */
export function collectGarbage(): void {
  fullCollection();
}

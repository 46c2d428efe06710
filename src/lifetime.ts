// Lifetimes of WASM-side tensors. JavaScript has no destructors, so:
// - Automatic: tensors are tracked in chunks of 64. A chunk is one small object that all its
//   tensors point to; it is registered once with a FinalizationRegistry, and when every tensor of
//   the chunk is unreachable the registry releases all 64 handles together. Registering one object
//   per tensor would cost more than the op itself (DESIGN.md); per chunk it is a few ns a tensor.
//   A tensor with more than BIG elements gets a chunk of its own, so a long-lived small tensor pins
//   at most 63 small neighbours and never a large one.
// - Synchronous loops: in Node, the registry comes from a context where V8's cleanupSome() exists,
//   so reclaimed chunks are released inside a loop that never yields, and when the core's heap
//   passes a threshold a full GC is forced (the only kind of GC that finds dead chunks: V8's
//   scavenges keep FinalizationRegistry targets). Browsers reclaim when the loop yields; long
//   synchronous loops there use tidy().
// - Explicit: dispose(), tidy(fn) and `using` release at once and make memory deterministic.

import { W } from "./wasm/load.js";
import { i32, scratchIndex } from "./wasm/memory.js";
import { DisposedError, DTypeError } from "./errors.js";

const CHUNK = 64;
const BIG = 1024;

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

function setUpRegistry(): void {
  const FR = globalThis.FinalizationRegistry;
  const node = typeof process !== "undefined" && !!process.versions?.node && !!process.getBuiltinModule;
  if (node) {
    try {
      // see DESIGN.md, Memory: cleanupSome() and a callable gc() from a fresh context
      const v8 = process.getBuiltinModule("node:v8") as typeof import("node:v8");
      const vm = process.getBuiltinModule("node:vm") as typeof import("node:vm");
      v8.setFlagsFromString("--harmony-weak-refs-with-cleanup-some");
      v8.setFlagsFromString("--expose-gc");
      const ctx = vm.createContext();
      const NodeFR = vm.runInContext("FinalizationRegistry", ctx) as typeof FinalizationRegistry;
      registry = new NodeFR(releaseHandles) as unknown as Registry;
      const gc = vm.runInContext("gc", ctx) as (() => void) | undefined;
      if (typeof gc === "function") forceGc = gc;
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
let sinceCheck = 0;
let baseline = 0;

// When to force a full GC (Node): once the core's heap exceeds gcHeapBytes, or half as much again
// as it held after the last collection, whichever is larger. A fixed target keeps the peak memory
// of small programs predictable (table pages and other bookkeeping count too); the proportional
// part keeps programs with large live data from collecting after every small allocation.
let gcHeapBytes = 12 << 20;

/** Options of the automatic release (Node): the heap size at which a full GC is forced. */
export function setMemoryOptions(opts: { gcHeapBytes?: number }): void {
  if (opts.gcHeapBytes !== undefined) gcHeapBytes = opts.gcHeapBytes;
}

/** Every 1024 new tensors: run pending releases; force a GC when the heap passed its threshold. */
function checkMemory(): void {
  sinceCheck = 0;
  registry.cleanupSome?.();
  const live = W.heapLiveBytes();
  if (live < baseline) baseline = live;
  if (forceGc && live > Math.max(gcHeapBytes, baseline * 1.5)) {
    forceGc();
    registry.cleanupSome?.();
    baseline = W.heapLiveBytes();
  }
}

const scopes: Owned[][] = [];

/** Starts tracking a new tensor (its handle holds one reference for this object). */
export function track(t: Owned, numel: number): void {
  let c = current;
  if (numel > BIG) {
    c = new Chunk(1);
    registry.register(c, c.handles);
  } else if (c.n === CHUNK) {
    c = current = new Chunk(CHUNK);
    registry.register(c, c.handles);
  }
  t._chunk = c;
  t._slot = c.n;
  c.handles[c.n++] = t._h;
  if (scopes.length !== 0) scopes[scopes.length - 1].push(t);
  if (++sinceCheck === 1024) checkMemory();
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
  const scope: Owned[] = [];
  scopes.push(scope);
  let result: T;
  try {
    result = fn();
  } finally {
    scopes.pop();
  }
  if (result instanceof Promise) {
    for (const t of scope) dispose(t);
    throw new DTypeError("tidy: fn must be synchronous (it returned a Promise); tensors it made were disposed");
  }
  const keep = new Set<Owned>();
  collect(result, keep, new Set());
  for (const t of scope) if (!keep.has(t)) dispose(t);
  // survivors belong to the enclosing scope, if any
  if (scopes.length !== 0) for (const t of keep) if (scope.includes(t)) scopes[scopes.length - 1].push(t);
  return result;
}

/** Every tensor reachable from a returned value: through arrays, Maps, Sets and plain objects. */
function collect(v: unknown, into: Set<Owned>, seen: Set<unknown>): void {
  if (v === null || typeof v !== "object" || seen.has(v)) return;
  seen.add(v);
  if ("_h" in (v as object) && "_chunk" in (v as object)) {
    into.add(v as Owned);
    return;
  }
  if (Array.isArray(v) || v instanceof Set) for (const x of v) collect(x, into, seen);
  else if (v instanceof Map) for (const [k, x] of v) { collect(k, into, seen); collect(x, into, seen); }
  else for (const k of Object.keys(v as object)) collect((v as Record<string, unknown>)[k], into, seen);
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

/** Releases every tensor that is already unreachable (Node: forces a GC first). */
export function collectGarbage(): void {
  forceGc?.();
  registry.cleanupSome?.();
  baseline = W.heapLiveBytes();
}

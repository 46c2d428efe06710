// The only module that touches the WASM memory's ArrayBuffer. Any call into the core may grow
// memory, which detaches existing views of a plain memory, so views are rebuilt whenever the buffer
// changed and never held across a call. A shared memory (threads builds) is not detached by growth:
// `memory.buffer` becomes a new, longer SharedArrayBuffer while the old one stays valid but short,
// so the check compares lengths as well as identity.

import { DType, READ_CHUNK } from "../../assembly/abi.js";
import { W, onLoad } from "./load.js";
import { retryAlloc } from "../lifetime.js";
import { oom } from "../errors.js";

let buffer: ArrayBufferLike | null = null;
let bytes = -1;
let f32v: Float32Array = new Float32Array(0);
let f64v: Float64Array = new Float64Array(0);
let i32v: Int32Array = new Int32Array(0);
let u8v: Uint8Array = new Uint8Array(0);
let scratch = 0; // i32 index of the core's scratch area

onLoad(() => {
  scratch = W.scratchAddr() >>> 2;
});

function refresh(): void {
  buffer = W.memory.buffer;
  bytes = buffer.byteLength;
  f32v = new Float32Array(buffer);
  f64v = new Float64Array(buffer);
  i32v = new Int32Array(buffer);
  u8v = new Uint8Array(buffer);
}

function stale(): boolean {
  const b = W.memory.buffer;
  return b !== buffer || b.byteLength !== bytes;
}

/** An Int32Array over all of WASM memory, valid until the next call into the core. */
export function i32(): Int32Array {
  if (stale()) refresh();
  return i32v;
}

/** Writes up to 256 ints into the core's scratch area (shapes, dims, handles for the next call). */
export function writeScratch(values: readonly number[]): void {
  const v = i32();
  for (let i = 0; i < values.length; i++) v[scratch + i] = values[i];
}

/** i32 index of the scratch area (for callers that write more than a shape). */
export function scratchIndex(): number {
  return scratch;
}

type Values = Float32Array | Float64Array | Int32Array | Uint8Array;

function viewOf(dt: DType): Values {
  if (stale()) refresh();
  return dt === DType.Float32 ? f32v : dt === DType.Float64 ? f64v : dt === DType.Int32 ? i32v : u8v;
}
const SHIFT = [2, 3, 2, 0];

/**
 * Copies n elements of a tensor's row-major values (typed by dtype) out of WASM memory. A strided
 * tensor's values come through blocks of READ_CHUNK elements (readRange), so reading a view needs
 * no contiguous copy of the whole; with no memory for a block (even after a collection), or for
 * the JS array, it throws an OutOfMemoryError naming `op`.
 */
export function readValues(h: number, n: number, dt: DType, op = "read"): Values {
  let out: Values;
  try {
    out = dt === DType.Float32 ? new Float32Array(n) : dt === DType.Float64 ? new Float64Array(n)
      : dt === DType.Int32 ? new Int32Array(n) : new Uint8Array(n);
  } catch (e) {
    if (e instanceof RangeError) throw oom(op);
    throw e;
  }
  if (n === 0) return out;
  if (W.isContiguous(h)) {
    const at = (W.dataAddr(h) >>> 0) >>> SHIFT[dt];
    out.set(viewOf(dt).subarray(at, at + n));
    return out;
  }
  for (let start = 0; start < n; start += READ_CHUNK) {
    const count = Math.min(READ_CHUNK, n - start);
    let p = W.readRange(h, start, count) >>> 0;
    if (p === 0) p = retryAlloc(() => W.readRange(h, start, count)) >>> 0;
    if (p === 0) throw oom(op);
    const at = p >>> SHIFT[dt];
    out.set(viewOf(dt).subarray(at, at + count), start);
    W.freeRange(h, p, count);
  }
  return out;
}

/** Writes values into a fresh contiguous tensor's storage (converted to its dtype by the typed array). */
export function writeValues(h: number, values: ArrayLike<number>, dt: DType): void {
  const dst = viewOf(dt);
  dst.set(values, (W.dataAddr(h) >>> 0) >>> SHIFT[dt]);
}

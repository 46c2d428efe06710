// The only module that touches the WASM memory's ArrayBuffer. Any call into the core may grow
// memory, which detaches existing views, so views are rebuilt whenever the buffer changed and
// never held across a call.

import { W, onLoad } from "./load.js";

let buffer: ArrayBuffer | null = null;
let f32v = new Float32Array(0);
let i32v = new Int32Array(0);
let scratch = 0; // i32 index of the core's scratch area

onLoad(() => {
  scratch = W.scratchAddr() >>> 2;
});

function refresh(): void {
  buffer = W.memory.buffer;
  f32v = new Float32Array(buffer);
  i32v = new Int32Array(buffer);
}

/** A Float32Array over all of WASM memory, valid until the next call into the core. */
export function f32(): Float32Array {
  if (W.memory.buffer !== buffer) refresh();
  return f32v;
}

/** An Int32Array over all of WASM memory, valid until the next call into the core. */
export function i32(): Int32Array {
  if (W.memory.buffer !== buffer) refresh();
  return i32v;
}

/** Writes up to 64 ints into the core's scratch area (shapes and dims for the next call). */
export function writeScratch(values: readonly number[]): void {
  const v = i32();
  for (let i = 0; i < values.length; i++) v[scratch + i] = values[i];
}

/** i32 index of the scratch area (for callers that write more than a shape). */
export function scratchIndex(): number {
  return scratch;
}

/** Copies n elements of a tensor's row-major values (f32 or i32 by `int`) out of WASM memory. */
export function readValues(h: number, n: number, int: boolean): Float32Array | Int32Array {
  const p = W.readAddr(h);
  const out = int ? new Int32Array(n) : new Float32Array(n);
  const src = int ? i32() : f32();
  out.set(src.subarray(p >>> 2, (p >>> 2) + n));
  W.freeCopy(h, p);
  return out;
}

/** Writes values into a fresh contiguous tensor's storage. */
export function writeValues(h: number, values: ArrayLike<number>, int: boolean): void {
  const p = W.dataAddr(h) >>> 2;
  const dst = int ? i32() : f32();
  dst.set(values, p);
}

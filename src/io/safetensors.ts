// Checkpoints in the safetensors format, byte for byte what the Python `safetensors` package
// writes for the same tensors: data ordered by dtype (F64, F32, I32, BOOL: widest first, so every
// tensor is aligned for zero-copy readers) then by name, the header padded with spaces to 8 bytes.

import { DType } from "../../assembly/abi.js";
import { Tensor, h, describe } from "../tensor.js";
import { empty } from "../ops/creation.js";
import { writeValues } from "../wasm/memory.js";
import { DTYPE_NAMES } from "../dtype.js";
import { DTypeError, formatShape } from "../errors.js";
import { readHeader, quote, SafetensorsError, MAX_HEADER_BYTES, ELEMENT_BYTES, type TensorEntry } from "./header.js";

export { SafetensorsError };

/** Options of `save()`: the metadata block of the safetensors header. */
export interface SaveOptions {
  /** Free-form string pairs stored under "__metadata__" (e.g. { format: "pt" }). */
  metadata?: Record<string, string>;
}

/** A state dict: plain object or Map of name → Tensor, or anything with a stateDict() method. */
export type StateDict = Record<string, Tensor> | ReadonlyMap<string, Tensor> | {
  /** name -> tensor, as nn.Module.stateDict() gives. */
  stateDict(): Record<string, Tensor>;
};

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
// by DType code; the Python writer orders data by its dtype enum, descending: F64 > F32 > I32 > BOOL
const FILE_DTYPE = ["F32", "F64", "I32", "BOOL"] as const;
const WRITE_ORDER = [2, 3, 1, 0];

const encoder = new TextEncoder();

/** Reverses the bytes of each element (only on big-endian hosts: the file is little-endian). */
function toFileOrder(b: Uint8Array, size: number): void {
  if (LITTLE_ENDIAN_HOST || size === 1) return;
  for (let i = 0; i < b.length; i += size) b.subarray(i, i + size).reverse();
}

/** Strings that cannot be encoded as UTF-8 unchanged (a lone UTF-16 surrogate). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Orders names as the Rust writer does: by their UTF-8 bytes. */
function compareUtf8(a: string, b: string): number {
  if (a === b) return 0;
  const x = encoder.encode(a), y = encoder.encode(b);
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) if (x[i] !== y[i]) return x[i] - y[i];
  return x.length - y.length;
}

function entriesOf(sd: unknown, op: string): Array<[string, Tensor]> {
  if (sd instanceof Tensor) throw new DTypeError(`${op}: expected a state dict {name: Tensor}, got a single Tensor; give it a name, e.g. ${op}({ weight: t })`);
  if (sd === null || typeof sd !== "object" || Array.isArray(sd)) {
    throw new DTypeError(`${op}: expected a state dict {name: Tensor} (an object or a Map), got ${describe(sd)}`);
  }
  let raw: Array<[unknown, unknown]>;
  if (sd instanceof Map) raw = [...sd.entries()];
  else if (typeof (sd as { stateDict?: unknown }).stateDict === "function") {
    const inner = (sd as { stateDict(): unknown }).stateDict();
    if (inner === null || typeof inner !== "object" || inner instanceof Map || Array.isArray(inner)) {
      throw new DTypeError(`${op}: stateDict() returned ${describe(inner)}, expected an object {name: Tensor}`);
    }
    raw = Object.entries(inner);
  } else raw = Object.entries(sd);
  const out: Array<[string, Tensor]> = [];
  for (const [name, t] of raw) {
    if (typeof name !== "string") throw new DTypeError(`${op}: tensor names must be strings, got ${describe(name)}`);
    if (!(t instanceof Tensor)) throw new DTypeError(`${op}: value for ${quote(name)} is not a Tensor, got ${describe(t)}`);
    if (name === "__metadata__") throw new SafetensorsError(`${op}: the name "__metadata__" is reserved for the header's metadata`);
    if (LONE_SURROGATE.test(name)) throw new SafetensorsError(`${op}: tensor name ${quote(name)} contains a lone UTF-16 surrogate, which UTF-8 cannot hold`);
    out.push([name, t]);
  }
  return out;
}

function metadataOf(opts: SaveOptions | undefined, op: string): Record<string, string> | null {
  if (opts === undefined) return null;
  if (opts === null || typeof opts !== "object" || Array.isArray(opts)) {
    throw new DTypeError(`${op}: options must be an object like { metadata: { format: "pt" } }, got ${describe(opts)}`);
  }
  const m = opts.metadata;
  if (m === undefined) return null;
  if (m === null || typeof m !== "object" || Array.isArray(m)) throw new DTypeError(`${op}: metadata must be an object of strings, got ${describe(m)}`);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(m)) {
    if (typeof v !== "string") throw new DTypeError(`${op}: metadata value ${quote(k)} must be a string, got ${describe(v)}`);
    if (LONE_SURROGATE.test(k) || LONE_SURROGATE.test(v)) throw new SafetensorsError(`${op}: metadata ${quote(k)} contains a lone UTF-16 surrogate, which UTF-8 cannot hold`);
    Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/**
 * A state dict as safetensors bytes (readable by `safetensors.torch.load` / `load_file`).
 * float32, float64, int32 and bool tensors are written as F32, F64, I32 and BOOL.
 */
export function save(stateDictOrTensors: StateDict, opts?: SaveOptions): Uint8Array {
  return saveBytes(stateDictOrTensors, opts, "save");
}

/** save() whose errors name `op` (save, or saveFile). */
export function saveBytes(stateDictOrTensors: StateDict, opts: SaveOptions | undefined, op: string): Uint8Array {
  const metadata = metadataOf(opts, op);
  const items = entriesOf(stateDictOrTensors, op).map(([name, t]) => {
    h(t, op); // disposed tensors fail here, before anything is read
    return { name, t, dt: t._dt as DType };
  });
  items.sort((a, b) => WRITE_ORDER[b.dt] - WRITE_ORDER[a.dt] || compareUtf8(a.name, b.name));

  // written by hand: JSON.stringify of an object would move integer-like names to the front
  const fields: string[] = [];
  if (metadata) fields.push(`"__metadata__":${JSON.stringify(metadata)}`);
  let at = 0;
  const datas: Uint8Array[] = [];
  for (const { name, t, dt } of items) {
    const values = t.dataSync();
    const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
    toFileOrder(bytes, ELEMENT_BYTES[FILE_DTYPE[dt]]);
    datas.push(bytes);
    fields.push(`${JSON.stringify(name)}:{"dtype":"${FILE_DTYPE[dt]}","shape":[${t._shape.join(",")}],"data_offsets":[${at},${at + bytes.length}]}`);
    at += bytes.length;
  }
  const json = encoder.encode(`{${fields.join(",")}}`);
  const padded = json.length + ((8 - (json.length % 8)) % 8);
  if (padded > MAX_HEADER_BYTES) {
    throw new SafetensorsError(`${op}: the header would be ${padded} bytes; readers refuse headers over ${MAX_HEADER_BYTES} bytes (use fewer or shorter names)`);
  }
  const out = new Uint8Array(8 + padded + at);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, padded, true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + padded);
  let p = 8 + padded;
  for (const d of datas) { out.set(d, p); p += d.length; }
  return out;
}

function bytesOf(data: unknown, op: string): Uint8Array {
  if (data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (typeof SharedArrayBuffer !== "undefined" && data instanceof SharedArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  throw new DTypeError(`${op}: expected the file's bytes as a Uint8Array or ArrayBuffer, got ${describe(data)}`);
}

type Values = Float32Array | Float64Array | Int32Array | Uint8Array;

/** One tensor's values in wasmgrad's dtype (I64 narrowed to int32, BOOL as 0/1). */
function decode(bytes: Uint8Array, start: number, e: TensorEntry, op: string): { dt: DType; values: Values } {
  const size = ELEMENT_BYTES[e.dtype];
  // an own, aligned buffer (a Node Buffer's slice() would share the file's memory)
  const copy = new Uint8Array(e.end - e.begin);
  copy.set(bytes.subarray(start + e.begin, start + e.end));
  toFileOrder(copy, size);
  switch (e.dtype) {
    case "F32": return { dt: DType.Float32, values: new Float32Array(copy.buffer) };
    case "F64": return { dt: DType.Float64, values: new Float64Array(copy.buffer) };
    case "I32": return { dt: DType.Int32, values: new Int32Array(copy.buffer) };
    case "BOOL": {
      for (let i = 0; i < copy.length; i++) copy[i] = copy[i] !== 0 ? 1 : 0;
      return { dt: DType.Bool, values: copy };
    }
    case "I64": {
      const words = new Int32Array(copy.buffer);
      const n = words.length >>> 1, lo = LITTLE_ENDIAN_HOST ? 0 : 1, hi = 1 - lo;
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        const l = words[2 * i + lo];
        if (words[2 * i + hi] !== l >> 31) {
          const v = new BigInt64Array(copy.buffer, 8 * i, 1)[0];
          throw new SafetensorsError(`${op}: tensor ${quote(e.name)} (I64): value ${v} at index ${i} does not fit int32 (int64 data is narrowed to int32)`);
        }
        out[i] = l;
      }
      return { dt: DType.Int32, values: out };
    }
  }
}

/** Tensors from safetensors bytes: the whole file is checked before any tensor is made. */
export function loadBytes(data: unknown, op: string): Record<string, Tensor> {
  const bytes = bytesOf(data, op);
  const header = readHeader(bytes, op);
  const entries = header.tensors.slice().sort((a, b) => compareUtf8(a.name, b.name));
  const decoded = entries.map((e) => decode(bytes, header.dataStart, e, op));
  const out: Record<string, Tensor> = {};
  const made: Tensor[] = [];
  try {
    entries.forEach((e, i) => {
      const { dt, values } = decoded[i];
      const t = empty(e.shape, { dtype: DTYPE_NAMES[dt] });
      made.push(t);
      if (values.length !== t.numel()) throw new SafetensorsError(`${op}: tensor ${quote(e.name)}: ${values.length} values for shape ${formatShape(e.shape)}`);
      writeValues(h(t, op), values, dt);
      // defineProperty, so a tensor named "__proto__" is an ordinary key
      Object.defineProperty(out, e.name, { value: t, enumerable: true, writable: true, configurable: true });
    });
  } catch (err) {
    for (const t of made) t.dispose();
    throw err;
  }
  return out;
}

/** Tensors from safetensors bytes (as written by `safetensors.torch.save` or by save()). */
export function load(bytes: Uint8Array | ArrayBuffer): Record<string, Tensor> {
  return loadBytes(bytes, "load");
}

// The safetensors header: 8 bytes of little-endian length, then a JSON object
// {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {key: string}}.
// readHeader checks every rule the reference reader (the Rust `safetensors` crate) enforces,
// plus what wasmgrad can hold, before any tensor is made, so a bad file never leaves partial state.

import { WasmgradError, formatShape } from "../errors.js";
import { MAX_DIMS, MAX_NUMEL } from "../shape.js";
import { parseJson, JsonNumber, JsonObject, JsonSyntaxError, type JsonValue } from "./json.js";

/** A malformed or unsupported safetensors file, or a state dict that cannot be written as one. */
export class SafetensorsError extends WasmgradError {}

/** The reference reader's limit on the JSON header. */
export const MAX_HEADER_BYTES = 100_000_000;

/** Bytes per element of every dtype the format defines (wasmgrad loads a few of them). */
const FORMAT_DTYPES: Record<string, number> = {
  BOOL: 1, U8: 1, I8: 1, F8_E5M2: 1, F8_E4M3: 1, F8_E8M0: 1, I16: 2, U16: 2, F16: 2, BF16: 2,
  I32: 4, U32: 4, F32: 4, F64: 8, I64: 8, U64: 8,
};

/** The dtypes load() turns into tensors (I64 is narrowed to int32). */
export type LoadDtype = "F32" | "F64" | "I32" | "I64" | "BOOL";
const LOADABLE: readonly string[] = ["F32", "F64", "I32", "I64", "BOOL"];

export interface TensorEntry {
  name: string;
  dtype: LoadDtype;
  shape: number[];
  /** byte offsets relative to the start of the data section */
  begin: number;
  end: number;
}

export interface Header {
  tensors: TensorEntry[];
  metadata: Record<string, string> | null;
  /** where the data section starts in the file (8 + header length) */
  dataStart: number;
}

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** A name as it appears in messages (JSON-quoted, shortened if very long). */
export function quote(name: string): string {
  const q = JSON.stringify(name);
  return q.length > 80 ? `${q.slice(0, 77)}..."` : q;
}

function describeJson(v: JsonValue): string {
  if (v === null) return "null";
  if (typeof v === "boolean") return String(v);
  if (typeof v === "string") return `the string ${quote(v)}`;
  if (v instanceof JsonNumber) return `the number ${v.text.length > 24 ? v.text.slice(0, 24) + "..." : v.text}`;
  if (v instanceof JsonObject) return "an object";
  return "an array";
}

/** A non-negative integer written as one (`2`, not `2.0`, `2e0` or `-0`) that JS holds exactly. */
function nonNegInt(v: JsonValue): number | null {
  if (!(v instanceof JsonNumber) || !/^(?:0|[1-9][0-9]*)$/.test(v.text)) return null;
  const n = Number(v.text);
  return Number.isSafeInteger(n) ? n : null;
}

function field(obj: JsonObject, key: string): JsonValue | undefined {
  let found: JsonValue | undefined;
  for (const [k, v] of obj.entries) if (k === key) found = v;
  return found;
}

function entryOf(name: string, v: JsonValue, op: string): TensorEntry {
  const err = (what: string) => new SafetensorsError(`${op}: tensor ${quote(name)}: ${what}`);
  if (!(v instanceof JsonObject)) throw err(`expected an object {dtype, shape, data_offsets}, got ${describeJson(v)}`);
  const seen = new Set<string>();
  for (const [k] of v.entries) {
    if (seen.has(k)) throw err(`duplicate key ${quote(k)} in its header entry`);
    seen.add(k);
  }
  const dtype = field(v, "dtype"), shape = field(v, "shape"), offsets = field(v, "data_offsets");
  if (dtype === undefined) throw err("missing \"dtype\"");
  if (shape === undefined) throw err("missing \"shape\"");
  if (offsets === undefined) throw err("missing \"data_offsets\"");
  if (typeof dtype !== "string") throw err(`"dtype" must be a string, got ${describeJson(dtype)}`);
  if (!Object.prototype.hasOwnProperty.call(FORMAT_DTYPES, dtype)) {
    throw err(`unknown dtype ${quote(dtype)}`);
  }
  if (!LOADABLE.includes(dtype)) {
    throw err(`dtype ${dtype} is not supported; wasmgrad loads F32, F64, I32, I64 (narrowed to int32) and BOOL`);
  }
  if (!Array.isArray(shape)) throw err(`"shape" must be an array of sizes, got ${describeJson(shape)}`);
  const dims: number[] = [];
  for (const d of shape) {
    const n = nonNegInt(d);
    if (n === null) throw err(`invalid shape: sizes must be non-negative integers, got ${describeJson(d)}`);
    dims.push(n);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2) {
    throw err(`"data_offsets" must be an array [begin, end], got ${Array.isArray(offsets) ? `${offsets.length} values` : describeJson(offsets)}`);
  }
  const begin = nonNegInt(offsets[0]), end = nonNegInt(offsets[1]);
  if (begin === null || end === null) {
    throw err(`"data_offsets" must be non-negative integers, got [${offsets.map(describeJson).join(", ")}]`);
  }
  if (end < begin) throw err(`data_offsets [${begin}, ${end}] end before they begin`);
  return { name, dtype: dtype as LoadDtype, shape: dims, begin, end };
}

function checkSize(t: TensorEntry, op: string): void {
  const err = (what: string) => new SafetensorsError(`${op}: tensor ${quote(t.name)}: ${what}`);
  let numel = 1;
  for (const d of t.shape) numel *= d;
  const nbytes = numel * FORMAT_DTYPES[t.dtype];
  if (nbytes !== t.end - t.begin) {
    throw err(`size does not match dtype and shape: ${t.dtype} ${formatShape(t.shape)} needs ${Number.isSafeInteger(nbytes) ? nbytes : "more than 2^53"} bytes, data_offsets [${t.begin}, ${t.end}] hold ${t.end - t.begin}`);
  }
  // a valid file, but one wasmgrad cannot hold
  if (t.shape.length > MAX_DIMS) throw err(`${t.shape.length} dims; at most ${MAX_DIMS} are supported`);
  for (const d of t.shape) {
    if (d > MAX_NUMEL) throw err(`shape ${formatShape(t.shape)} has a size over ${MAX_NUMEL}, which is not supported`);
  }
  if (numel > MAX_NUMEL) throw err(`shape ${formatShape(t.shape)} has ${numel} elements; at most ${MAX_NUMEL} are supported`);
}

/** Parses and checks the header of a whole file. */
export function readHeader(bytes: Uint8Array, op: string): Header {
  const err = (what: string) => new SafetensorsError(`${op}: ${what}`);
  const total = bytes.length;
  if (total < 8) throw err(`header too small: a safetensors file starts with an 8-byte header length, got ${total} bytes`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, 8);
  const lo = dv.getUint32(0, true), hi = dv.getUint32(4, true);
  const n = hi * 2 ** 32 + lo; // inexact above 2^53, but then it is over the limit anyway
  if (n > MAX_HEADER_BYTES) {
    throw err(`header too large: its length field says ${n < 2 ** 53 ? n : "more than 2^53"} bytes, at most ${MAX_HEADER_BYTES} are allowed`);
  }
  if (8 + n > total) throw err(`header length ${n} goes past the end of the file (${total} bytes, so at most ${total - 8})`);
  let text: string;
  try {
    text = utf8.decode(Uint8Array.prototype.slice.call(bytes, 8, 8 + n)); // a copy: decode refuses shared memory
  } catch {
    throw err("header is not valid UTF-8");
  }
  let root: JsonValue;
  try {
    root = parseJson(text);
  } catch (e) {
    if (e instanceof JsonSyntaxError) throw err(`header is not valid JSON: ${e.what} at character ${e.at}`);
    throw e;
  }
  if (!(root instanceof JsonObject)) throw err(`header is not a JSON object, got ${describeJson(root)}`);

  const tensors: TensorEntry[] = [];
  let metadata: Record<string, string> | null = null;
  const names = new Set<string>();
  for (const [name, v] of root.entries) {
    if (names.has(name)) throw err(`duplicate tensor name ${quote(name)} in the header`);
    names.add(name);
    if (name === "__metadata__") {
      if (v === null) continue;
      if (!(v instanceof JsonObject)) throw err(`"__metadata__" must be an object of strings, got ${describeJson(v)}`);
      metadata = {};
      for (const [k, s] of v.entries) {
        if (typeof s !== "string") throw err(`"__metadata__" value ${quote(k)} must be a string, got ${describeJson(s)}`);
        if (Object.prototype.hasOwnProperty.call(metadata, k)) throw err(`duplicate "__metadata__" key ${quote(k)}`);
        Object.defineProperty(metadata, k, { value: s, enumerable: true, writable: true, configurable: true });
      }
      continue;
    }
    tensors.push(entryOf(name, v, op));
  }

  // The data section is the tensors back to back, in offset order, from 0 to the end of the file.
  const byOffset = tensors.slice().sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = 0;
  let prev: TensorEntry | null = null;
  for (const t of byOffset) {
    if (t.begin !== at) {
      const where = `data_offsets [${t.begin}, ${t.end}]`;
      if (prev === null) throw err(`tensor ${quote(t.name)}: ${where}: the data does not start at offset 0 (a gap of ${t.begin} bytes)`);
      if (t.begin < at) throw err(`tensor ${quote(t.name)}: ${where} overlap tensor ${quote(prev.name)}'s [${prev.begin}, ${prev.end}]`);
      throw err(`tensor ${quote(t.name)}: ${where} leave a gap of ${t.begin - at} bytes after tensor ${quote(prev.name)}'s [${prev.begin}, ${prev.end}]`);
    }
    checkSize(t, op);
    at = t.end;
    prev = t;
  }
  const dataStart = 8 + n;
  const expected = dataStart + at;
  if (expected < total) throw err(`${total - expected} trailing bytes after the last tensor (the header accounts for ${expected} of ${total} bytes)`);
  if (expected > total) throw err(`file truncated: the header needs ${expected} bytes, the file has ${total} (${expected - total} missing)`);
  return { tensors, metadata, dataStart };
}

/** Bytes of one element of each dtype written or read. */
export const ELEMENT_BYTES = FORMAT_DTYPES;

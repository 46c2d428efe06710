// The IDX format of the MNIST files (yann.lecun.com/exdb/mnist): a 4-byte magic number
// 0x00 0x00 <element type> <number of dims>, one big-endian int32 per dim, then the elements in
// row-major order. Only unsigned bytes (type 0x08) occur in MNIST, and only they are read here.
// Files may be gzipped; gzip is recognised by its own magic bytes (1f 8b), not by the name.

import { WasmgradError } from "../errors.js";
import type { FilePath } from "../io/node.js";

/** A dataset file that is missing, unreadable or malformed. */
export class DatasetError extends WasmgradError {}

// The few Node functions used, typed here so that the published types need no @types/node.
interface Zlib { gunzipSync(bytes: Uint8Array): Uint8Array }
// Paths are strings or file: URLs, typed structurally so that no DOM lib is needed either.
interface Fs { existsSync(path: FilePath): boolean; readFileSync(path: FilePath): Uint8Array }

const UBYTE = 0x08;

function builtin<T>(name: string, op: string, what: string): T {
  const get = typeof process !== "undefined" ? process.getBuiltinModule : undefined;
  if (typeof get !== "function") {
    throw new DatasetError(`${op}: ${what} needs Node (>= 20.16); in browsers pass the decompressed IDX bytes instead`);
  }
  return get(name) as T;
}

export function nodeFs(op: string): Fs {
  return builtin<Fs>("node:fs", op, "reading files");
}

/** A path for messages: the string, or a URL's href. */
export function showPath(p: FilePath): string {
  return typeof p === "string" ? p : p.href;
}

function reason(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** The bytes of an IDX file, gunzipped if they are gzip. */
export function decompress(bytes: Uint8Array, file: string, op: string): Uint8Array {
  if (!isGzip(bytes)) {
    if (file.endsWith(".gz")) throw new DatasetError(`${op}: ${file}: not a gzip file (it does not start with the bytes 1f 8b)`);
    return bytes;
  }
  const zlib = builtin<Zlib>("node:zlib", op, `gunzipping ${file}`);
  try {
    return zlib.gunzipSync(bytes);
  } catch (e) {
    throw new DatasetError(`${op}: ${file}: cannot decompress: ${reason(e)}`);
  }
}

function hex(v: number): string {
  return "0x" + (v >>> 0).toString(16).padStart(8, "0");
}

function describeMagic(m: number): string {
  if (m >>> 16 !== 0) return "not an IDX file";
  const type = (m >>> 8) & 0xff, nd = m & 0xff;
  const kinds: Record<number, string> = { 0x08: "unsigned bytes", 0x09: "signed bytes", 0x0b: "int16", 0x0c: "int32", 0x0d: "float32", 0x0e: "float64" };
  return `IDX with ${kinds[type] ?? `unknown element type 0x${type.toString(16)}`} in ${nd} dim${nd === 1 ? "" : "s"}`;
}

export interface Idx {
  dims: number[];
  /** The elements, a view into the file's bytes. */
  data: Uint8Array;
}

/**
 * Parses an IDX file of unsigned bytes with `ndim` dims (3 for images, 1 for labels), checking the
 * magic number, the header and that the data is exactly as long as the dims say.
 */
export function parseIdx(bytes: Uint8Array, ndim: number, file: string, op: string): Idx {
  const what = ndim === 1 ? "labels" : "images";
  if (bytes.length < 4) throw new DatasetError(`${op}: ${file}: truncated: ${bytes.length} bytes, less than the 4-byte IDX magic number`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, false);
  const expected = (UBYTE << 8) | ndim;
  if (magic !== expected) {
    throw new DatasetError(
      `${op}: ${file}: wrong magic number ${magic} (${hex(magic)}, ${describeMagic(magic)}); ` +
      `expected ${expected} (${hex(expected)}, ${describeMagic(expected)}) for ${what}`);
  }
  const headerLen = 4 + 4 * ndim;
  if (bytes.length < headerLen) {
    throw new DatasetError(`${op}: ${file}: truncated: ${bytes.length} bytes, less than the ${headerLen}-byte header of ${ndim} dim${ndim === 1 ? "" : "s"}`);
  }
  const dims: number[] = [];
  for (let i = 0; i < ndim; i++) {
    const d = view.getInt32(4 + 4 * i, false);
    if (d < 0) throw new DatasetError(`${op}: ${file}: dim ${i} is negative (${d})`);
    dims.push(d);
  }
  if (ndim === 3 && (dims[1] === 0 || dims[2] === 0)) {
    throw new DatasetError(`${op}: ${file}: images of ${dims[1]}x${dims[2]} pixels; both sizes must be positive`);
  }
  const n = dims.reduce((a, b) => a * b, 1);
  const have = bytes.length - headerLen;
  const shape = `[${dims.join(", ")}]`;
  if (have < n) throw new DatasetError(`${op}: ${file}: truncated: ${have} bytes of data, the dims ${shape} need ${n}`);
  if (have > n) throw new DatasetError(`${op}: ${file}: ${have - n} bytes after the end of the data: the dims ${shape} need ${n}, the file has ${have}`);
  // a plain Uint8Array even when the bytes are a Node Buffer, whose slice() would not copy
  return { dims, data: new Uint8Array(bytes.buffer, bytes.byteOffset + headerLen, n) };
}

/** Reads a whole file as bytes (Node). */
export function readBytes(path: FilePath, file: string, op: string): Uint8Array {
  const fs = nodeFs(op);
  try {
    return fs.readFileSync(path);
  } catch (e) {
    throw new DatasetError(`${op}: ${file}: cannot read ${showPath(path)}: ${reason(e)}`);
  }
}

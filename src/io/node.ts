// saveFile / loadFile for Node. fs comes from process.getBuiltinModule, so the browser bundle has
// no static node: import; in browsers these throw and save()/load() work on bytes instead.

import type { Tensor } from "../tensor.js";
import { describe } from "../tensor.js";
import { DTypeError } from "../errors.js";
import { saveBytes, loadBytes, SafetensorsError, type SaveOptions, type StateDict } from "./safetensors.js";

type Fs = typeof import("node:fs");

function fs(op: string): Fs {
  const getBuiltin = typeof process !== "undefined" ? process.getBuiltinModule : undefined;
  if (typeof getBuiltin !== "function") {
    throw new SafetensorsError(`${op}: files can only be used in Node (>= 20.16); in browsers use save() / load() on bytes`);
  }
  return getBuiltin("node:fs") as Fs;
}

function checkPath(path: unknown, op: string): string | URL {
  // fs takes file: URLs as they are
  if ((typeof path === "string" && path.length > 0) || path instanceof URL) return path;
  throw new DTypeError(`${op}: expected a file path (a non-empty string or a file: URL), got ${describe(path)}`);
}

function reason(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * A file path: a string or a file: URL. Typed structurally (anything with an href), so the
 * published types need no DOM lib in a Node-only project.
 */
export type FilePath = string | { readonly href: string };

/** Writes a state dict to a .safetensors file (torch: safetensors.torch.save_file). */
export function saveFile(path: FilePath, stateDictOrTensors: StateDict, opts?: SaveOptions): void {
  const op = "saveFile";
  const p = checkPath(path, op);
  const f = fs(op);
  const bytes = saveBytes(stateDictOrTensors, opts, op);
  try {
    f.writeFileSync(p, bytes);
  } catch (e) {
    throw new SafetensorsError(`${op}: cannot write ${JSON.stringify(String(p))}: ${reason(e)}`);
  }
}

/** Reads a .safetensors file (torch: safetensors.torch.load_file). */
export function loadFile(path: FilePath): Record<string, Tensor> {
  const op = "loadFile";
  const p = checkPath(path, op);
  const f = fs(op);
  let bytes: Uint8Array;
  try {
    bytes = f.readFileSync(p);
  } catch (e) {
    throw new SafetensorsError(`${op}: cannot read ${JSON.stringify(String(p))}: ${reason(e)}`);
  }
  return loadBytes(bytes, op);
}

// Finds, compiles and instantiates the core. Node reads release.wasm next to the bundle
// synchronously at import time, so `import { tensor } from "wasmgrad"` is ready to use.
// Browsers call `await init()` once (or pass bytes / a URL / a Module to it).

import type { CoreExports } from "./exports.js";
import { DTypeError, safeString } from "../errors.js";

let core: CoreExports | null = null;

/** Stands in for the core until it is loaded, so early use fails with a clear message. */
const notReady = new Proxy({} as CoreExports, {
  get() {
    throw new Error("wasmgrad: not initialised; call `await init()` once before using tensors in the browser");
  },
});

/** The core's exports (a live binding: every module sees the loaded instance). */
export let W: CoreExports = notReady;

const listeners: Array<() => void> = [];
/** Runs fn once the core is loaded (at once if it already is). */
export function onLoad(fn: () => void): void {
  if (core) fn();
  else listeners.push(fn);
}

function setCore(c: CoreExports): void {
  core = c;
  W = c;
  for (const fn of listeners.splice(0)) fn();
}

/**
 * What init() accepts: wasm bytes, a URL (or its string) to fetch, or a compiled WebAssembly.Module.
 * Written without DOM types so the published types also check in Node-only projects; a `URL`
 * matches `{ href }` and a WebAssembly.Module (an opaque object) matches `WasmModuleLike`.
 */
export type WasmSource = ArrayBuffer | ArrayBufferView | { readonly href: string } | string | WasmModuleLike;
/** A compiled WebAssembly.Module. */
export interface WasmModuleLike { readonly [Symbol.toStringTag]?: string }

const isNode = typeof process !== "undefined" && !!process.versions?.node;

let hookRunner: (h: number, g: number) => number = () => -1;
/** Sets the function backward calls for tensors with hooks (see src/autograd/hooks.ts). */
export function setHookRunner(fn: (h: number, g: number) => number): void { hookRunner = fn; }

function instantiate(mod: WebAssembly.Module): CoreExports {
  const inst = new WebAssembly.Instance(mod, {
    env: {
      runHooks: (h: number, g: number): number => hookRunner(h, g),
      abort(_msg: number, _file: number, line: number, col: number): never {
        throw new Error(`wasmgrad: internal error in the WASM core (line ${line}:${col}); please report it`);
      },
    },
  });
  return inst.exports as unknown as CoreExports;
}

function defaultUrls(): URL[] {
  // In the bundle, release.wasm sits beside this file; from the sources, it is in build/.
  return [new URL("./release.wasm", import.meta.url), new URL("../../build/release.wasm", import.meta.url)];
}

/** Synchronous load for Node (fs is available, no fetch needed); null elsewhere. */
function loadNodeSync(): CoreExports | null {
  if (!isNode || !import.meta.url.startsWith("file:")) return null;
  // process.getBuiltinModule (Node >= 20.16) keeps this file free of static node: imports,
  // so the same code runs in browsers.
  const fs = process.getBuiltinModule("node:fs") as typeof import("node:fs");
  for (const url of defaultUrls()) {
    if (fs.existsSync(url)) return instantiate(new WebAssembly.Module(fs.readFileSync(url)));
  }
  throw new Error(`wasmgrad: release.wasm not found next to ${import.meta.url}; run \`npm run build\``);
}

/**
 * Loads the WASM core. Idempotent. Node loads it on import, so this resolves at once there.
 * In browsers it fetches `release.wasm` beside the module (served as application/wasm), or
 * takes bytes, a URL or a compiled WebAssembly.Module.
 */
export async function init(source?: WasmSource): Promise<void> {
  if (core) return;
  if (source === undefined && isNode && import.meta.url.startsWith("file:")) {
    const c = loadNodeSync();
    if (c) return setCore(c);
  }
  let mod: WebAssembly.Module;
  if (source instanceof WebAssembly.Module) mod = source;
  else if (source === undefined || typeof source === "string" || isUrlLike(source)) {
    const url = source === undefined ? new URL("./release.wasm", import.meta.url) : typeof source === "string" ? source : source.href;
    const res = await fetch(url);
    if (!res.ok) {
      throw new Error(`wasmgrad: could not load ${url} (HTTP ${res.status}); serve release.wasm beside the module or pass it to init()`);
    }
    try {
      mod = await WebAssembly.compileStreaming(res.clone());
    } catch {
      // servers that do not send application/wasm: compile from the bytes instead
      mod = await WebAssembly.compile(await res.arrayBuffer());
    }
  } else if (source instanceof ArrayBuffer || ArrayBuffer.isView(source)) {
    mod = await WebAssembly.compile(source as BufferSource);
  } else {
    throw new DTypeError(`init: expected wasm bytes, a URL or a WebAssembly.Module, got ${safeString(source)}`);
  }
  setCore(instantiate(mod));
}

function isUrlLike(v: unknown): v is { readonly href: string } {
  return v instanceof URL || (typeof v === "object" && v !== null && typeof (v as { href?: unknown }).href === "string");
}

/** For the bundle's top-level: load in Node now so the first op pays nothing. */
export function tryLoadNow(): void {
  if (core) return;
  const c = loadNodeSync();
  if (c) setCore(c);
}

// Finds, compiles and instantiates the core. Node reads the best build next to the bundle
// (probe.ts) synchronously at import time, so `import { tensor } from "wasmgrad"` is ready to use.
// Browsers call `await init()` once (or pass bytes / a URL / a Module to it).

import type { CoreExports } from "./exports.js";
import { DTypeError, safeString } from "../errors.js";
import { variantFiles, importsMemory, createSharedMemory, features } from "./probe.js";

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

let parallelRunner: (nTasks: number) => void = () => {
  throw new Error("wasmgrad: internal error: a parallel region without a thread pool; please report it");
};
/** @internal Sets the function the core calls to run a parallel region. */
export function setParallelRunner(fn: (nTasks: number) => void): void { parallelRunner = fn; }

/** @internal The loaded core's module and, for a threads build, its shared memory (the thread pool's). */
export interface CoreBuild {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory | null;
  /** the file it came from (e.g. "release-relaxed-threads.wasm"), or "" when given by the caller */
  file: string;
}
let build: CoreBuild | null = null;
/** @internal The loaded core's build (null before loading). */
export function coreBuild(): CoreBuild | null { return build; }

/** An instance of the core, or null for a threads build when no shared memory can be had. */
function instantiate(mod: WebAssembly.Module, file: string): CoreExports | null {
  let memory: WebAssembly.Memory | null = null;
  const env: Record<string, WebAssembly.ImportValue> = {
    runHooks: (h: number, g: number): number => hookRunner(h, g),
    parallelRun: (nTasks: number): void => parallelRunner(nTasks),
    abort(_msg: number, _file: number, line: number, col: number): never {
      throw new Error(`wasmgrad: internal error in the WASM core (line ${line}:${col}); please report it`);
    },
  };
  if (importsMemory(mod)) {
    if (!features().threads || !(memory = createSharedMemory())) return null;
    env.memory = memory;
  }
  const exports = new WebAssembly.Instance(mod, { env }).exports as unknown as CoreExports & { initMemory?: () => void };
  // a threads build's data segments are passive (scripts/wasm-passive.mjs): copied in here, once
  exports.initMemory?.();
  build = { module: mod, memory, file };
  return exports;
}

/** instantiate, or an error that says what the given build needs. */
function instantiateGiven(mod: WebAssembly.Module): CoreExports {
  const c = instantiate(mod, "");
  if (!c) {
    throw new Error("init: this build of the core needs shared memory (Node, or a cross-origin-isolated page); pass release.wasm instead");
  }
  return c;
}

/**
 * A build beside this module. Each is a literal `new URL("./x.wasm", import.meta.url)`, the form
 * bundlers (Vite, webpack, Parcel) recognise and copy with the bundle.
 */
function beside(file: string): URL {
  switch (file) {
    case "release-relaxed-threads.wasm": return new URL("./release-relaxed-threads.wasm", import.meta.url);
    case "release-threads.wasm": return new URL("./release-threads.wasm", import.meta.url);
    case "release-relaxed.wasm": return new URL("./release-relaxed.wasm", import.meta.url);
    default: return new URL("./release.wasm", import.meta.url);
  }
}

function defaultUrls(file: string): URL[] {
  // In the bundle, the builds sit beside this file; from the sources, they are in build/ (a
  // concatenation, which bundlers leave alone).
  return [beside(file), new URL("../../build/" + file, import.meta.url)];
}

/** Synchronous load for Node (fs is available, no fetch needed); null elsewhere. */
function loadNodeSync(): CoreExports | null {
  if (!isNode || !import.meta.url.startsWith("file:")) return null;
  // process.getBuiltinModule (Node >= 20.16) keeps this file free of static node: imports,
  // so the same code runs in browsers.
  const fs = process.getBuiltinModule("node:fs") as typeof import("node:fs");
  for (const file of variantFiles()) {
    const url = defaultUrls(file).find((u) => fs.existsSync(u));
    if (!url) continue;
    let c: CoreExports | null = null;
    try {
      c = instantiate(new WebAssembly.Module(fs.readFileSync(url)), file);
    } catch (e) {
      if (file === "release.wasm") throw e; // a newer build this engine cannot compile: try the next
    }
    if (c) return c;
  }
  throw new Error(`wasmgrad: release.wasm not found next to ${import.meta.url}; run \`npm run build\``);
}

/**
 * Loads the WASM core. Idempotent. Node loads it on import, so this resolves at once there.
 * In browsers it fetches the best build beside the module (served as application/wasm):
 * `release-relaxed-threads.wasm` or `release-threads.wasm` in a cross-origin-isolated page (so
 * that threads can share its memory), else `release-relaxed.wasm` where the engine has relaxed
 * SIMD, else `release.wasm`, trying the next when one is missing. It also takes bytes, a URL or a
 * compiled WebAssembly.Module of any of these builds; a threads build then needs shared memory,
 * so outside Node and isolated pages pass `release.wasm`, which runs everywhere.
 *
 * ```ts
 * await init();                                    // the best build beside the bundle
 * await init(new URL("./release.wasm", base));     // exactly this one
 * ```
 */
export async function init(source?: WasmSource): Promise<void> {
  if (core) return;
  if (source === undefined && isNode && import.meta.url.startsWith("file:")) {
    const c = loadNodeSync();
    if (c) return setCore(c);
  }
  if (source === undefined) return setCore(await fetchBest());
  let mod: WebAssembly.Module;
  if (source instanceof WebAssembly.Module) mod = source;
  else if (typeof source === "string" || isUrlLike(source)) {
    const url = typeof source === "string" ? source : source.href;
    const res = await fetch(url);
    if (!res.ok) {
      throw new Error(`wasmgrad: could not load ${url} (HTTP ${res.status}); serve release.wasm beside the module or pass it to init()`);
    }
    mod = await compileResponse(res);
  } else if (source instanceof ArrayBuffer || ArrayBuffer.isView(source)) {
    mod = await WebAssembly.compile(source as BufferSource);
  } else {
    throw new DTypeError(`init: expected wasm bytes, a URL or a WebAssembly.Module, got ${safeString(source)}`);
  }
  setCore(instantiateGiven(mod));
}

async function compileResponse(res: Response): Promise<WebAssembly.Module> {
  try {
    return await WebAssembly.compileStreaming(res.clone());
  } catch {
    // servers that do not send application/wasm: compile from the bytes instead
    return await WebAssembly.compile(await res.arrayBuffer());
  }
}

/** The best build beside the module that loads; release.wasm's failure is the one reported. */
async function fetchBest(): Promise<CoreExports> {
  const files = variantFiles();
  for (const file of files) {
    const url = beside(file);
    const last = file === files[files.length - 1];
    const res = await fetch(url).catch((e: unknown) => { if (last) throw e; return null; });
    if (!res?.ok) {
      if (!last) continue;
      throw new Error(`wasmgrad: could not load ${url} (HTTP ${res?.status}); serve release.wasm beside the module or pass it to init()`);
    }
    try {
      const c = instantiate(await compileResponse(res), file);
      if (c) return c;
    } catch (e) {
      if (last) throw e;
    }
  }
  throw new Error("wasmgrad: no build of the core could be loaded");
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

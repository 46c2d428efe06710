// Which build of the core this engine runs best. scripts/build.mjs writes four: plain SIMD
// (release.wasm, which every engine with SIMD runs), relaxed SIMD, and each of those over an
// imported shared memory for threads.

/** The features a build of the core uses beyond SIMD. */
export interface Features {
  /** f32x4.relaxed_madd and the rest of relaxed SIMD */
  relaxedSimd: boolean;
  /** shared WebAssembly.Memory that worker threads may use (Node, or a cross-origin-isolated page) */
  threads: boolean;
}

/** Pages of the shared memory the loader creates for a threads build (asc's --initialMemory). */
export const SHARED_INITIAL_PAGES = 16;
/** Its maximum (asc's --maximumMemory): 4 GiB, the allocator's own limit. */
export const SHARED_MAXIMUM_PAGES = 65536;

const isNode = typeof process !== "undefined" && !!process.versions?.node;

// (func (result v128) (f32x4.relaxed_madd (v128.const 0) (v128.const 0) (v128.const 0)))
const zeros = new Array<number>(16).fill(0);
const madd = [0x00, ...[0, 1, 2].flatMap(() => [0xfd, 0x0c, ...zeros]), 0xfd, 0x85, 0x02, 0x0b];
const relaxedProbe = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, // type: () -> v128
  0x03, 0x02, 0x01, 0x00, // one function of type 0
  0x0a, madd.length + 2, 0x01, madd.length, ...madd,
]);

let cached: Features | null = null;

/** Probes the engine once: WebAssembly.validate on a tiny relaxed-SIMD module, and shared memory. */
export function features(): Features {
  if (cached) return cached;
  if (isNode) {
    // Node 20's V8 has relaxed SIMD behind a flag (on by default from V8 11.4); the flag must be
    // set before any module using it is compiled
    try {
      const v8 = process.getBuiltinModule("node:v8") as typeof import("node:v8");
      if (!WebAssembly.validate(relaxedProbe)) v8.setFlagsFromString("--experimental-wasm-relaxed-simd");
    } catch {
      // no flag: the probe below says no
    }
  }
  cached = { relaxedSimd: WebAssembly.validate(relaxedProbe), threads: sharedMemoryUsable() };
  return cached;
}

function sharedMemoryUsable(): boolean {
  if (typeof SharedArrayBuffer === "undefined" || typeof Atomics === "undefined") return false;
  // browsers hand out shared memory (and so threads) only to cross-origin-isolated pages
  if (!isNode && (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated !== true) return false;
  try {
    const m = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true } as WebAssembly.MemoryDescriptor);
    return m.buffer instanceof SharedArrayBuffer;
  } catch {
    return false;
  }
}

/** File names of the builds to try, best first; release.wasm (plain SIMD) is always last. */
export function variantFiles(f: Features = features()): string[] {
  const names: string[] = [];
  if (f.threads && f.relaxedSimd) names.push("release-relaxed-threads.wasm");
  if (f.threads) names.push("release-threads.wasm");
  if (f.relaxedSimd) names.push("release-relaxed.wasm");
  names.push("release.wasm");
  return names;
}

/** True when a compiled core imports its memory: a threads build, which needs a shared memory. */
export function importsMemory(mod: WebAssembly.Module): boolean {
  return WebAssembly.Module.imports(mod).some((i) => i.kind === "memory");
}

/** A fresh shared memory for a threads build; null when the engine cannot reserve it. */
export function createSharedMemory(): WebAssembly.Memory | null {
  try {
    return new WebAssembly.Memory({ initial: SHARED_INITIAL_PAGES, maximum: SHARED_MAXIMUM_PAGES, shared: true } as WebAssembly.MemoryDescriptor);
  } catch {
    // the engine would not reserve the maximum (a 32-bit or memory-tight browser)
    return null;
  }
}

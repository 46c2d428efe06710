// What both pages share: loading the core, the header line (threads, isolation, API docs link)
// and a small memory readout.

import * as wg from "wasmgrad";

/** The library's thread controls, present once the core is built with threads. */
type Threads = { getNumThreads?: () => number; setNumThreads?: (n: number) => void };

export function $<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`the page has no element #${id}`);
  return el as T;
}

/** Loads the core and fills the page's status line. */
export async function start(): Promise<void> {
  await wg.init();
  const threads = (wg as unknown as Threads).getNumThreads;
  const parts = [
    `cross-origin isolated: ${globalThis.crossOriginIsolated ? "yes" : "no"}`,
    typeof threads === "function" ? `threads: ${threads()}` : "threads: 1 (this build has no thread support)",
  ];
  $("status").textContent = parts.join(" · ");
}

export interface MemoryPeak { wasmBytes: number; bytes: number; tensors: number }

/** Tracks the peak of wg.memory(): the WASM memory size and the bytes of live tensors. */
export class MemoryMeter {
  peak: MemoryPeak = { wasmBytes: 0, bytes: 0, tensors: 0 };
  now: MemoryPeak = { wasmBytes: 0, bytes: 0, tensors: 0 };
  sample(): MemoryPeak {
    const m = wg.memory();
    this.now = { wasmBytes: m.wasmBytes, bytes: m.bytes, tensors: m.tensors };
    this.peak = {
      wasmBytes: Math.max(this.peak.wasmBytes, m.wasmBytes),
      bytes: Math.max(this.peak.bytes, m.bytes),
      tensors: Math.max(this.peak.tensors, m.tensors),
    };
    return this.now;
  }
  text(): string {
    const mb = (b: number) => `${(b / 2 ** 20).toFixed(1)} MB`;
    return `WASM memory ${mb(this.now.wasmBytes)} (peak ${mb(this.peak.wasmBytes)}) · live tensors ${this.now.tensors}, ${mb(this.now.bytes)} (peak ${this.peak.tensors}, ${mb(this.peak.bytes)})`;
  }
}

/** Resolves on the next animation frame: the loops hand the page back to the browser here. */
export function nextFrame(): Promise<number> {
  return new Promise((resolve) => requestAnimationFrame(resolve));
}

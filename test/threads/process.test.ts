// A process that used the pool exits by itself, promptly; each build loads and a threads build's
// second instance over the same memory (a worker's) leaves that memory as it was.
import { expect, test } from "vitest";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { features } from "../../src/wasm/probe.js";

const root = new URL("../..", import.meta.url).pathname;

test("a process with threads on exits when its work is done", () => {
  const src = `import * as wg from "${root}build/index.js";
    const a = wg.randn([512, 512]);
    for (let i = 0; i < 4; i++) wg.matmul(a, a).sum().item();
    await new Promise((r) => setTimeout(r, 200)); // workers are up and idle
    wg.matmul(a, a).sum().item();
    console.log(wg.getNumThreads());`;
  const t0 = Date.now();
  const out = execFileSync(process.execPath, ["--input-type=module", "-e", src], { encoding: "utf8", timeout: 60_000 });
  expect(out.trim()).toBe("2");
  // generous for a loaded machine; a pool that kept the process alive would hit the timeout
  expect(Date.now() - t0).toBeLessThan(30_000);
});

test.each(["release.wasm", "release-relaxed.wasm", "release-threads.wasm", "release-relaxed-threads.wasm"])(
  "%s compiles; a second instance of a threads build does not touch the memory", (file) => {
    expect(features().relaxedSimd).toBe(true); // (in Node 20, probing turns relaxed SIMD on)
    const mod = new WebAssembly.Module(readFileSync(`${root}build/${file}`));
    const imports = WebAssembly.Module.imports(mod);
    const shared = imports.some((i) => i.kind === "memory");
    expect(shared).toBe(file.includes("threads"));
    if (!shared) return;
    const memory = new WebAssembly.Memory({ initial: 16, maximum: 65536, shared: true });
    const env: Record<string, WebAssembly.ImportValue> = { memory };
    for (const i of imports) if (i.kind === "function") env[i.name] = () => 0;
    const main = new WebAssembly.Instance(mod, { env }).exports as Record<string, (...a: number[]) => number>;
    main.initMemory();
    // change the allocator's state and the statics: a tensor, a fill
    const p = main.scratchAddr() >>> 2;
    new Int32Array(memory.buffer)[p] = 3;
    const h = main.emptyOp(1, 0);
    main.fillValue(h, 1.5);
    const before = new Uint8Array(memory.buffer).slice();
    new WebAssembly.Instance(mod, { env });
    const after = new Uint8Array(memory.buffer).slice();
    expect(Buffer.compare(after, before), "memory changed by the second instance").toBe(0);
    expect(main.itemOp(h)).toBe(1.5);
  });

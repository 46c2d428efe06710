// Compiles a small AssemblyScript entry that calls the core's kernels directly, with the flags the
// release core is built with (-O3, stub runtime, SIMD, no asserts, the stdlib math of
// scripts/asc-small-math.mjs), and instantiates it. `entryPath` names where the entry would stand
// (inside assembly/, so that its relative imports resolve); it is never written to disk.
import asc from "assemblyscript/asc";
import { readFileSync, existsSync } from "node:fs";
import path from "node:path";
import { smallMathArgs } from "../../scripts/asc-small-math.mjs";

export async function compileKernels<T>(entryPath: string, source: string, extraFlags: readonly string[] = []): Promise<T> {
  let wasm: Uint8Array | undefined;
  const res = await asc.main([entryPath, "--outFile", "kernels.wasm", "-O3", "--runtime", "stub", "--enable", "simd",
    "--noAssert", ...smallMathArgs, ...extraFlags], {
    readFile: (f: string, base: string) => {
      const p = path.resolve(base, f);
      if (p === entryPath) return source;
      if (p.endsWith("asconfig.json")) return null; // the project's config would add the core's entry
      return existsSync(p) ? readFileSync(p, "utf8") : null;
    },
    writeFile: (f: string, c: Uint8Array | string) => { if (f.endsWith(".wasm")) wasm = c as Uint8Array; },
    listFiles: () => [],
  });
  if (res.error) throw new Error(`${res.error.message}\n${res.stderr.toString()}`);
  const { instance } = await WebAssembly.instantiate(wasm!, { env: { abort() { throw new Error("abort"); } } });
  return instance.exports as unknown as T;
}

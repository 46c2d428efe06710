// Where the download bytes go, for work on the size budget (test/bundlers/size.test.ts):
//   - the browser bundle's minified bytes per source folder and per file (esbuild's metafile);
//   - the core's code bytes per function, from a release build compiled again with a name section
//     (asc --debug keeps names and does not change the optimisation level), grouped by folder.
// Raw bytes, not gzipped: gzip works on the whole file, so a part's share of the raw size is the
// guide. Run: npm run build && node scripts/size-breakdown.mjs [top=40] [extra asc flags...]
// e.g. `node scripts/size-breakdown.mjs 40 --shrinkLevel 1` to see what a shrink level changes.
import { execFileSync } from "node:child_process";
import { readFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { browserBundle } from "./bundle-options.mjs";
import { smallMathArgs } from "./asc-small-math.mjs";

const root = new URL("..", import.meta.url).pathname;
const top = Number(process.argv[2] ?? 40);
const ascExtra = process.argv.slice(3);

function table(title, rows, n) {
  const total = rows.reduce((s, [b]) => s + b, 0);
  console.log(`\n${title}: ${total} bytes`);
  for (const [b, name] of rows.slice(0, n)) console.log(`${String(b).padStart(8)}  ${(100 * b / total).toFixed(1).padStart(5)}%  ${name}`);
}
const byGroup = (rows, key) => {
  const m = new Map();
  for (const [b, name] of rows) m.set(key(name), (m.get(key(name)) ?? 0) + b);
  return [...m].map(([k, b]) => [b, k]).sort((a, b) => b[0] - a[0]);
};

const r = await build({
  ...browserBundle, absWorkingDir: root, outfile: join(tmpdir(), "wasmgrad-size.js"), write: false, metafile: true,
});
const js = r.outputFiles.find((f) => f.path.endsWith(".js")).contents;
console.log(`bundle: ${js.length} bytes, ${gzipSync(js, { level: 9 }).length} gzipped`);
const inputs = Object.entries(Object.values(r.metafile.outputs).find((o) => o.entryPoint).inputs)
  .map(([file, v]) => [v.bytesInOutput, file]).sort((a, b) => b[0] - a[0]);
table("bundle by folder", byGroup(inputs, (f) => f.split("/").slice(0, 2).join("/")), top);
table("bundle by file", inputs, top);

// the core: function bodies by name
const dir = mkdtempSync(join(tmpdir(), "wasmgrad-size-"));
const out = join(dir, "named.wasm");
execFileSync(`${root}node_modules/.bin/asc`, ["assembly/index.ts", "--target", "release", "--debug", "--enable", "simd",
  "-o", out, ...smallMathArgs, ...ascExtra], { cwd: root, stdio: "inherit" });
const wasm = readFileSync(out);
rmSync(dir, { recursive: true, force: true });
console.log(`\ncore (release.wasm's flags${ascExtra.length ? " + " + ascExtra.join(" ") : ""}, with names): ${wasm.length} bytes`);
table("core code by folder", byGroup(functionSizes(wasm), (n) => n.split("/").slice(0, 3).join("/").replace(/<.*$/, "")), top);
table("core code by function", functionSizes(wasm), top);

/** [body bytes, name] per defined function: the code section's sizes, the name section's names. */
function functionSizes(b) {
  let p = 8;
  const leb = () => { let v = 0, s = 0, x; do { x = b[p++]; v += (x & 127) * 2 ** s; s += 7; } while (x & 128); return v; };
  const skipLimits = () => { const flags = leb(); leb(); if (flags & 1) leb(); };
  let imported = 0;
  const sizes = [], names = new Map();
  while (p < b.length) {
    const id = b[p++], len = leb(), end = p + len;
    if (id === 2) { // imports: count the functions, which come first in the index space
      for (let i = leb(); i > 0; i--) {
        for (let k = 0; k < 2; k++) { const l = leb(); p += l; } // module and field names
        const kind = b[p++];
        if (kind === 0) { leb(); imported++; } else if (kind === 1) { p++; skipLimits(); } else if (kind === 2) skipLimits(); else p += 2;
      }
    } else if (id === 10) {
      for (let i = leb(); i > 0; i--) { const size = leb(); sizes.push(size); p += size; }
    } else if (id === 0) {
      const nameLen = leb(), section = b.subarray(p, p + nameLen).toString(); p += nameLen;
      while (section === "name" && p < end) {
        const sub = b[p++], subLen = leb(), subEnd = p + subLen;
        if (sub === 1) for (let i = leb(); i > 0; i--) { const idx = leb(), l = leb(); names.set(idx, b.subarray(p, p + l).toString()); p += l; }
        p = subEnd;
      }
    }
    p = end;
  }
  return sizes.map((s, i) => [s, names.get(i + imported) ?? `function ${i + imported}`]).sort((a, c) => c[0] - a[0]);
}

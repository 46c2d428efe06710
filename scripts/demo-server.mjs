// The demo pages' build and static server, used by `npm run demo` (scripts/demo.mjs) and by the
// browser tests of test/demo/. The pages import the same one-file bundle users import
// (build/wasmgrad.browser.js, which fetches build/release.wasm beside itself); their own code
// (demo/*.ts, with uPlot and Graphviz bundled in) is compiled to build/demo/.
//
// Every response carries COOP/COEP, so the pages are cross-origin isolated (SharedArrayBuffer,
// hence WASM threads, are available); everything is served from this one origin, so
// `require-corp` blocks nothing.

import { createServer } from "node:http";
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { basename, join, normalize, sep } from "node:path";
import { execFileSync } from "node:child_process";
import { build } from "esbuild";

export const root = new URL("..", import.meta.url).pathname;

export const mimeTypes = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".wasm": "application/wasm",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".gz": "application/gzip",
  ".txt": "text/plain; charset=utf-8",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
};

export const isolationHeaders = {
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-embedder-policy": "require-corp",
  "cross-origin-resource-policy": "same-origin",
};

/** The API reference folder if one has been built (`npm run docs`), else undefined. */
export function docsDir() {
  const candidates = ["docs/api", "build/docs/api", "build/docs", "build/api", "docs"];
  return candidates.map((d) => join(root, d)).find((d) => existsSync(join(d, "index.html")));
}

function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

/** Runs `npm run build`'s script when the bundle or the core is missing or older than the sources. */
export function buildLibraryIfNeeded(log = console.log) {
  const outputs = ["build/wasmgrad.browser.js", "build/release.wasm"].map((f) => join(root, f));
  const built = outputs.every((f) => existsSync(f)) ? Math.min(...outputs.map((f) => statSync(f).mtimeMs)) : 0;
  const sources = Math.max(newest(join(root, "src")), newest(join(root, "assembly")));
  if (built >= sources) return false;
  log(built === 0 ? "building the library (build/ is missing)..." : "building the library (sources changed)...");
  execFileSync(process.execPath, [join(root, "scripts/build.mjs")], { cwd: root, stdio: "inherit" });
  return true;
}

// The pages import the library by its package name, as a user's code would; in the page it is
// the bundle served beside them.
const wasmgradAsBundle = {
  name: "wasmgrad-as-bundle",
  setup(b) {
    b.onResolve({ filter: /^wasmgrad$/ }, () => ({ path: "./wasmgrad.browser.js", external: true }));
  },
};

/**
 * Compiles demo/*.ts (each page's entry) to build/demo/*.js, or with `{ write: false }` to memory:
 * a Map from file name to contents, for startDemoServer's `compiled` (tests running side by side
 * then never write the same files).
 */
export async function buildDemo({ write = true } = {}) {
  const entries = readdirSync(join(root, "demo")).filter((f) => /^[a-z-]+\.ts$/.test(f) && !f.endsWith(".d.ts"));
  const result = await build({
    absWorkingDir: root, entryPoints: entries.map((f) => `demo/${f}`), outdir: "build/demo", bundle: true, write,
    format: "esm", platform: "browser", target: "es2022", sourcemap: true, minify: true, logLevel: "warning",
    plugins: [wasmgradAsBundle],
  });
  return write ? undefined : new Map(result.outputFiles.map((f) => [basename(f.path), f.contents]));
}

// URL path → file (or compiled contents). Flat names are looked up in the page folder, its compiled code and build/;
// a few prefixes map to folders. Anything with ".." or a dot-file is refused.
function resolvePath(path, compiled) {
  let p;
  try {
    p = decodeURIComponent(path);
  } catch {
    return undefined;
  }
  if (p.includes("\0") || p.split("/").some((s) => s === ".." || s.startsWith("."))) return undefined;
  if (p === "/") p = "/index.html";
  const inside = (dir, rest) => {
    const f = normalize(join(dir, rest));
    if (!f.startsWith(dir + sep) && f !== dir) return undefined;
    if (existsSync(f) && statSync(f).isDirectory()) return existsSync(join(f, "index.html")) ? join(f, "index.html") : undefined;
    return existsSync(f) ? f : undefined;
  };
  if (p.startsWith("/data/")) return inside(join(root, "examples/data/MNIST/raw"), p.slice(6));
  if (p === "/docs" || p.startsWith("/docs/")) {
    const d = docsDir();
    return d ? inside(d, p.slice(5) || "/") : undefined;
  }
  if (p === "/uPlot.min.css") return join(root, "node_modules/uplot/dist/uPlot.min.css");
  const name = p.slice(1);
  if (!/^[\w.-]+$/.test(name)) return undefined;
  if (compiled?.has(name)) return { name, contents: compiled.get(name) };
  for (const dir of ["demo", "build/demo", "build"]) {
    const f = join(root, dir, name);
    if (existsSync(f) && statSync(f).isFile()) return f;
  }
  return undefined;
}

/**
 * Serves the demo on host:port (port 0: a free one). Resolves to { server, url }.
 * `onRequest({ path, status, type })`, if given, sees every response (the tests check MIME types);
 * `compiled`, if given, is what buildDemo({ write: false }) returned, served instead of build/demo/.
 */
export function startDemoServer({ port = 8080, host = "127.0.0.1", onRequest, compiled } = {}) {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    if (path === "/docs" && docsDir()) {
      res.writeHead(301, { location: "/docs/", ...isolationHeaders }).end();
      return;
    }
    const found = req.method === "GET" || req.method === "HEAD" ? resolvePath(path, compiled) : undefined;
    const file = typeof found === "object" ? found.name : found;
    const ext = file ? file.slice(file.lastIndexOf(".")) : "";
    if (!file || !(ext in mimeTypes)) {
      onRequest?.({ path, status: 404, type: "" });
      res.writeHead(404, { "content-type": "text/plain; charset=utf-8", ...isolationHeaders }).end("not found\n");
      return;
    }
    let body = typeof found === "object" ? Buffer.from(found.contents) : readFileSync(file);
    // the pages link the API reference only where it has been built (npm run docs)
    if (ext === ".html" && docsDir()) body = Buffer.from(body.toString("utf8").replace(/(id="docs-link"[^>]*?) hidden>/, "$1>"));
    onRequest?.({ path, status: 200, type: mimeTypes[ext] });
    res.writeHead(200, {
      "content-type": mimeTypes[ext], "content-length": body.length, "cache-control": "no-cache", ...isolationHeaders,
    });
    res.end(req.method === "HEAD" ? undefined : body);
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      const addr = server.address();
      resolve({ server, url: `http://${host}:${addr.port}/` });
    });
  });
}

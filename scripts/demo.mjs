// `npm run demo [-- --port 8080 --host 127.0.0.1]`: builds the library if its bundle is missing or
// stale, compiles the demo pages, and serves them (see scripts/demo-server.mjs).

import { buildDemo, buildLibraryIfNeeded, docsDir, startDemoServer } from "./demo-server.mjs";

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  const eq = process.argv.find((a) => a.startsWith(`--${name}=`));
  if (eq) return eq.slice(name.length + 3);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

const port = Number(option("port", process.env.PORT ?? "8080"));
const host = option("host", "127.0.0.1");
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`demo: --port must be an integer 0-65535, got ${option("port")}`);
  process.exit(2);
}

buildLibraryIfNeeded();
await buildDemo();
let started;
try {
  started = await startDemoServer({ port, host });
} catch (e) {
  const hint = e.code === "EADDRINUSE" ? ` (port ${port} is taken: try --port ${port + 1}, or --port 0 for any free one)` : "";
  console.error(`demo: cannot listen on ${host}:${port}: ${e.message}${hint}`);
  process.exit(1);
}
const { url } = started;
console.log(`wasmgrad demo: ${url}`);
console.log(`  the lesson, live:   ${url}lesson.html`);
console.log(`  digit classifier:   ${url}digits.html`);
if (docsDir()) console.log(`  API reference:      ${url}docs/`);
console.log("Ctrl-C stops the server.");

// `npm run example -- <name> [args...]`: runs build/examples/<name>.js (built by scripts/build.mjs)
// with the remaining arguments, its stdio inherited so a terminal still sees the progress bars.
// <name> may be given with or without .ts/.js or an examples/ prefix, or as any unique prefix of
// an example's name (`lesson05`).
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";

const dir = new URL("../../build/examples/", import.meta.url);
const [arg, ...rest] = process.argv.slice(2);
const available = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".js")).map((f) => f.slice(0, -3)).sort() : [];

function fail(message) {
  process.stderr.write(`${message}\navailable: ${available.join(", ") || "(none: run `npm run build`)"}\n`);
  process.exit(2);
}

if (!arg) fail("usage: npm run example -- <name> [args...]");
const want = arg.replace(/^(\.\/)?(build\/)?examples\//, "").replace(/\.(ts|js)$/, "");
const matches = available.includes(want) ? [want] : available.filter((n) => n.startsWith(want));
if (matches.length !== 1) fail(matches.length ? `"${arg}" matches ${matches.join(", ")}` : `no example named "${arg}"`);

const r = spawnSync(process.execPath, [new URL(`${matches[0]}.js`, dir).pathname, ...rest], { stdio: "inherit" });
if (r.error) throw r.error;
process.exit(r.status ?? 1);

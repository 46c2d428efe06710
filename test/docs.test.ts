// The API reference: `npm run docs` (TypeDoc with validation: every exported name documented, every
// {@link} resolved, no referenced type left out; any warning fails) builds, and its index lists
// every name the package exports. Runs TypeDoc on the sources (about a minute).

import { afterAll, describe, expect, test } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const out = mkdtempSync(join(tmpdir(), "wasmgrad-docs-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe("API reference", () => {
  test("TypeDoc builds it with no warning, and every runtime export is documented in it", async () => {
    try {
      execFileSync(process.execPath, [join(root, "node_modules/typedoc/bin/typedoc"), "--out", join(out, "html"), "--json", join(out, "api.json")],
        { cwd: root, encoding: "utf8", stdio: "pipe" });
    } catch (e) {
      const err = e as { stdout?: string; stderr?: string };
      throw new Error(`npm run docs failed:\n${err.stdout ?? ""}${err.stderr ?? ""}`);
    }
    const api = JSON.parse(readFileSync(join(out, "api.json"), "utf8")) as { children: Array<{ name: string; comment?: unknown; signatures?: Array<{ comment?: unknown }> }> };
    const documented = new Map(api.children.map((c) => [c.name, !!(c.comment ?? c.signatures?.[0]?.comment)]));
    const wg = await import("../src/index.js");
    // F is nn.functional under a second name: a reference to it in the index.
    const aliases = ["F"];
    const missing = Object.keys(wg).filter((name) => !documented.has(name));
    expect(documented.has("nn")).toBe(true);
    expect(missing).toEqual([]);
    const bare = [...documented].filter(([name, has]) => !has && !["nn", "optim", "data", "vision", ...aliases].includes(name)).map(([n]) => n);
    expect(bare).toEqual([]);
    expect(readFileSync(join(out, "html/index.html"), "utf8")).toContain("Tensor");
  }, 300_000);
});

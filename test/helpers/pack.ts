// The package as a user gets it: `npm pack` of the current build/ and `npm install` of that tarball
// into a fresh project outside the repository (no network: wasmgrad has no runtime dependencies).
// Used by the package, bundler and published-types tests; tscErrors also by the demo's type check.

import { execFileSync, type ExecFileSyncOptions } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const root = fileURLToPath(new URL("../..", import.meta.url));

/** Runs a command and returns its stdout; on failure the error carries stdout and stderr. */
export function run(cmd: string, args: string[], opts: ExecFileSyncOptions = {}): string {
  try {
    return execFileSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], ...opts }) as string;
  } catch (e) {
    const err = e as { status?: number; stdout?: string; stderr?: string };
    throw new Error(
      `\`${cmd} ${args.join(" ")}\` failed (exit ${err.status}):\n--- stdout\n${err.stdout ?? ""}\n--- stderr\n${err.stderr ?? ""}`);
  }
}

export interface Installed {
  /** The temporary directory holding the tarball, the npm cache and the project. */
  tmp: string;
  /** The project directory: package.json and node_modules/wasmgrad. */
  project: string;
  tarball: string;
  /** The paths the tarball holds, as npm pack lists them. */
  files: string[];
  /** Removes the temporary directory. */
  cleanup(): void;
}

/** Packs build/ and installs the tarball into a new project (package.json fields from `pkg`). */
export function packAndInstall(prefix: string, pkg: Record<string, unknown> = {}): Installed {
  for (const f of ["build/index.js", "build/index.d.ts", "build/release.wasm", "build/wasmgrad.browser.js"]) {
    if (!existsSync(join(root, f))) throw new Error(`${f} is missing: run \`npm run build\` first (\`npm test\` does)`);
  }
  const tmp = mkdtempSync(join(tmpdir(), `wasmgrad-${prefix}-`));
  const env = { ...process.env, npm_config_cache: join(tmp, "npm-cache"), npm_config_update_notifier: "false" };
  const packOut = run("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", tmp], { cwd: root, env });
  const [info] = JSON.parse(packOut) as Array<{ filename: string; files: Array<{ path: string }> }>;
  if (!info) throw new Error(`npm pack printed no file: ${packOut}`);
  const tarball = join(tmp, info.filename);
  const project = join(tmp, "project");
  mkdirSync(project);
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: `uses-wasmgrad-${prefix}`, private: true, type: "module", ...pkg }, null, 2));
  run("npm", ["install", "--no-audit", "--no-fund", "--offline", tarball], { cwd: project, env });
  const files = info.files.map((f) => f.path);
  return { tmp, project, tarball, files, cleanup: () => rmSync(tmp, { recursive: true, force: true }) };
}

/** Runs the repository's tsc on `tsconfig` (a path relative to `cwd`); its errors, or "" when it type-checks. */
export function tscErrors(cwd: string, tsconfig: string): string {
  try {
    execFileSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", tsconfig], { cwd, encoding: "utf8", stdio: "pipe" });
    return "";
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string };
    return `${err.stdout ?? ""}${err.stderr ?? ""}` || String(e);
  }
}

// PyTorch as a peer: bench/torch_bench.py runs as one child process for the whole run and answers
// JSON-line commands, so its columns take their turn in the same rounds as the JS peers. It reads
// each row's inputs from files this side writes (the same bytes every JS peer starts from).

import { spawn, execFileSync, type ChildProcessWithoutNullStreams } from "node:child_process";
import { mkdtempSync, writeFileSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface, type Interface } from "node:readline";
import type { Inputs } from "../types.js";

export const PYTHON = "/usr/bin/python3";
// From the bundled build/bench/<script>.js, or from this source file (bench/lib/peers) under vitest.
const SCRIPT = ["../../bench/torch_bench.py", "../../torch_bench.py"]
  .map((p) => new URL(p, import.meta.url).pathname)
  .find((p) => existsSync(p)) ?? "bench/torch_bench.py";

/** torch's version, or why it cannot run here. */
export function torchAvailable(): { version: string } | { reason: string } {
  if (!existsSync(PYTHON)) return { reason: `${PYTHON} not found` };
  try {
    const version = execFileSync(PYTHON, ["-c", "import torch; print(torch.__version__)"], { encoding: "utf8" }).trim();
    return { version };
  } catch {
    return { reason: `torch is not importable by ${PYTHON}` };
  }
}

type Reply = Record<string, unknown> & { error?: string; unsupported?: string };

export class TorchChild {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly lines: Interface;
  private readonly pending: { resolve: (line: string) => void; reject: (e: Error) => void }[] = [];
  private readonly dir = mkdtempSync(join(tmpdir(), "wasmgrad-bench-"));

  constructor() {
    this.child = spawn(PYTHON, [SCRIPT], { stdio: ["pipe", "pipe", "pipe"] });
    this.child.stderr.on("data", (d: Buffer) => process.stderr.write(`[torch] ${d.toString()}`));
    this.lines = createInterface({ input: this.child.stdout });
    this.lines.on("line", (line) => this.pending.shift()?.resolve(line));
    this.child.on("exit", (code) => {
      for (const p of this.pending.splice(0)) p.reject(new Error(`torch_bench.py exited (${code})`));
    });
  }

  async request(msg: Record<string, unknown>): Promise<Reply> {
    const line = await new Promise<string>((resolve, reject) => {
      this.pending.push({ resolve, reject });
      this.child.stdin.write(`${JSON.stringify(msg)}\n`);
    });
    const reply = JSON.parse(line) as Reply;
    if (reply.error) throw new Error(`torch: ${reply.error}`);
    return reply;
  }

  /** Writes a row's inputs as raw float32 files; returns the directory torch_bench.py reads. */
  writeInputs(rowId: string, inputs: Inputs): string {
    const dir = join(this.dir, rowId);
    rmSync(dir, { recursive: true, force: true });
    execFileSync("mkdir", ["-p", dir]);
    const shapes: Record<string, readonly number[]> = {};
    for (const [name, a] of Object.entries(inputs)) {
      writeFileSync(join(dir, `${name}.f32`), new Uint8Array(a.data.buffer, a.data.byteOffset, a.data.byteLength));
      shapes[name] = a.shape;
    }
    writeFileSync(join(dir, "shapes.json"), JSON.stringify(shapes));
    return dir;
  }

  close(): void {
    this.child.stdin.end();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

// The calls of the battery, drawn from a seed: a sweep (every odd value in every argument position
// of every entry point, the other positions plausible) and random calls. Calls with arguments that
// may hang or exhaust the stack (cyclic and 100k-deep arrays) are planned separately, to run in a
// child process with a time limit.

import { Rng, junkPool, plausible, randomArg, randomTensor, type DT, type Spec, type TensorSpec } from "./spec";
import type { Call, Callable } from "./runner";

const needsRecv = (c: Callable): boolean => c.kind === "method" || c.kind === "get" || c.kind === "set";

function positions(c: Callable): number {
  if (c.kind === "get") return 0;
  if (c.kind === "set") return 1;
  return Math.min(3, Math.max(1, c.arity));
}

export function planCalls(callables: readonly Callable[], dts: readonly DT[], seed: number, randomPer: number): Call[] {
  const r = new Rng(seed);
  const junk = junkPool(dts);
  const calls: Call[] = [];
  let id = 0;
  const recvFor = (c: Callable): TensorSpec | undefined => (needsRecv(c) ? randomTensor(r, dts) : undefined);
  for (const c of callables) {
    const np = positions(c);
    if (np === 0) {
      // a getter: every kind of receiver
      for (let i = 0; i < 24; i++) calls.push({ id: id++, path: c.path, recv: randomTensor(r, dts), args: [] });
    }
    for (let p = 0; p < np; p++) {
      for (const j of junk) {
        const recv = recvFor(c);
        const args: Spec[] = [];
        for (let q = 0; q < np; q++) args.push(q === p ? j : plausible(r, dts, recv));
        // sometimes leave the trailing arguments out
        if (p < np - 1 && r.chance(0.3)) args.length = p + 1;
        calls.push({ id: id++, path: c.path, recv, args });
      }
    }
    for (let i = 0; i < randomPer; i++) {
      const recv = recvFor(c);
      const n = c.kind === "set" ? 1 : r.int(0, Math.min(4, np + 1));
      const args: Spec[] = [];
      for (let q = 0; q < n; q++) args.push(randomArg(r, dts, recv, junk));
      calls.push({ id: id++, path: c.path, recv, args });
    }
  }
  return calls;
}

/** Cyclic and deep arguments in each position of every entry point that takes arguments. */
export function planHazards(callables: readonly Callable[], dts: readonly DT[], seed: number, firstId: number): Call[] {
  const r = new Rng(seed);
  const hazards: Spec[] = [{ k: "cyc" }, { k: "cyc0" }, { k: "cycobj" }, { k: "deep", n: 100_000 }, { k: "arr", e: [{ k: "cyc" }] }];
  const calls: Call[] = [];
  let id = firstId;
  for (const c of callables) {
    const np = Math.min(2, positions(c));
    for (let p = 0; p < np; p++) {
      for (const hz of hazards) {
        const recv = needsRecv(c) ? randomTensor(r, dts) : undefined;
        if (recv) recv.disposed = false;
        const args: Spec[] = [];
        for (let q = 0; q <= p; q++) args.push(q === p ? hz : plausible(r, dts, recv));
        calls.push({ id: id++, path: c.path, recv, args });
      }
    }
  }
  return calls;
}

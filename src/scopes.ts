// The open tidy() scopes (lifetime.ts runs them): the tensors each one made, which it disposes
// when it ends unless they are returned, and the bytes they hold. The forced-GC check of
// lifetime.ts takes those bytes off the heap it weighs: no GC can free a scope's tensors before
// the scope ends, so they are not garbage waiting for a collection (a loop whose body runs in
// tidy() must never force one). The bytes are kept as sums, so a check costs the same beside a
// scope of a million tensors; a tensor disposed inside its scope still counts until the scope
// ends, which only makes a collection of older garbage come later (every tensor made meanwhile
// belongs to a scope).

import type { Owned } from "./lifetime.js";

/** The tensors an open scope made, the bytes each holds (data and bookkeeping), and their sum. */
export interface Scope {
  readonly tensors: Owned[];
  readonly bytes: number[];
  total: number;
}

const open: Scope[] = [];

/** Opens a new innermost scope. */
export function openScope(): Scope {
  const scope: Scope = { tensors: [], bytes: [], total: 0 };
  open.push(scope);
  return scope;
}

/** Closes the innermost scope (the caller then disposes or hands on its tensors). */
export function closeScope(): void {
  open.pop();
}

/** The scope new tensors go to, or null outside every tidy(). */
export function innermostScope(): Scope | null {
  return open.length !== 0 ? open[open.length - 1] : null;
}

/** Puts t, holding `bytes`, in `scope`. */
export function addToScope(scope: Scope, t: Owned, bytes: number): void {
  scope.tensors.push(t);
  scope.bytes.push(bytes);
  scope.total += bytes;
}

/** Bytes that the open scopes hold. */
export function scopedBytes(): number {
  let sum = 0;
  for (const scope of open) sum += scope.total;
  return sum;
}

/**
 * Takes t out of every open tidy() scope, so that none disposes it: for tensors a library object
 * keeps across calls (an optimizer's momentum buffers), which may first be made inside a user's
 * tidy. The GC still releases t once it is unreachable.
 */
export function persist(t: Owned): void {
  for (const scope of open) {
    const i = scope.tensors.lastIndexOf(t);
    if (i >= 0) {
      scope.tensors.splice(i, 1);
      scope.total -= scope.bytes.splice(i, 1)[0];
    }
  }
}

/** Every tensor reachable from a returned value: through arrays, Maps, Sets and plain objects. */
export function collect(v: unknown, into: Set<Owned>, seen: Set<unknown>): void {
  if (v === null || typeof v !== "object" || seen.has(v)) return;
  seen.add(v);
  if ("_h" in (v as object) && "_chunk" in (v as object)) {
    into.add(v as Owned);
    return;
  }
  if (Array.isArray(v) || v instanceof Set) for (const x of v) collect(x, into, seen);
  else if (v instanceof Map) for (const [k, x] of v) { collect(k, into, seen); collect(x, into, seen); }
  else for (const k of Object.keys(v as object)) collect((v as Record<string, unknown>)[k], into, seen);
}

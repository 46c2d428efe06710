// Which tensor a view was taken from. PyTorch keeps the base of every differentiable view, so that
// an in-place write through the view can give the base its history (CopySlices), and it remembers
// the version the view's history was made at, so that a view whose base was written since gets a
// new history from the base (AsStridedBackward0) the next time it is used. Tensor entries have no
// room for these, so views made while grad mode is on are listed here: a map from view handle to
// {base, version}. The map holds a reference to each base (a view keeps its base alive, as in
// PyTorch); release() of a view drops its slot (the F_HAS_BASE flag says there is one). Making and
// freeing a view costs one map update; visiting the views of a base (only when a base starts to
// require grad through an in-place write, and only for tensors that had views: F_IS_BASE) scans it.

import { alloc, free } from "../memory";
import { retain, release, flagsOf, setFlags, geti, F_HAS_BASE, F_IS_BASE, F_VIEW, F_REQUIRES_GRAD, E_STORAGE, S_VERSION } from "../tensor";

// Slots of 16 bytes: view handle (0: empty), base handle, version of the view's history.
const K_VIEW: usize = 0;
const K_BASE: usize = 4;
const K_VERSION: usize = 8;
const SLOT_SHIFT: usize = 4;

// The map: {slots, capacity (a power of two), count}.
// @ts-ignore: decorator
@lazy const map: usize = memory.data(16, 16);

// @ts-ignore: decorator
@inline function slots(): usize { return <usize>load<u32>(map); }
// @ts-ignore: decorator
@inline function cap(): i32 { return load<i32>(map, 4); }
// @ts-ignore: decorator
@inline function count(): i32 { return load<i32>(map, 8); }
// @ts-ignore: decorator
@inline function home(key: i32, c: i32): i32 { return <i32>((<u32>key * 0x9e3779b1) >>> (32 - ctz<u32>(<u32>c))); }
// @ts-ignore: decorator
@inline function slotAt(s: usize, i: i32): usize { return s + (<usize>i << SLOT_SHIFT); }
// @ts-ignore: decorator
@inline function versionOf(h: i32): i32 { return load<i32>(<usize>geti(h, E_STORAGE) + S_VERSION); }

/** The slot of view v, or 0. */
function find(v: i32): usize {
  const c = cap();
  if (!c) return 0;
  const s = slots();
  let i = home(v, c);
  while (true) {
    const p = slotAt(s, i);
    const k = load<i32>(p + K_VIEW);
    if (k == v) return p;
    if (!k) return 0;
    i = (i + 1) & (c - 1);
  }
}

/** The empty slot where v goes (v is not in the map). */
function freeSlot(s: usize, c: i32, v: i32): usize {
  let i = home(v, c);
  while (load<i32>(slotAt(s, i) + K_VIEW)) i = (i + 1) & (c - 1);
  return slotAt(s, i);
}

/** Room for one more slot at load <= 1/2; false when out of memory (the map is unchanged). */
function reserve(): bool {
  const c = cap();
  if ((count() + 1) * 2 <= c) return true;
  const nc = c ? c << 1 : 64;
  const ns = alloc(<usize>nc << SLOT_SHIFT);
  if (!ns) return false;
  memory.fill(ns, 0, <usize>nc << SLOT_SHIFT);
  const os = slots();
  for (let i = 0; i < c; i++) {
    const p = slotAt(os, i);
    const k = load<i32>(p + K_VIEW);
    if (k) memory.copy(freeSlot(ns, nc, k), p, 1 << SLOT_SHIFT);
  }
  if (os) free(os, <usize>c << SLOT_SHIFT);
  store<u32>(map, <u32>ns);
  store<i32>(map, nc, 4);
  return true;
}

/** Empties slot p (backward-shift deletion, so lookups need no tombstones). */
function removeSlot(p: usize): void {
  const c = cap(), s = slots();
  let i = <i32>((p - s) >> SLOT_SHIFT);
  let j = i;
  while (true) {
    j = (j + 1) & (c - 1);
    const q = slotAt(s, j);
    const k = load<i32>(q + K_VIEW);
    if (!k) break;
    const hj = home(k, c);
    // slot j moves into the hole at i when its home is not in (i, j] (cyclically)
    if ((j > i && (hj <= i || hj > j)) || (j < i && hj <= i && hj > j)) {
      memory.copy(slotAt(s, i), q, 1 << SLOT_SHIFT);
      i = j;
    }
  }
  memory.fill(slotAt(s, i), 0, 1 << SLOT_SHIFT);
  store<i32>(map, count() - 1, 8);
}

/**
 * Lists view v as taken from a (or from a's own base when a is a view), with its history as of
 * now. A view of a view that was made without grad mode is not listed (its base is unknown).
 * False when out of memory.
 */
export function registerView(v: i32, a: i32): bool {
  const fa = flagsOf(a);
  let base = a;
  if (fa & F_VIEW) {
    const p = fa & F_HAS_BASE ? find(a) : 0;
    if (!p) return true;
    base = load<i32>(p + K_BASE);
  }
  if (!reserve()) return false;
  const p = freeSlot(slots(), cap(), v);
  store<i32>(p + K_VIEW, v);
  store<i32>(p + K_BASE, base);
  store<i32>(p + K_VERSION, versionOf(v));
  store<i32>(map, count() + 1, 8);
  retain(base);
  setFlags(v, flagsOf(v) | F_HAS_BASE);
  const fb = flagsOf(base);
  if (!(fb & F_IS_BASE)) setFlags(base, fb | F_IS_BASE);
  return true;
}

/** Drops v's slot (v is being freed) and its reference to the base. */
export function unregisterView(v: i32): void {
  const p = find(v);
  if (!p) return;
  const base = load<i32>(p + K_BASE);
  removeSlot(p);
  release(base);
}

/** The base v was listed with (no reference taken), 0 if none. */
export function baseOf(v: i32): i32 {
  if (!(flagsOf(v) & F_HAS_BASE)) return 0;
  const p = find(v);
  return p ? load<i32>(p + K_BASE) : 0;
}

/** The base of v when v's history is older than its base's last in-place write, else 0. */
export function staleBase(v: i32): i32 {
  if (!(flagsOf(v) & F_HAS_BASE)) return 0;
  const p = find(v);
  return p && load<i32>(p + K_VERSION) != versionOf(v) ? load<i32>(p + K_BASE) : 0;
}

/** Records that v's history is up to date with its storage's version. */
export function markFresh(v: i32): void {
  const p = find(v);
  if (p) store<i32>(p + K_VERSION, versionOf(v));
}

/**
 * Marks every view listed with `base` as requiring grad (the base just started to, through an
 * in-place write; their nodes come when they are next used). Clears F_IS_BASE when there are none.
 */
export function viewsRequireGrad(base: i32): void {
  const fb = flagsOf(base);
  if (!(fb & F_IS_BASE)) return;
  const c = cap(), s = slots();
  let found = false;
  for (let i = 0; i < c; i++) {
    const p = slotAt(s, i);
    const k = load<i32>(p + K_VIEW);
    if (!k || load<i32>(p + K_BASE) != base) continue;
    found = true;
    setFlags(k, flagsOf(k) | F_REQUIRES_GRAD);
  }
  if (!found) setFlags(base, fb & ~F_IS_BASE);
}

/** Number of views listed (for tests of the bookkeeping). */
export function registeredViews(): i32 { return count(); }

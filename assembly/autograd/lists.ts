// The backward pass's working lists, each a growable i32 array in the core's heap, and the order
// in which it runs the nodes it collected.

import { alloc, free } from "../memory";
import { nget, N_SEQ } from "./tape";

// Growable i32 lists in the core's heap, each a static record {ptr, cap, n} (no managed objects:
// the allocator owns the heap).
// @ts-ignore: decorator
@lazy export const order: usize = memory.data(16, 16);    // nodes to run
// @ts-ignore: decorator
@lazy export const pending: usize = memory.data(16, 16);  // pairs: leaf (or retained non-leaf) handle, its gradient
// @ts-ignore: decorator
@lazy export const temps: usize = memory.data(16, 16);    // handles released after the current rule
// @ts-ignore: decorator
@lazy export const captured: usize = memory.data(16, 16); // pairs for autograd.grad: input handle, its gradient (0 = none)

// @ts-ignore: decorator
@inline export function lenOf(l: usize): i32 { return load<i32>(l, 8); }
// @ts-ignore: decorator
@inline export function setLen(l: usize, n: i32): void { store<i32>(l, n, 8); }

export function push(l: usize, v: i32): bool {
  const n = lenOf(l), cap = load<i32>(l, 4);
  if (n == cap) {
    const nc = cap ? cap << 1 : 64;
    const p = alloc(<usize>nc << 2);
    if (!p) return false;
    const old = <usize>load<u32>(l);
    if (old) { memory.copy(p, old, <usize>cap << 2); free(old, <usize>cap << 2); }
    store<u32>(l, <u32>p); store<i32>(l, nc, 4);
  }
  store<i32>(<usize>load<u32>(l) + (<usize>n << 2), v);
  setLen(l, n + 1);
  return true;
}
// @ts-ignore: decorator
@inline export function at(l: usize, i: i32): i32 { return load<i32>(<usize>load<u32>(l) + (<usize>i << 2)); }
// @ts-ignore: decorator
@inline export function put(l: usize, i: i32, v: i32): void { store<i32>(<usize>load<u32>(l) + (<usize>i << 2), v); }

/**
 * order[0..n) by decreasing sequence number (a valid reverse topological order). The breadth-first
 * collection leaves the list nearly sorted: insertion sort for short lists, heap sort for long.
 */
export function sortNodes(n: i32): void {
  if (n <= 64) insertionSort(n); else heapSort(n);
}

function insertionSort(n: i32): void {
    for (let i = 1; i < n; i++) {
    const x = at(order, i), sx = nget(<usize>x, N_SEQ);
    let j = i - 1;
    while (j >= 0 && nget(<usize>at(order, j), N_SEQ) < sx) { put(order, j + 1, at(order, j)); j--; }
    put(order, j + 1, x);
  }
}
function heapSort(n: i32): void {
  for (let i = (n >> 1) - 1; i >= 0; i--) siftDown(i, n);
  for (let end = n - 1; end > 0; end--) {
    const t = at(order, 0); put(order, 0, at(order, end)); put(order, end, t);
    siftDown(0, end);
  }
}
function siftDown(i: i32, n: i32): void {
  while (true) {
    const l = 2 * i + 1;
    if (l >= n) return;
    let m = l;
    if (l + 1 < n && nget(<usize>at(order, l + 1), N_SEQ) < nget(<usize>at(order, l), N_SEQ)) m = l + 1;
    if (nget(<usize>at(order, i), N_SEQ) <= nget(<usize>at(order, m), N_SEQ)) return;
    const t = at(order, i); put(order, i, at(order, m)); put(order, m, t);
    i = m;
  }
}


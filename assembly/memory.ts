// Linear-memory allocator: power-of-two size classes with one free list each.
// Every block is 16-byte aligned (SIMD loads) and a freed block is reused by the next request of
// its class, so a loop that allocates the same shapes every step runs in constant memory.
// No managed AssemblyScript objects exist at run time, so this allocator owns all memory from
// __heap_base up; the `stub` runtime never allocates.

const MIN_CLASS: i32 = 4; // 16 bytes
const NUM_CLASSES: i32 = 32;

// @ts-ignore: decorator
@lazy const freeHeads: usize = memory.data(NUM_CLASSES * 4, 16);
// @ts-ignore: decorator
@lazy let top: usize = (__heap_base + 15) & ~15;
// @ts-ignore: decorator
@lazy let liveBytes: usize = 0;
// @ts-ignore: decorator
@lazy let peakBytes: usize = 0;

/** Size class of a request in bytes: ceil(log2(bytes)), at least MIN_CLASS. */
// @ts-ignore: decorator
@inline export function sizeClass(bytes: usize): i32 {
  return bytes <= 16 ? MIN_CLASS : 32 - clz<u32>(<u32>bytes - 1);
}

/** Ensures memory reaches `end`; false when the engine refuses to grow (out of memory). */
function reserve(end: usize): bool {
  const have = <usize>memory.size() << 16;
  if (end <= have) return true;
  const need = <i32>((end - have + 0xffff) >>> 16);
  // Grow by at least a quarter of what we have, so many small requests do not each call grow.
  const want = max(need, memory.size() >> 2);
  if (memory.grow(want) >= 0) return true;
  return memory.grow(need) >= 0;
}

/** Allocates `bytes` (16-byte aligned, contents undefined); 0 when memory cannot grow. */
export function alloc(bytes: usize): usize {
  const cls = sizeClass(bytes);
  if (cls >= NUM_CLASSES) return 0;
  const size = <usize>1 << cls;
  const head = freeHeads + (<usize>cls << 2);
  let ptr = <usize>load<u32>(head);
  if (ptr) {
    store<u32>(head, load<u32>(ptr));
  } else {
    if (!reserve(top + size)) return 0;
    ptr = top;
    top += size;
  }
  liveBytes += size;
  if (liveBytes > peakBytes) peakBytes = liveBytes;
  return ptr;
}

/** Allocates `bytes` and zero-fills them. */
export function allocZeroed(bytes: usize): usize {
  const ptr = alloc(bytes);
  if (ptr) memory.fill(ptr, 0, bytes);
  return ptr;
}

/** Returns a block obtained from alloc(bytes) with the same `bytes`. */
export function free(ptr: usize, bytes: usize): void {
  if (!ptr) return;
  const cls = sizeClass(bytes);
  const head = freeHeads + (<usize>cls << 2);
  store<u32>(ptr, load<u32>(head));
  store<u32>(head, <u32>ptr);
  liveBytes -= <usize>1 << cls;
}

/** Bytes in live blocks (rounded up to their classes). */
export function heapLiveBytes(): usize { return liveBytes; }
/** Highest heapLiveBytes() seen. */
export function heapPeakBytes(): usize { return peakBytes; }
/** Resets the peak to the current live bytes (for measuring one phase). */
export function heapResetPeak(): void { peakBytes = liveBytes; }

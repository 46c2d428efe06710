// Linear-memory allocator: size classes 16, 32, 48, 64, 96, 128, 192, ... (powers of two and
// 1.5x powers of two from 48 up, so a block wastes at most a third), one free list each.
// Every block is 16-byte aligned (SIMD loads) and a freed block is reused by the next request of
// its class, so a loop that allocates the same shapes every step runs in constant memory.
// No managed AssemblyScript objects exist at run time, so this allocator owns all memory from
// __heap_base up; the `stub` runtime never allocates.

const NUM_CLASSES: i32 = 56; // up to 2 GiB

// @ts-ignore: decorator
@lazy const freeHeads: usize = memory.data(NUM_CLASSES * 4, 16);
// @ts-ignore: decorator
@lazy let top: usize = (__heap_base + 15) & ~15;
// @ts-ignore: decorator
@lazy let liveBytes: usize = 0;
// @ts-ignore: decorator
@lazy let peakBytes: usize = 0;

/** Size class of a request: 0 for 16 bytes, 1 for 32, then 48, 64, 96, 128, 192, ... alternately. */
// @ts-ignore: decorator
@inline export function sizeClass(bytes: usize): i32 {
  if (bytes <= 16) return 0;
  if (bytes <= 32) return 1;
  const k = 32 - clz<u32>(<u32>bytes - 1); // 2^(k-1) < bytes <= 2^k
  return bytes <= (<usize>3 << (k - 2)) ? 2 * k - 10 : 2 * k - 9;
}

/** Bytes of a block of class c (a multiple of 16, so every block stays 16-byte aligned). */
// @ts-ignore: decorator
@inline function classBytes(c: i32): usize {
  if (!c) return 16;
  return c & 1 ? <usize>1 << ((c + 9) >> 1) : <usize>3 << ((c + 6) >> 1);
}

/** Ensures memory reaches `end`; false when the engine refuses to grow (out of memory). */
function reserve(end: usize): bool {
  const have = <usize>memory.size() << 16;
  if (end <= have) return true;
  const need = <i32>((end - have + 0xffff) >>> 16);
  // Some slack (a quarter of what we have, at most 1 MiB) so that many small requests do not each
  // call grow, without rounding the peak up by much: memory never shrinks.
  const want = need + min(memory.size() >> 2, 16);
  if (memory.grow(want) >= 0) return true;
  return memory.grow(need) >= 0;
}

/** Allocates `bytes` (16-byte aligned, contents undefined); 0 when memory cannot grow. */
export function alloc(bytes: usize): usize {
  if (bytes > 0x7fffffff) return 0;
  const cls = sizeClass(bytes);
  if (cls >= NUM_CLASSES) return 0;
  const size = classBytes(cls);
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
  liveBytes -= classBytes(cls);
}

/** Bytes in live blocks (rounded up to their classes). */
export function heapLiveBytes(): usize { return liveBytes; }
/** Highest heapLiveBytes() seen. */
export function heapPeakBytes(): usize { return peakBytes; }

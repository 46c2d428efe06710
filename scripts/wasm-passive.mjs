// Rewrites a shared-memory build so that instantiating it does not write memory. Every instance
// of a module whose memory is imported re-applies the module's active data segments; a worker
// thread instantiating the core over the memory the main thread already uses would reset the
// allocator's free lists and every other static. Here the active segments become passive and a
// new export, `initMemory`, copies them in (memory.init) and drops them: the main thread calls it
// once, on the fresh memory it created, and workers never do. Needs bulk memory (on by default in asc) and a data-count section.

const leb = (b, p) => {
  let r = 0, s = 0, x;
  do { x = b[p++]; r += (x & 0x7f) * 2 ** s; s += 7; } while (x & 0x80);
  return [r, p];
};
const uleb = (n) => {
  const out = [];
  do { let x = n % 128; n = Math.floor(n / 128); if (n) x |= 0x80; out.push(x); } while (n);
  return out;
};
const sleb = (n) => {
  const out = [];
  for (;;) {
    const x = n & 0x7f;
    n >>= 7;
    if ((n === 0 && !(x & 0x40)) || (n === -1 && (x & 0x40))) { out.push(x); return out; }
    out.push(x | 0x80);
  }
};

/** Returns the rewritten module bytes (Uint8Array). */
export function passiveSegments(bytes, exportName = "initMemory") {
  const b = bytes;
  const sections = [];
  for (let p = 8; p < b.length;) {
    const id = b[p];
    const [len, q] = leb(b, p + 1);
    sections.push({ id, body: b.subarray(q, q + len) });
    p = q + len;
  }
  const find = (id) => sections.find((s) => s.id === id);
  if (!find(12)) throw new Error("wasm-passive: no data-count section (is bulk memory enabled?)");

  // imported functions shift the index of the new function
  let importedFuncs = 0;
  const imp = find(2);
  if (imp) {
    let [n, p] = leb(imp.body, 0);
    for (; n > 0; n--) {
      let len;
      [len, p] = leb(imp.body, p); p += len; // module
      [len, p] = leb(imp.body, p); p += len; // name
      const kind = imp.body[p++];
      if (kind === 0) { [, p] = leb(imp.body, p); importedFuncs++; }
      else if (kind === 1) { p++; const [fl, q] = leb(imp.body, p); p = q; [, p] = leb(imp.body, p); if (fl & 1) [, p] = leb(imp.body, p); }
      else if (kind === 2) { const fl = imp.body[p++]; [, p] = leb(imp.body, p); if (fl & 1) [, p] = leb(imp.body, p); }
      else if (kind === 3) p += 2;
      else throw new Error(`wasm-passive: unknown import kind ${kind}`);
    }
  }

  // data section: the active segments of memory 0 (i32.const offsets) become one passive segment
  // spanning them all, the gaps zero (as the fresh memory is): one memory.init copies it in
  const data = find(11);
  const segs = [];
  {
    let [n, p] = leb(data.body, 0);
    for (let i = 0; i < n; i++) {
      const flag = data.body[p++];
      if (flag !== 0) throw new Error(`wasm-passive: segment ${i} is not a plain active segment (flag ${flag})`);
      if (data.body[p++] !== 0x41) throw new Error(`wasm-passive: segment ${i} offset is not an i32.const`);
      let off = 0, s = 0, x;
      do { x = data.body[p++]; off |= (x & 0x7f) << s; s += 7; } while (x & 0x80);
      if (data.body[p++] !== 0x0b) throw new Error(`wasm-passive: segment ${i} offset expression too long`);
      const [len, q] = leb(data.body, p);
      segs.push({ off: off >>> 0, bytes: data.body.subarray(q, q + len) });
      p = q + len;
    }
    if (!segs.length) throw new Error("wasm-passive: no data segments");
  }
  const start = Math.min(...segs.map((x) => x.off));
  const end = Math.max(...segs.map((x) => x.off + x.bytes.length));
  const image = new Uint8Array(end - start);
  for (const x of segs) image.set(x.bytes, x.off - start);
  const head = [0x01, 0x01, ...uleb(image.length)];
  data.body = new Uint8Array(head.length + image.length);
  data.body.set(head);
  data.body.set(image, head.length);
  find(12).body = Uint8Array.from(uleb(1));

  // a () -> () type, the function, its body and its export
  const type = find(1);
  let [nTypes, tp] = leb(type.body, 0);
  type.body = Uint8Array.from([...uleb(nTypes + 1), ...type.body.subarray(tp), 0x60, 0x00, 0x00]);
  const func = find(3);
  let [nFuncs, fp] = leb(func.body, 0);
  func.body = Uint8Array.from([...uleb(nFuncs + 1), ...func.body.subarray(fp), ...uleb(nTypes)]);
  // (memory.init 0 (i32.const start) (i32.const 0) (i32.const length)) (data.drop 0)
  const code = [0x00, 0x41, ...sleb(start | 0), 0x41, 0x00, 0x41, ...sleb(image.length | 0), 0xfc, 0x08, 0x00, 0x00,
    0xfc, 0x09, 0x00, 0x0b];
  const cs = find(10);
  let [nBodies, cp] = leb(cs.body, 0);
  cs.body = Uint8Array.from([...uleb(nBodies + 1), ...cs.body.subarray(cp), ...uleb(code.length), ...code]);
  const ex = find(7);
  let [nEx, ep] = leb(ex.body, 0);
  const name = [...new TextEncoder().encode(exportName)];
  ex.body = Uint8Array.from([...uleb(nEx + 1), ...ex.body.subarray(ep), ...uleb(name.length), ...name, 0x00,
    ...uleb(importedFuncs + nFuncs)]);

  const parts = [b.subarray(0, 8)];
  for (const s of sections) parts.push(Uint8Array.from([s.id, ...uleb(s.body.length)]), s.body);
  const total = parts.reduce((a, x) => a + x.length, 0);
  const res = new Uint8Array(total);
  let o = 0;
  for (const x of parts) { res.set(x, o); o += x.length; }
  return res;
}

// The drawing canvas (mouse, pen and touch through pointer events) and its preprocessing into a
// 28x28 byte image made the way examples/data's digits were made (scripts/make_datasets.py):
// those are scikit-learn's 8x8 digits (each cell counts the ink of a 4x4 block of a 32x32 bitmap
// in which the digit fills the height), resized to 20x20 bilinearly and centred in 28x28 with a
// 4-pixel border. The drawing goes the same way: crop to the ink's square box, average into 8x8,
// resize to 20x20, pad to 28x28. The page then applies the dataset's own transform.

export class Sketch {
  private drawing = false;
  private last: [number, number] | null = null;
  private readonly ctx: CanvasRenderingContext2D;

  constructor(readonly canvas: HTMLCanvasElement, private readonly onChange: (final: boolean) => void) {
    this.ctx = canvas.getContext("2d", { willReadFrequently: true })!;
    this.clear();
    canvas.style.touchAction = "none"; // the finger draws instead of scrolling the page
    canvas.addEventListener("pointerdown", (e) => {
      canvas.setPointerCapture(e.pointerId);
      this.drawing = true;
      this.last = this.point(e);
      this.line(this.last, this.last);
      this.onChange(false);
    });
    canvas.addEventListener("pointermove", (e) => {
      if (!this.drawing) return;
      const p = this.point(e);
      this.line(this.last ?? p, p);
      this.last = p;
      this.onChange(false);
    });
    const end = () => {
      if (!this.drawing) return;
      this.drawing = false;
      this.last = null;
      this.onChange(true);
    };
    canvas.addEventListener("pointerup", end);
    canvas.addEventListener("pointercancel", end);
  }

  private point(e: PointerEvent): [number, number] {
    const r = this.canvas.getBoundingClientRect();
    return [((e.clientX - r.left) * this.canvas.width) / r.width, ((e.clientY - r.top) * this.canvas.height) / r.height];
  }

  private line(a: [number, number], b: [number, number]): void {
    const { ctx } = this;
    ctx.strokeStyle = "#fff";
    ctx.lineWidth = this.canvas.width * 0.075;
    ctx.lineCap = ctx.lineJoin = "round";
    ctx.beginPath();
    ctx.moveTo(a[0], a[1]);
    ctx.lineTo(b[0], b[1]);
    ctx.stroke();
  }

  clear(): void {
    this.ctx.fillStyle = "#000";
    this.ctx.fillRect(0, 0, this.canvas.width, this.canvas.height);
  }

  /** Paints a 28x28 byte image over the whole canvas (nearest neighbour), as if drawn. */
  paint(pixels: Uint8Array, size = 28): void {
    const { width: w, height: h } = this.canvas;
    const img = this.ctx.createImageData(w, h);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const v = pixels[Math.floor((y * size) / h) * size + Math.floor((x * size) / w)];
        img.data.set([v, v, v, 255], (y * w + x) * 4);
      }
    }
    this.ctx.putImageData(img, 0, 0);
  }

  /** The drawing as the dataset's 28x28 bytes, or null when nothing is drawn. */
  toDigit(): Uint8Array | null {
    const { width: w, height: h } = this.canvas;
    const rgba = this.ctx.getImageData(0, 0, w, h).data;
    const ink = new Float32Array(w * h);
    let top = h, bottom = -1, left = w, right = -1;
    for (let i = 0; i < w * h; i++) {
      const v = rgba[i * 4] / 255;
      ink[i] = v;
      if (v > 0.1) {
        const x = i % w, y = (i - x) / w;
        top = Math.min(top, y); bottom = Math.max(bottom, y);
        left = Math.min(left, x); right = Math.max(right, x);
      }
    }
    if (bottom < 0) return null;
    // the ink's box, made square around its centre (the digit fills the height, or the width if wider)
    const side = Math.max(bottom - top + 1, right - left + 1);
    const x0 = (left + right + 1) / 2 - side / 2, y0 = (top + bottom + 1) / 2 - side / 2;
    const cells = new Float32Array(64);
    for (let cy = 0; cy < 8; cy++) {
      for (let cx = 0; cx < 8; cx++) {
        // average of the cell's area of the box (outside the canvas counts as no ink), 0..16 as in load_digits
        let s = 0, n = 0;
        const ya = Math.floor(y0 + (cy * side) / 8), yb = Math.floor(y0 + ((cy + 1) * side) / 8);
        const xa = Math.floor(x0 + (cx * side) / 8), xb = Math.floor(x0 + ((cx + 1) * side) / 8);
        for (let y = ya; y < Math.max(yb, ya + 1); y++) {
          for (let x = xa; x < Math.max(xb, xa + 1); x++) {
            n++;
            if (y >= 0 && y < h && x >= 0 && x < w) s += ink[y * w + x];
          }
        }
        cells[cy * 8 + cx] = Math.round((16 * s) / n);
      }
    }
    return embed(resizeBilinear(cells, 8, 20));
  }
}

/** Bilinear resize of an n x n image to m x m with pixel centres aligned (PIL, align_corners=False). */
export function resizeBilinear(src: Float32Array, n: number, m: number): Float32Array {
  const out = new Float32Array(m * m);
  const scale = n / m;
  const coord = (i: number): [number, number, number] => {
    const c = Math.min(Math.max((i + 0.5) * scale - 0.5, 0), n - 1);
    const i0 = Math.floor(c);
    return [i0, Math.min(i0 + 1, n - 1), c - i0];
  };
  for (let y = 0; y < m; y++) {
    const [y0, y1, fy] = coord(y);
    for (let x = 0; x < m; x++) {
      const [x0, x1, fx] = coord(x);
      const top = src[y0 * n + x0] * (1 - fx) + src[y0 * n + x1] * fx;
      const bot = src[y1 * n + x0] * (1 - fx) + src[y1 * n + x1] * fx;
      out[y * m + x] = top * (1 - fy) + bot * fy;
    }
  }
  return out;
}

/** 20x20 values 0..16 into the middle of a 28x28 byte image (0..255). */
function embed(img20: Float32Array): Uint8Array {
  const out = new Uint8Array(28 * 28);
  for (let y = 0; y < 20; y++) {
    for (let x = 0; x < 20; x++) out[(y + 4) * 28 + x + 4] = Math.min(255, Math.round((img20[y * 20 + x] * 255) / 16));
  }
  return out;
}

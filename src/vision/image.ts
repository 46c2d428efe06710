// The image a dataset returns before any transform: what torchvision hands out as a PIL Image.
// Pixels are unsigned bytes, row-major, channels interleaved (PIL's "L" has one, "RGB" three).

import { DTypeError, IndexError, ShapeError } from "../errors.js";
import { show } from "../nn/show.js";


/** Image modes: "L" (one 8-bit channel) and "RGB", as PIL's. */
export type ImageMode = "L" | "RGB";

const CHANNELS: Record<ImageMode, number> = { L: 1, RGB: 3 };

/**
 * An 8-bit image (PIL's Image in modes "L" and "RGB").
 * @example
 * const img = new vision.Image(new Uint8Array(28 * 28), 28, 28);   // mode "L"
 * vision.transforms.ToTensor().forward(img).shape                  // [1, 28, 28]
 */
export class Image {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
  readonly mode: ImageMode;

  constructor(data: Uint8Array, width: number, height: number, mode: ImageMode = "L") {
    if (!(data instanceof Uint8Array)) throw new DTypeError(`Image: pixels must be a Uint8Array, got ${show(data)}`);
    if (typeof mode !== "string" || !Object.hasOwn(CHANNELS, mode)) throw new DTypeError(`Image: mode must be "L" or "RGB", got ${show(mode)}`);
    for (const [name, v] of [["width", width], ["height", height]] as const) {
      if (typeof v !== "number" || !Number.isInteger(v) || v <= 0 || v > 2 ** 31 - 1) throw new ShapeError(`Image: ${name} must be a positive integer, got ${show(v)}`);
    }
    const need = width * height * CHANNELS[mode];
    if (data.length !== need) {
      throw new ShapeError(`Image: ${data.length} bytes for a ${width}x${height} "${mode}" image, which needs ${need}`);
    }
    this.data = data;
    this.width = width;
    this.height = height;
    this.mode = mode;
  }

  /** Number of channels: 1 for "L", 3 for "RGB" (PIL's len(img.getbands())). */
  get channels(): number { return CHANNELS[this.mode]; }

  /** [width, height], as PIL's img.size. */
  get size(): [number, number] { return [this.width, this.height]; }

  /** The pixel at column x, row y (PIL's getpixel((x, y))): a number for "L", [r, g, b] for "RGB". */
  getPixel(x: number, y: number): number | number[] {
    if (!Number.isInteger(x) || !Number.isInteger(y) || x < 0 || y < 0 || x >= this.width || y >= this.height) {
      throw new IndexError(`Image.getPixel: (${show(x)}, ${show(y)}) is outside the ${this.width}x${this.height} image`);
    }
    const c = this.channels, at = (y * this.width + x) * c;
    return c === 1 ? this.data[at] : Array.from(this.data.subarray(at, at + c));
  }
}

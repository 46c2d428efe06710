// torchvision.datasets.MNIST over the four standard IDX files, read once when the dataset is made.
// Nothing is downloaded: the files (raw or .gz) must already be in root/MNIST/raw/ (where
// torchvision keeps them) or in root itself.

import { Tensor } from "../tensor.js";
import { tensor } from "../ops/creation.js";
import { DTypeError, IndexError } from "../errors.js";
import { show } from "../nn/show.js";
import { Dataset } from "../data/dataset.js";
import { DatasetError, decompress, nodeFs, parseIdx, readBytes, showPath } from "./idx.js";
import type { FilePath } from "../io/node.js";
import { Image } from "./image.js";
import { applyTransform, checkTransform, type Transform } from "./apply.js";
import { boolArg, optsArg } from "../validate.js";

const OP = "MNIST";

/** MNIST's options (torchvision's root, train, transform, target_transform, download). */
export interface MNISTOptions<X = Image, Y = number> {
  /** The folder holding MNIST/raw/ (as torchvision) or the IDX files themselves. */
  root?: FilePath;
  /** The 60k training files (train-*) or the 10k test files (t10k-*); default true. */
  train?: boolean;
  /** Applied to each image (a vision.Image), e.g. a Compose of ToTensor and Normalize. */
  transform?: Transform<Image, X>;
  /** Applied to each label (a number). */
  targetTransform?: Transform<number, Y>;
  /** Accepted for code ported from Python; files are never downloaded, so they must be present. */
  download?: boolean;
  /** The contents of the images and labels IDX files (raw or gzipped) instead of root, e.g. in a browser. */
  files?: { images: Uint8Array; labels: Uint8Array };
}

function join(root: FilePath, ...parts: string[]): FilePath {
  if (typeof root !== "string") return new URL(parts.join("/"), root.href.endsWith("/") ? root.href : root.href + "/");
  return [root.replace(/[\\/]+$/, ""), ...parts].join("/");
}

function findFile(root: FilePath, name: string, download: boolean): { path: FilePath; file: string } {
  const fs = nodeFs(OP);
  const dirs = [join(root, "MNIST", "raw"), root];
  for (const dir of dirs) {
    for (const file of [name, `${name}.gz`]) {
      const path = join(dir, file);
      if (fs.existsSync(path)) return { path, file };
    }
  }
  const hint = download ? "; download is not supported, copy the files there" : "";
  throw new DatasetError(`${OP}: ${name} not found: looked for ${name} and ${name}.gz in ${dirs.map(showPath).join(" and ")}${hint}`);
}

/**
 * The MNIST digits: `getItem(i)` gives `[image, label]`, the image a 28x28 `vision.Image` of mode
 * "L" (torchvision's PIL image) or what `transform` makes of it, the label a number 0-9.
 * @example
 * const ds = new vision.datasets.MNIST({ root: "./data", train: true,
 *   transform: new transforms.Compose([new transforms.ToTensor(), new transforms.Normalize([0.1307], [0.3081])]) });
 * const loader = new data.DataLoader(ds, { batchSize: 64, shuffle: true });
 */
export class MNIST<X = Image, Y = number> extends Dataset<[X, Y]> {
  static readonly classes = ["0 - zero", "1 - one", "2 - two", "3 - three", "4 - four", "5 - five", "6 - six", "7 - seven", "8 - eight", "9 - nine"];
  readonly classes = MNIST.classes;
  readonly root: FilePath | undefined;
  readonly train: boolean;
  transform: Transform<Image, X> | undefined;
  targetTransform: Transform<number, Y> | undefined;
  /** All pixels, image after image, row-major (torchvision's `data` as bytes). */
  readonly images: Uint8Array;
  /** One label per image. */
  readonly labels: Uint8Array;
  readonly rows: number;
  readonly cols: number;

  constructor(opts: MNISTOptions<X, Y>) {
    super();
    if (opts === undefined) throw new DTypeError(`${OP}: expected options { root, train?, transform? }, got undefined`);
    const { root, train = true, transform, targetTransform, download = false, files } = optsArg<MNISTOptions<X, Y>>(opts, OP, "{ root, train?, transform? }");
    boolArg(download, "download", OP);
    if (typeof train !== "boolean") throw new DTypeError(`${OP}: train must be a boolean, got ${show(train)}`);
    if (transform !== undefined) checkTransform(transform, OP, "transform");
    if (targetTransform !== undefined) checkTransform(targetTransform, OP, "targetTransform");
    const prefix = train ? "train" : "t10k";
    const names = { images: `${prefix}-images-idx3-ubyte`, labels: `${prefix}-labels-idx1-ubyte` };
    let imageBytes: Uint8Array, labelBytes: Uint8Array, imageFile: string, labelFile: string;
    if (files !== undefined) {
      if (files === null || typeof files !== "object" || !(files.images instanceof Uint8Array) || !(files.labels instanceof Uint8Array)) {
        throw new DTypeError(`${OP}: files must be { images: Uint8Array, labels: Uint8Array }, got ${show(files)}`);
      }
      [imageBytes, labelBytes, imageFile, labelFile] = [files.images, files.labels, "the images file", "the labels file"];
    } else {
      if (!((typeof root === "string" && root.length > 0) || root instanceof URL)) {
        throw new DTypeError(`${OP}: root must be a folder path (a non-empty string or a file: URL), got ${show(root)}`);
      }
      const im = findFile(root, names.images, download), lb = findFile(root, names.labels, download);
      [imageFile, labelFile] = [im.file, lb.file];
      imageBytes = readBytes(im.path, imageFile, OP);
      labelBytes = readBytes(lb.path, labelFile, OP);
    }
    const images = parseIdx(decompress(imageBytes, imageFile, OP), 3, imageFile, OP);
    const labels = parseIdx(decompress(labelBytes, labelFile, OP), 1, labelFile, OP);
    if (images.dims[0] !== labels.dims[0]) {
      throw new DatasetError(`${OP}: ${imageFile} has ${images.dims[0]} images but ${labelFile} has ${labels.dims[0]} labels`);
    }
    this.root = root;
    this.train = train;
    this.transform = transform;
    this.targetTransform = targetTransform;
    this.images = images.data;
    this.labels = labels.data;
    this.rows = images.dims[1];
    this.cols = images.dims[2];
  }

  /** The number of samples (Python's `len(dataset)`). */
  len(): number { return this.labels.length; }

  /** `[image, label]`; negative indices count from the end, as in Python. */
  getItem(index: number): [X, Y] {
    const n = this.len();
    if (typeof index !== "number" || !Number.isInteger(index) || index < -n || index >= n) {
      throw new IndexError(`${OP}: index ${show(index)} is out of range for ${n} samples`);
    }
    const i = index < 0 ? index + n : index;
    const size = this.rows * this.cols;
    const img = new Image(this.images.slice(i * size, (i + 1) * size), this.cols, this.rows, "L");
    const target = this.labels[i];
    // without a transform X and Y keep their defaults, Image and number
    return [
      this.transform !== undefined ? applyTransform(this.transform, img, OP) : img as X,
      this.targetTransform !== undefined ? applyTransform(this.targetTransform, target, OP) : target as Y,
    ];
  }

  /** The labels as an int32 tensor [N] (torchvision's `targets`, int64 there). */
  get targets(): Tensor {
    // a new tensor on each read: a cached one could be freed by a tidy() scope it was first read in
    return tensor(Int32Array.from(this.labels));
  }
}

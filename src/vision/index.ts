// The vision namespace (torchvision): datasets, transforms and the 8-bit Image they pass along.

export * as datasets from "./datasets.js";
export * as transforms from "./transforms.js";
export { Image, type ImageMode } from "./image.js";
export { DatasetError } from "./idx.js";

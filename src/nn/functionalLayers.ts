// nn.functional's convolution, pooling, normalisation and embedding entries.

export { conv1d, conv2d, maxPool2d, avgPool2d, adaptiveAvgPool2d } from "../ops/conv.js";
export { batchNorm, layerNorm } from "./norm.js";
export { embedding } from "./embedding.js";

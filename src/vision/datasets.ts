// torchvision.datasets.

export { MNIST, type MNISTOptions } from "./mnist.js";

// The two models of the course that classify the 28x28 digits, as in examples/lesson09 and lesson10.

import { nn, F, type Tensor } from "wasmgrad";

/** Lesson 9: a five-layer ReLU MLP. */
export class MLP extends nn.Module {
  declare l1: nn.Linear;
  declare l2: nn.Linear;
  declare l3: nn.Linear;
  declare l4: nn.Linear;
  declare l5: nn.Linear;

  constructor() {
    super();
    this.l1 = new nn.Linear(784, 512);
    this.l2 = new nn.Linear(512, 256);
    this.l3 = new nn.Linear(256, 128);
    this.l4 = new nn.Linear(128, 64);
    this.l5 = new nn.Linear(64, 10);
  }

  forward(x: Tensor): Tensor {
    x = x.view(-1, 784);
    x = F.relu(this.l1.forward(x));
    x = F.relu(this.l2.forward(x));
    x = F.relu(this.l3.forward(x));
    x = F.relu(this.l4.forward(x));
    return this.l5.forward(x);
  }
}

/** Lesson 10: two 5x5 convolutions with 2x2 max pooling and ReLU, then one linear layer. */
export class CNN extends nn.Module {
  declare conv1: nn.Conv2d;
  declare conv2: nn.Conv2d;
  declare pooling: nn.MaxPool2d;
  declare fc: nn.Linear;

  constructor() {
    super();
    this.conv1 = new nn.Conv2d(1, 10, 5);
    this.conv2 = new nn.Conv2d(10, 20, 5);
    this.pooling = new nn.MaxPool2d(2);
    this.fc = new nn.Linear(320, 10);
  }

  forward(x: Tensor): Tensor {
    const batchSize = x.size(0);
    x = F.relu(this.pooling.forward(this.conv1.forward(x)) as Tensor);
    x = F.relu(this.pooling.forward(this.conv2.forward(x)) as Tensor);
    x = x.view(batchSize, -1); // -1: 320 here
    return this.fc.forward(x);
  }
}

export type Classifier = MLP | CNN;

export const models = {
  cnn: { make: () => new CNN(), lr: 0.05, title: "lesson 10's CNN" },
  mlp: { make: () => new MLP(), lr: 0.1, title: "lesson 9's MLP" },
} as const;
export type ModelKind = keyof typeof models;

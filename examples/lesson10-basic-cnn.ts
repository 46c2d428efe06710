// Lesson 10 (Basic CNN), ported line for line from examples/torch/lesson10-basic-cnn.py: two 5x5
// convolutions with 2x2 max pooling and ReLU, then one linear layer, on the 28x28 digits
// (examples/data/MNIST, the offline stand-in in MNIST's format), trained as lesson 9. As in the
// original, the running loss is printed every 8 batches (the stand-in's third of an epoch; the
// course's 300 is MNIST's) and the test accuracy after every epoch; `--quick` trains 2 epochs
// instead of 10. Python's '%d'/'%5d'/'%.3f' formats are Math.trunc, padStart and toFixed (which,
// like Python, rounds the double's exact decimal value). MaxPool2d's forward is typed for both of
// its results (with returnIndices it gives [values, indices]), hence the `as Tensor`.

import { manualSeed, print, noGrad, max, nn, F, optim, data, vision, type Tensor } from "wasmgrad";
import { Progress } from "./lib/progress.js";

const { transforms, datasets } = vision;
const EPOCHS = process.argv.includes("--quick") ? 2 : 10;
const LOG_EVERY = 8;
manualSeed(0);

const batchSize = 64;
const transform = new transforms.Compose([new transforms.ToTensor(), new transforms.Normalize([0.1307], [0.3081])]);
// build/examples/<name>.js and examples/<name>.ts both sit two levels below the package root.
const root = new URL("../../examples/data/", import.meta.url);

const trainDataset = new datasets.MNIST<Tensor>({ root, train: true, transform });
const trainLoader = new data.DataLoader<[Tensor, number], [Tensor, Tensor]>(trainDataset, { shuffle: true, batchSize });
const testDataset = new datasets.MNIST<Tensor>({ root, train: false, transform });
const testLoader = new data.DataLoader<[Tensor, number], [Tensor, Tensor]>(testDataset, { shuffle: false, batchSize });

class Net extends nn.Module {
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
    // Flatten data from (n, 1, 28, 28) to (n, 784)
    const batchSize = x.size(0);
    x = F.relu(this.pooling.forward(this.conv1.forward(x)) as Tensor);
    x = F.relu(this.pooling.forward(this.conv2.forward(x)) as Tensor);
    x = x.view(batchSize, -1); // -1: 320 here
    x = this.fc.forward(x);
    return x;
  }
}

const model = new Net();

const criterion = new nn.CrossEntropyLoss();
const optimizer = new optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.5 });

const bar = new Progress("batch", EPOCHS * trainLoader.length);

function train(epoch: number): void {
  let runningLoss = 0.0;
  let batchIdx = 0;
  for (const data of trainLoader) {
    const [inputs, target] = data;
    optimizer.zeroGrad();

    // forward + backward + update
    const outputs = model.forward(inputs);
    const loss = criterion.forward(outputs, target);
    loss.backward();
    optimizer.step();

    runningLoss += loss.item();
    bar.tick(1, `loss ${loss.item().toFixed(3)}`);
    if (batchIdx % LOG_EVERY === LOG_EVERY - 1) {
      print(`[${epoch + 1}, ${String(batchIdx + 1).padStart(5)}] loss: ${(runningLoss / LOG_EVERY).toFixed(3)}`);
      runningLoss = 0.0;
    }
    batchIdx++;
  }
}

function test(): void {
  let correct = 0;
  let total = 0;
  noGrad(() => {
    for (const data of testLoader) {
      const [images, labels] = data;
      const outputs = model.forward(images);
      const { indices: predicted } = max(outputs.data, 1);
      total += labels.size(0);
      correct += predicted.eq(labels).sum().item();
    }
  });
  print(`Accuracy on test set: ${Math.trunc((100 * correct) / total)} %`);
}

for (let epoch = 0; epoch < EPOCHS; epoch++) {
  train(epoch);
  test();
}
bar.done();

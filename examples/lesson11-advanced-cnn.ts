// Lesson 11 (Advanced CNN), ported line for line from examples/torch/lesson11-advanced-cnn.py: the
// course's two networks on the 28x28 digits (examples/data/MNIST, the offline stand-in), one after
// the other, each trained as lesson 10: the GoogLeNet-style net with two Inception blocks, then the
// ResNet-style net with two residual blocks. A line names each net before its run, the running loss
// is printed every 8 batches (the stand-in's third of an epoch; the course's 300 is MNIST's) and the
// test accuracy after every epoch; `--quick` trains 2 epochs per net instead of 10. Python's
// '%d'/'%5d'/'%.3f' formats are Math.trunc, padStart and toFixed. MaxPool2d's forward is typed for
// both of its results (with returnIndices it gives [values, indices]), hence the `as Tensor`.

import { manualSeed, print, noGrad, max, cat, nn, F, optim, data, vision, type Tensor } from "wasmgrad";
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

class InceptionA extends nn.Module {
  declare branch1x1: nn.Conv2d;
  declare branch5x5_1: nn.Conv2d;
  declare branch5x5_2: nn.Conv2d;
  declare branch3x3_1: nn.Conv2d;
  declare branch3x3_2: nn.Conv2d;
  declare branch3x3_3: nn.Conv2d;
  declare branch_pool: nn.Conv2d;

  constructor(inChannels: number) {
    super();
    this.branch1x1 = new nn.Conv2d(inChannels, 16, 1);

    this.branch5x5_1 = new nn.Conv2d(inChannels, 16, 1);
    this.branch5x5_2 = new nn.Conv2d(16, 24, 5, { padding: 2 });

    this.branch3x3_1 = new nn.Conv2d(inChannels, 16, 1);
    this.branch3x3_2 = new nn.Conv2d(16, 24, 3, { padding: 1 });
    this.branch3x3_3 = new nn.Conv2d(24, 24, 3, { padding: 1 });

    this.branch_pool = new nn.Conv2d(inChannels, 24, 1);
  }

  forward(x: Tensor): Tensor {
    const branch1x1 = this.branch1x1.forward(x);

    let branch5x5 = this.branch5x5_1.forward(x);
    branch5x5 = this.branch5x5_2.forward(branch5x5);

    let branch3x3 = this.branch3x3_1.forward(x);
    branch3x3 = this.branch3x3_2.forward(branch3x3);
    branch3x3 = this.branch3x3_3.forward(branch3x3);

    let branchPool = F.avgPool2d(x, 3, { stride: 1, padding: 1 });
    branchPool = this.branch_pool.forward(branchPool);

    const outputs = [branch1x1, branch5x5, branch3x3, branchPool];
    return cat(outputs, 1);
  }
}

class GoogLeNet extends nn.Module {
  declare conv1: nn.Conv2d;
  declare conv2: nn.Conv2d;
  declare incep1: InceptionA;
  declare incep2: InceptionA;
  declare mp: nn.MaxPool2d;
  declare fc: nn.Linear;

  constructor() {
    super();
    this.conv1 = new nn.Conv2d(1, 10, 5);
    this.conv2 = new nn.Conv2d(88, 20, 5);

    this.incep1 = new InceptionA(10);
    this.incep2 = new InceptionA(20);

    this.mp = new nn.MaxPool2d(2);
    this.fc = new nn.Linear(1408, 10);
  }

  forward(x: Tensor): Tensor {
    const inSize = x.size(0);
    x = F.relu(this.mp.forward(this.conv1.forward(x)) as Tensor);
    x = this.incep1.forward(x);
    x = F.relu(this.mp.forward(this.conv2.forward(x)) as Tensor);
    x = this.incep2.forward(x);
    x = x.view(inSize, -1);
    x = this.fc.forward(x);
    return x;
  }
}

class ResidualBlock extends nn.Module {
  declare channels: number;
  declare conv1: nn.Conv2d;
  declare conv2: nn.Conv2d;

  constructor(channels: number) {
    super();
    this.channels = channels;
    this.conv1 = new nn.Conv2d(channels, channels, 3, { padding: 1 });
    this.conv2 = new nn.Conv2d(channels, channels, 3, { padding: 1 });
  }

  forward(x: Tensor): Tensor {
    let y = F.relu(this.conv1.forward(x));
    y = this.conv2.forward(y);
    return F.relu(x.add(y));
  }
}

class ResNet extends nn.Module {
  declare conv1: nn.Conv2d;
  declare conv2: nn.Conv2d;
  declare mp: nn.MaxPool2d;
  declare rblock1: ResidualBlock;
  declare rblock2: ResidualBlock;
  declare fc: nn.Linear;

  constructor() {
    super();
    this.conv1 = new nn.Conv2d(1, 16, 5);
    this.conv2 = new nn.Conv2d(16, 32, 5);
    this.mp = new nn.MaxPool2d(2);

    this.rblock1 = new ResidualBlock(16);
    this.rblock2 = new ResidualBlock(32);

    this.fc = new nn.Linear(512, 10);
  }

  forward(x: Tensor): Tensor {
    const inSize = x.size(0);
    x = this.mp.forward(F.relu(this.conv1.forward(x))) as Tensor;
    x = this.rblock1.forward(x);
    x = this.mp.forward(F.relu(this.conv2.forward(x))) as Tensor;
    x = this.rblock2.forward(x);
    x = x.view(inSize, -1);
    x = this.fc.forward(x);
    return x;
  }
}

const criterion = new nn.CrossEntropyLoss();
let model: GoogLeNet | ResNet;
let optimizer: optim.SGD;

const bar = new Progress("batch", 2 * EPOCHS * trainLoader.length);

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

for (const Net of [GoogLeNet, ResNet]) {
  print(Net.name);
  model = new Net();
  optimizer = new optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.5 });
  for (let epoch = 0; epoch < EPOCHS; epoch++) {
    train(epoch);
    test();
  }
}
bar.done();

// Lesson 12 (Basic RNN), ported line for line from examples/torch/lesson12-basic-rnn.py: learning
// to turn "hello" into "ohlol" three ways, one after the other: an RNNCell stepped through the
// sequence by hand, nn.RNN over the whole sequence, then Embedding + a 2-layer batch-first RNN +
// Linear; each prints the predicted string and the loss after every epoch. Python's
// `print(..., end='')` pieces of a line are gathered into one string printed at the line's end;
// `loss = 0; loss += ...` starts from a zero tensor (0 + x is exactly x); torch.LongTensor is an
// int32 tensor; '%d'/'%.4f' are template literals with toFixed (which rounds the double's exact
// decimal value, as Python does).

import { manualSeed, print, tensor, zeros, nn, optim, type Tensor } from "wasmgrad";

manualSeed(0);

print("RNNCell");
let inputSize = 4;
let hiddenSize = 4;
let batchSize = 1;

const idx2char = ["e", "h", "l", "o"];
let xData: number[] | number[][] = [1, 0, 2, 2, 3]; // hello
let yData = [3, 1, 2, 3, 2]; // ohlol

const oneHotLookup = [[1, 0, 0, 0],
                      [0, 1, 0, 0],
                      [0, 0, 1, 0],
                      [0, 0, 0, 1]];
const xOneHot = (xData as number[]).map((x) => oneHotLookup[x]);

let inputs = tensor(xOneHot).view(-1, batchSize, inputSize);
let labels = tensor(yData, { dtype: "int32" }).view(-1, 1);

class CellModel extends nn.Module {
  declare batchSize: number;
  declare inputSize: number;
  declare hiddenSize: number;
  declare rnncell: nn.RNNCell;

  constructor(inputSize: number, hiddenSize: number, batchSize: number) {
    super();
    this.batchSize = batchSize;
    this.inputSize = inputSize;
    this.hiddenSize = hiddenSize;
    this.rnncell = new nn.RNNCell(this.inputSize, this.hiddenSize);
  }

  forward(input: Tensor, hidden: Tensor): Tensor {
    hidden = this.rnncell.forward(input, hidden);
    return hidden;
  }

  initHidden(): Tensor {
    return zeros(this.batchSize, this.hiddenSize);
  }
}

{
  const net = new CellModel(inputSize, hiddenSize, batchSize);

  const criterion = new nn.CrossEntropyLoss();
  const optimizer = new optim.Adam(net.parameters(), { lr: 0.1 });

  for (let epoch = 0; epoch < 15; epoch++) {
    let loss = tensor(0);
    optimizer.zeroGrad();
    let hidden = net.initHidden();
    let line = "Predicted string: ";
    const labelRows = labels.unbind(0);
    inputs.unbind(0).forEach((input, k) => {
      const label = labelRows[k];
      hidden = net.forward(input, hidden);
      loss = loss.add(criterion.forward(hidden, label));
      const { indices: idx } = hidden.max(1);
      line += idx2char[idx.item()];
    });
    loss.backward();
    optimizer.step();
    print(`${line}, Epoch [${epoch + 1}/15] loss=${loss.item().toFixed(4)}`);
  }
}

print("RNN");
let numLayers = 1;
let seqLen = 5;

inputs = tensor(xOneHot).view(seqLen, batchSize, inputSize);
labels = tensor(yData, { dtype: "int32" });

class RNNModel extends nn.Module {
  declare numLayers: number;
  declare batchSize: number;
  declare inputSize: number;
  declare hiddenSize: number;
  declare rnn: nn.RNN;

  constructor(inputSize: number, hiddenSize: number, batchSize: number, numLayers = 1) {
    super();
    this.numLayers = numLayers;
    this.batchSize = batchSize;
    this.inputSize = inputSize;
    this.hiddenSize = hiddenSize;
    this.rnn = new nn.RNN(this.inputSize, this.hiddenSize, { numLayers });
  }

  forward(input: Tensor): Tensor {
    const hidden = zeros(this.numLayers, this.batchSize, this.hiddenSize);
    const [out] = this.rnn.forward(input, hidden);
    return out.view(-1, this.hiddenSize);
  }
}

function trainSequence(net: nn.Module): void {
  const criterion = new nn.CrossEntropyLoss();
  const optimizer = new optim.Adam(net.parameters(), { lr: 0.1 });

  for (let epoch = 0; epoch < 15; epoch++) {
    optimizer.zeroGrad();
    const outputs = net.forward(inputs) as Tensor;
    const loss = criterion.forward(outputs, labels);
    loss.backward();
    optimizer.step();

    const { indices: idx } = outputs.max(1);
    const chars = Array.from(idx.dataSync(), (x) => idx2char[x]);
    print(`Predicted:  ${chars.join("")}, Epoch [${epoch + 1}/15] loss = ${loss.item().toFixed(3)}`);
  }
}

trainSequence(new RNNModel(inputSize, hiddenSize, batchSize, numLayers));

print("Embedding");
const numClass = 4;
inputSize = 4;
hiddenSize = 8;
const embeddingSize = 10;
numLayers = 2;
batchSize = 1;
seqLen = 5;

xData = [[1, 0, 2, 2, 3]]; // (batch, seqLen)
yData = [3, 1, 2, 3, 2]; // (batch * seqLen)
inputs = tensor(xData, { dtype: "int32" });
labels = tensor(yData, { dtype: "int32" });

class EmbeddingModel extends nn.Module {
  declare emb: nn.Embedding;
  declare rnn: nn.RNN;
  declare fc: nn.Linear;

  constructor() {
    super();
    this.emb = new nn.Embedding(inputSize, embeddingSize);
    this.rnn = new nn.RNN(embeddingSize, hiddenSize, { numLayers, batchFirst: true });
    this.fc = new nn.Linear(hiddenSize, numClass);
  }

  forward(x: Tensor): Tensor {
    const hidden = zeros(numLayers, x.size(0), hiddenSize);
    x = this.emb.forward(x); // (batch, seqLen, embeddingSize)
    [x] = this.rnn.forward(x, hidden);
    x = this.fc.forward(x);
    return x.view(-1, numClass);
  }
}

trainSequence(new EmbeddingModel());

// Lesson 13 (RNN classifier), ported line for line from examples/torch/lesson13-rnn-classifier.py:
// which country a surname comes from (examples/data/names_train.csv and names_test.csv). Each name
// is a sequence of ASCII codes, embedded, run through a 2-layer bidirectional GRU as a packed
// sequence (the batch sorted by length), and the last layer's final hidden states of both
// directions go through a linear layer to 18 countries; CrossEntropyLoss, Adam(lr 0.001), shuffled
// batches of 256. 10 epochs; `--quick` trains 2. Python's csv.reader is a split on the comma (the
// names hold none); torch.LongTensor is an int32 tensor; the sort by length is a stable sort of
// the indices (torch's CPU sort keeps equal lengths in order too); Python's f-string of a float
// is formatPy; view_as(pred) is view(pred.shape).

import { readFileSync } from "node:fs";
import { manualSeed, print, formatPy, noGrad, tensor, zeros, cat, nn, optim, data, type Tensor } from "wasmgrad";
import { Progress } from "./lib/progress.js";

manualSeed(0);

const HIDDEN_SIZE = 100;
const BATCH_SIZE = 256;
const N_LAYER = 2;
const N_EPOCHS = process.argv.includes("--quick") ? 2 : 10;
const N_CHARS = 128;
// build/examples/<name>.js and examples/<name>.ts both sit two levels below the package root.
const DATA = new URL("../../examples/data/", import.meta.url);

class NameDataset extends data.Dataset<[string, number]> {
  declare names: string[];
  declare length: number;
  declare countries: string[];
  declare countryList: string[];
  declare countryDict: Map<string, number>;
  declare countryNum: number;

  constructor(isTrainSet = true) {
    super();
    const filename = new URL(isTrainSet ? "names_train.csv" : "names_test.csv", DATA);
    const rows = readFileSync(filename, "utf8").split("\n").filter((l) => l.length > 0).map((l) => l.split(","));
    this.names = rows.map((row) => row[0]);
    this.length = this.names.length;
    this.countries = rows.map((row) => row[1]);
    this.countryList = [...new Set(this.countries)].sort();
    this.countryDict = this.getCountryDict();
    this.countryNum = this.countryList.length;
  }

  getItem(index: number): [string, number] {
    return [this.names[index], this.countryDict.get(this.countries[index])!];
  }

  len(): number {
    return this.length;
  }

  getCountryDict(): Map<string, number> {
    const countryDict = new Map<string, number>();
    this.countryList.forEach((countryName, idx) => countryDict.set(countryName, idx));
    return countryDict;
  }

  idx2country(index: number): string {
    return this.countryList[index];
  }

  getCountriesNum(): number {
    return this.countryNum;
  }
}

const trainset = new NameDataset(true);
const trainloader = new data.DataLoader<[string, number], [string[], Tensor]>(trainset, { batchSize: BATCH_SIZE, shuffle: true });
const testset = new NameDataset(false);
const testloader = new data.DataLoader<[string, number], [string[], Tensor]>(testset, { batchSize: BATCH_SIZE, shuffle: false });

const N_COUNTRY = trainset.getCountriesNum();

class RNNClassifier extends nn.Module {
  declare hiddenSize: number;
  declare nLayers: number;
  declare nDirections: number;
  declare embedding: nn.Embedding;
  declare gru: nn.GRU;
  declare fc: nn.Linear;

  constructor(inputSize: number, hiddenSize: number, outputSize: number, nLayers = 1, bidirectional = true) {
    super();
    this.hiddenSize = hiddenSize;
    this.nLayers = nLayers;
    this.nDirections = bidirectional ? 2 : 1;

    this.embedding = new nn.Embedding(inputSize, hiddenSize);
    this.gru = new nn.GRU(hiddenSize, hiddenSize, nLayers, { bidirectional });
    this.fc = new nn.Linear(hiddenSize * this.nDirections, outputSize);
  }

  initHidden(batchSize: number): Tensor {
    return zeros(this.nLayers * this.nDirections, batchSize, this.hiddenSize);
  }

  forward(input: Tensor, seqLengths: Tensor): Tensor {
    // input shape: B x S -> S x B
    input = input.t();
    const batchSize = input.size(1);

    let hidden = this.initHidden(batchSize);
    const embedding = this.embedding.forward(input);

    // pack them up
    const gruInput = nn.utils.rnn.packPaddedSequence(embedding, seqLengths);

    [, hidden] = this.gru.forward(gruInput, hidden);
    const hiddenCat = this.nDirections === 2 ? cat([hidden.select(0, -1), hidden.select(0, -2)], 1) : hidden.select(0, -1);
    const fcOutput = this.fc.forward(hiddenCat);
    return fcOutput;
  }
}

function name2list(name: string): [number[], number] {
  const arr = Array.from(name, (c) => c.charCodeAt(0));
  return [arr, arr.length];
}

function makeTensors(names: string[], countries: Tensor): [Tensor, Tensor, Tensor] {
  const sequencesAndLengths = names.map((name) => name2list(name));
  const nameSequences = sequencesAndLengths.map((sl) => sl[0]);
  const lengths = sequencesAndLengths.map((sl) => sl[1]);

  // make tensor of name, BatchSize x SeqLen
  const maxLen = Math.max(...lengths);
  const seq = new Int32Array(nameSequences.length * maxLen);
  nameSequences.forEach((s, idx) => seq.set(s, idx * maxLen));

  // sort by length to use packPaddedSequence
  const permIdx = tensor(Int32Array.from(lengths.map((_, i) => i).sort((a, b) => lengths[b] - lengths[a])));
  const seqLengths = tensor(Int32Array.from(lengths)).indexSelect(0, permIdx);
  const seqTensor = tensor(seq).view(nameSequences.length, maxLen).indexSelect(0, permIdx);
  countries = countries.indexSelect(0, permIdx);

  return [seqTensor, seqLengths, countries];
}

let classifier: RNNClassifier;
let criterion: nn.CrossEntropyLoss;
let optimizer: optim.Adam;
let epoch = 0;
const bar = new Progress("batch", N_EPOCHS * trainloader.length);

function trainModel(): number {
  let totalLoss = 0;
  let i = 1;
  for (const [names, countries] of trainloader) {
    const [inputs, seqLengths, target] = makeTensors(names, countries);
    const output = classifier.forward(inputs, seqLengths);
    const loss = criterion.forward(output, target);
    optimizer.zeroGrad();
    loss.backward();
    optimizer.step();

    totalLoss += loss.item();
    print(`Epoch ${epoch} [${i * inputs.size(0)}/${trainset.len()}] loss=${formatPy(totalLoss / (i * inputs.size(0)))}`);
    bar.tick();
    i++;
  }
  return totalLoss;
}

function testModel(): number {
  let correct = 0;
  const total = testset.len();
  print("evaluating trained model ...");
  noGrad(() => {
    for (const [names, countries] of testloader) {
      const [inputs, seqLengths, target] = makeTensors(names, countries);
      const output = classifier.forward(inputs, seqLengths);
      const pred = output.max(1, true).indices;
      correct += pred.eq(target.view(pred.shape)).sum().item();
    }

    const percent = ((100 * correct) / total).toFixed(2);
    print(`Test set: Accuracy ${correct}/${total} ${percent}%`);
  });

  return correct / total;
}

classifier = new RNNClassifier(N_CHARS, HIDDEN_SIZE, N_COUNTRY, N_LAYER);

criterion = new nn.CrossEntropyLoss();
optimizer = new optim.Adam(classifier.parameters(), { lr: 0.001 });

print(`Training for ${N_EPOCHS} epochs...`);
const accList: number[] = [];
for (epoch = 1; epoch < N_EPOCHS + 1; epoch++) {
  trainModel();
  const acc = testModel();
  accList.push(acc);
}
bar.done();

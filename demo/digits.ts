// Lesson 10's CNN (or lesson 9's MLP) trained in the page on examples/data's digits, one batch per
// animation frame, with a live loss/accuracy plot, and a canvas to draw a digit for the model.
//
// Memory: each batch's step runs inside tidy() (trainNextTidy), which frees the batch's tensors as
// soon as it returns. Untick "tidy() each batch" to leave them to the library's automatic release
// instead: it frees a tensor's WASM storage once the garbage collector has found it unreachable,
// which the browser does only while the page yields (here: every frame) and only at its major
// collections, so the dead tensors of hundreds of batches can pile up first (node
// scripts/demo-memory.mjs --no-tidy measures it: the WASM memory settles several times higher).

import { manualSeed, noGrad, max, softmax, tidy, nn, optim, data, vision, type Tensor } from "wasmgrad";
import uPlot from "uplot";
import { $, MemoryMeter, nextFrame, start } from "./lib/common.js";
import { loadDigits, transform } from "./lib/mnist.js";
import { models, type Classifier, type ModelKind } from "./lib/models.js";
import { Sketch } from "./lib/sketch.js";

type Batch = [Tensor, Tensor];

const params = new URLSearchParams(location.search);
const modelInput = $<HTMLSelectElement>("model");
const lrInput = $<HTMLInputElement>("lr");
const epochsInput = $<HTMLInputElement>("epochs");
const tidyInput = $<HTMLInputElement>("tidy");
if (params.has("model") && params.get("model")! in models) modelInput.value = params.get("model")!;
lrInput.value = params.get("lr") ?? String(models[modelInput.value as ModelKind].lr);
if (params.has("epochs")) epochsInput.value = params.get("epochs")!;
if (params.has("tidy")) tidyInput.checked = params.get("tidy") !== "0"; // ?tidy=0: no tidy()

await start();
const { train: trainSet, test: testSet } = await loadDigits();
const testLoader = new data.DataLoader<[Tensor, number], Batch>(testSet, { batchSize: 64 });
const meter = new MemoryMeter();

// ---- the run: model, optimiser and where the loop is
let model: Classifier;
let optimizer: optim.SGD;
let trainLoader: data.DataLoader<[Tensor, number], Batch>;
let batches: Iterator<Batch> | null = null;
let epoch = 0;
let batchInEpoch = 0;
let running = false;
let trainedMs = 0;
const criterion = new nn.CrossEntropyLoss();
const accuracies: number[] = [];
// plot data: x in epochs; the loss of each batch, the test accuracy (%) after each epoch
const plotData: [number[], (number | null)[], (number | null)[]] = [[], [], []];

function newRun(): void {
  running = false;
  manualSeed(0);
  const kind = modelInput.value as ModelKind;
  model = models[kind].make();
  optimizer = new optim.SGD(model.parameters(), { lr: Number(lrInput.value) || models[kind].lr, momentum: 0.5 });
  trainLoader = new data.DataLoader<[Tensor, number], Batch>(trainSet, { batchSize: 64, shuffle: true });
  batches = null;
  epoch = batchInEpoch = trainedMs = 0;
  accuracies.length = 0;
  for (const a of plotData) a.length = 0;
  const acc = tidyInput.checked ? tidy(evaluate) : evaluate();
  plotData[0].push(0); plotData[1].push(null); plotData[2].push(100 * acc);
}

/** The next batch through one step of the lessons' loop: its loss, or null at the end of the epoch. */
function trainNext(): number | null {
  const next = batches!.next();
  if (next.done) return null;
  const [inputs, target] = next.value;
  optimizer.zeroGrad();
  const outputs = model.forward(inputs);
  const loss = criterion.forward(outputs, target);
  loss.backward();
  optimizer.step();
  return loss.item();
}

/**
 * The same inside tidy(): every tensor made in it (the batch's images as the transform makes
 * them, the batch, activations, gradients) is freed when it returns, except what the returned
 * value holds. The optimiser's momentum buffers are made by its first step() and must outlive the
 * scope, so they are returned with the loss (tidy keeps tensors found in arrays, objects and Maps,
 * and optimizer.state is a Map of them).
 */
function trainNextTidy(): number | null {
  return tidy(() => ({ loss: trainNext(), keep: optimizer.state })).loss;
}

function evaluate(): number {
  let correct = 0, total = 0;
  noGrad(() => {
    for (const [images, labels] of testLoader) {
      const { indices: predicted } = max(model.forward(images), 1);
      total += labels.size(0);
      correct += predicted.eq(labels).sum().item();
    }
  });
  return correct / total;
}

async function train(): Promise<void> {
  if (running) return;
  running = true;
  showControls();
  const perEpoch = trainLoader.length;
  while (running && epoch < Number(epochsInput.value)) {
    const t0 = performance.now();
    batches ??= trainLoader[Symbol.iterator]();
    const loss = tidyInput.checked ? trainNextTidy() : trainNext();
    if (loss === null) {
      // end of an epoch: the test accuracy, as the lessons print it
      batches = null;
      batchInEpoch = 0;
      epoch++;
      const acc = tidyInput.checked ? tidy(evaluate) : evaluate();
      accuracies.push(acc);
      plotData[2][plotData[2].length - 1] = 100 * acc;
      trainedMs += performance.now() - t0;
      continue;
    }
    batchInEpoch++;
    trainedMs += performance.now() - t0;
    plotData[0].push(epoch + batchInEpoch / perEpoch);
    plotData[1].push(loss);
    plotData[2].push(null);
    meter.sample();
    if (batchInEpoch % 4 === 0 || batchInEpoch === perEpoch) render();
    if (lastDigit && batchInEpoch % 8 === 0) predict(lastDigit);
    await nextFrame(); // hand the page back to the browser: input, drawing, and the GC's finalizers
  }
  running = false;
  render();
  showControls();
}

// ---- plot and readouts
const plotEl = $("plot");
const chart = new uPlot({
  width: Math.max(300, plotEl.clientWidth - 4), height: 300,
  scales: { x: { time: false }, loss: { auto: true }, acc: { range: [0, 100] } },
  axes: [
    { label: "epoch" },
    { scale: "loss", label: "loss", size: 50 },
    { scale: "acc", label: "test accuracy %", side: 1, grid: { show: false }, size: 50 },
  ],
  series: [
    { label: "epoch", value: (_u, v) => (v == null ? "--" : v.toFixed(2)) },
    { label: "loss", scale: "loss", stroke: "#c0392b", width: 1.5, points: { show: false } },
    { label: "accuracy %", scale: "acc", stroke: "#2f6fd6", width: 2, spanGaps: true, points: { show: true, size: 7, fill: "#2f6fd6" } },
  ],
}, plotData, plotEl);

function render(): void {
  chart.setData(plotData);
  const acc = accuracies.length ? `${(100 * accuracies[accuracies.length - 1]).toFixed(1)}%` : `${plotData[2][0]?.toFixed(1)}% (untrained)`;
  $("progress").textContent = `epoch ${epoch}${batchInEpoch ? ` + ${batchInEpoch}/${trainLoader.length} batches` : ""} · test accuracy ${acc} · ${(trainedMs / 1000).toFixed(1)} s of training`;
  $("memory").textContent = meter.text();
}

function showControls(): void {
  const done = epoch >= Number(epochsInput.value);
  $<HTMLButtonElement>("train").disabled = running || done;
  $<HTMLButtonElement>("train").textContent = epoch > 0 && !done ? "Continue" : "Train";
  $<HTMLButtonElement>("pause").disabled = !running;
  $<HTMLButtonElement>("reset").disabled = false;
  modelInput.disabled = lrInput.disabled = running;
}

// ---- the drawing pad
const probsEl = $("probs");
const rows = Array.from({ length: 10 }, (_, d) => {
  const row = [document.createElement("span"), document.createElement("div"), document.createElement("span")];
  row[0].textContent = String(d);
  row[1].className = "bar";
  row[1].append(document.createElement("div"));
  probsEl.append(...row);
  return row;
});
let lastDigit: Uint8Array | null = null;

/** Class probabilities of a 28x28 byte image, through the dataset's own transform. */
function classify(pixels: Uint8Array): number[] {
  // numbers out, so tidy() frees every tensor made on the way at once
  return tidy(() => noGrad(() => {
    const x = (transform.forward(new vision.Image(pixels, 28, 28, "L")) as Tensor).unsqueeze(0);
    return Array.from(softmax(model.forward(x), 1).toFloat32Array());
  }));
}

function predict(pixels: Uint8Array): number[] {
  const probs = classify(pixels);
  const best = probs.indexOf(Math.max(...probs));
  rows.forEach(([digit, bar, value], d) => {
    (bar.firstChild as HTMLElement).style.width = `${(100 * probs[d]).toFixed(1)}%`;
    value.textContent = probs[d].toFixed(3);
    for (const el of [digit, bar, value]) el.classList.toggle("top", d === best);
  });
  $("prediction").textContent = String(best);
  return probs;
}

function showSeen(pixels: Uint8Array | null): void {
  const ctx = $<HTMLCanvasElement>("seen").getContext("2d")!;
  const img = ctx.createImageData(28, 28);
  for (let i = 0; i < 784; i++) img.data.set([pixels?.[i] ?? 0, pixels?.[i] ?? 0, pixels?.[i] ?? 0, 255], i * 4);
  ctx.putImageData(img, 0, 0);
}

let pending = false;
const sketch = new Sketch($<HTMLCanvasElement>("pad"), (final) => {
  // while drawing, at most one prediction per frame
  if (pending && !final) return;
  pending = true;
  requestAnimationFrame(() => {
    pending = false;
    lastDigit = sketch.toDigit();
    showSeen(lastDigit);
    if (lastDigit) predict(lastDigit);
  });
});

function clearPad(): void {
  sketch.clear();
  lastDigit = null;
  showSeen(null);
  $("prediction").textContent = "–";
  rows.forEach(([digit, bar, value]) => {
    (bar.firstChild as HTMLElement).style.width = "0";
    value.textContent = "";
    for (const el of [digit, bar, value]) el.classList.remove("top");
  });
}

$("train").onclick = () => void train();
$("pause").onclick = () => { running = false; showControls(); };
$("reset").onclick = () => { newRun(); render(); showControls(); };
$("clear").onclick = clearPad;
modelInput.onchange = () => { lrInput.value = String(models[modelInput.value as ModelKind].lr); newRun(); render(); showControls(); };
lrInput.onchange = () => { if (epoch === 0 && !batches) newRun(); render(); };
epochsInput.onchange = () => showControls();

newRun();
clearPad();
render();
showControls();
if (params.get("autostart") === "1") void train();

/** For tests and the curious (devtools: digits.state, digits.drawTestDigit(i)). */
const api = {
  get state() {
    return {
      epoch, batches: plotData[1].filter((v) => v != null).length, running, done: epoch >= Number(epochsInput.value),
      accuracies: [...accuracies], trainedMs, memory: { now: meter.now, peak: meter.peak }, lossPoints: chart.data[0].length,
      prediction: $("prediction").textContent, probs: rows.map((r) => Number(r[2].textContent || "NaN")),
    };
  },
  /** Paints test image i on the pad (as if drawn) and returns [label, what the pad predicts, what the image itself gives]. */
  drawTestDigit(i: number): [number, number, number] {
    const pixels = testSet.images.subarray(i * 784, (i + 1) * 784);
    sketch.paint(pixels);
    lastDigit = sketch.toDigit();
    showSeen(lastDigit);
    const probs = predict(lastDigit!);
    const direct = classify(pixels);
    return [testSet.labels[i], probs.indexOf(Math.max(...probs)), direct.indexOf(Math.max(...direct))];
  },
  testSize: testSet.len(),
};
Object.assign(window, { digits: api, ready: true });

// The seed lesson (examples/linear-regression.ts) as a page: the same program, run one sample per
// Step, printing through the library's print() into the console panel, with plots of the loss
// and of w, and the graph of each step's loss drawn with its values and gradients.

import { tensor, mul, sub, print, setPrintSink, memory, type Tensor } from "wasmgrad";
import uPlot from "uplot";
import { $, start, nextFrame } from "./lib/common.js";
import { draw, lessonDot, loadGraphviz, type StepValues } from "./lib/graph.js";

const EPOCHS = 100n;
const xData = [1.0, 2.0, 3.0];
const yData = [2.0, 4.0, 6.0];

/** One run of the program, advanced a sample at a time. */
class LessonRun {
  readonly w: Tensor;
  epoch = 0n;
  sample = 0;
  steps = 0;
  done = false;
  last: StepValues | undefined;

  constructor(public lr: number) {
    this.w = tensor([1.0]);
    this.w.requiresGrad = true;
    print("before, w= ", this.forward(4).item());
  }

  forward(x: number): Tensor {
    return mul(x, this.w);
  }

  /** The body of the inner loop for the next (x, y), and the end of the epoch after the third. */
  step(): StepValues {
    const { w } = this;
    const x = xData[this.sample], y = yData[this.sample];
    // loss(x, y), with its intermediate tensors kept so that the graph can show them
    const yVal = this.forward(x);
    const diff = sub(yVal, y);
    const l = diff.pow(2);
    for (const t of [yVal, diff, l]) t.retainGrad();
    const wValue = w.item();
    l.backward();
    print("\tgrad:", x, y, w.grad!.item());
    const wGrad = w.grad!.item();
    w.data = sub(w.data, mul(this.lr, w.grad!.data));

    w.grad!.data.zero_();
    this.last = { x, y, l, yVal, diff, w, wValue, wGrad };
    this.steps++;
    if (++this.sample === xData.length) {
      print("progress", this.epoch, l.item());
      this.sample = 0;
      if (++this.epoch === EPOCHS) {
        print("after, w= ", this.forward(4).item());
        this.done = true;
      }
    }
    return this.last;
  }
}

/** Log-axis labels: every third decade, as 1e-3 (a label per decade would overlap). */
function decades(_u: uPlot, splits: number[]): string[] {
  return splits.map((v) => {
    const e = Math.round(Math.log10(v));
    return v > 0 && e % 3 === 0 ? (e === 0 ? "1" : `1e${e}`) : "";
  });
}

function plot(el: HTMLElement, title: string, opts: Partial<uPlot.Options>, data: uPlot.AlignedData): uPlot {
  const width = Math.max(280, el.clientWidth - 4);
  return new uPlot({ title, width, height: 240, legend: { show: true }, ...opts } as uPlot.Options, data, el);
}

await start();
await loadGraphviz();

const consoleEl = $<HTMLPreElement>("console");
let consoleText = "";
setPrintSink((text) => {
  consoleText += text;
  consoleEl.append(text);
  consoleEl.scrollTop = consoleEl.scrollHeight;
});

// plot data: loss per epoch (what "progress" prints), w after every sample (and the target 2)
const lossData: [number[], (number | null)[]] = [[], []];
const wData: [number[], number[], number[]] = [[0], [1], [2]];
const lossPlot = plot($("loss-plot"), "", {
  scales: { x: { time: false }, y: { distr: 3 } },
  axes: [{ label: "epoch" }, { label: "loss", size: 60, values: decades }],
  series: [{ label: "epoch" }, { label: "loss", stroke: "#c0392b", width: 2, points: { show: false } }],
}, lossData);
const wPlot = plot($("w-plot"), "", {
  scales: { x: { time: false } },
  axes: [{ label: "samples seen" }, { label: "w", size: 60 }],
  series: [
    { label: "samples" },
    { label: "w", stroke: "#2f6fd6", width: 2, points: { show: false } },
    { label: "target 2.0", stroke: "#9aa5b1", dash: [6, 4], width: 1, points: { show: false } },
  ],
}, wData);

let run: LessonRun;
let playing = false;
let drawnSteps = -1;
const buttons = { play: $<HTMLButtonElement>("play"), pause: $<HTMLButtonElement>("pause"), step: $<HTMLButtonElement>("step"), reset: $<HTMLButtonElement>("reset") };
const lrInput = $<HTMLInputElement>("lr");
const speedInput = $<HTMLSelectElement>("speed");

function readLr(): number {
  const lr = Number(lrInput.value);
  return Number.isFinite(lr) ? lr : 0.01;
}

function reset(): void {
  playing = false;
  consoleText = "";
  consoleEl.textContent = "";
  lossData[0].length = lossData[1].length = 0;
  wData[0].length = wData[1].length = wData[2].length = 0;
  wData[0].push(0);
  wData[1].push(1);
  wData[2].push(2);
  run = new LessonRun(readLr());
  drawnSteps = -1;
  $("graph").innerHTML = '<span class="placeholder">Press Step or Play: each step draws the graph of its loss, with the forward value and, after <code>backward()</code>, the gradient on every node.</span>';
  render();
}

function advance(): void {
  if (run.done) return;
  const endsEpoch = run.sample === xData.length - 1;
  const v = run.step();
  wData[0].push(run.steps);
  wData[1].push(run.w.item());
  wData[2].push(2);
  if (endsEpoch) {
    const loss = v.l.item();
    lossData[0].push(lossData[0].length);
    lossData[1].push(loss > 0 && Number.isFinite(loss) ? loss : null); // log scale: no zeros
  }
}

function render(): void {
  lossPlot.setData(lossData);
  wPlot.setData(wData);
  if (run.last && drawnSteps !== run.steps) {
    draw($("graph"), lessonDot(run.last));
    drawnSteps = run.steps;
  }
  const m = memory();
  $("where").textContent = `epoch ${run.epoch} · sample ${run.sample + 1} of 3 · w = ${run.w.item()} · ${m.tensors} live tensors`;
  buttons.play.disabled = playing || run.done;
  buttons.pause.disabled = !playing;
  buttons.step.disabled = playing || run.done;
  buttons.reset.disabled = false;
}

async function play(): Promise<void> {
  if (playing || run.done) return;
  playing = true;
  render();
  let last = performance.now();
  let budget = 1; // the first frame takes a step at once
  while (playing && !run.done) {
    const now = await nextFrame();
    // a slow frame (a busy machine, a background tab) slows the run down rather than jumping ahead
    budget += (Number(speedInput.value) * Math.min(Math.max(0, now - last), 1000 / 15)) / 1000;
    last = now;
    const n = Math.min(Math.floor(budget), 300);
    budget -= n;
    for (let i = 0; i < n && !run.done && playing; i++) advance();
    render();
  }
  playing = false;
  render();
}

buttons.play.onclick = () => void play();
buttons.pause.onclick = () => { playing = false; render(); };
buttons.step.onclick = () => { advance(); render(); };
buttons.reset.onclick = () => reset();
lrInput.onchange = () => { run.lr = readLr(); };

reset();

/** What the page shows, for tests and the curious (in the devtools console: lesson.state). */
const api = {
  get state() {
    const f = run.w.toFloat32Array();
    const bits = new Uint32Array(f.buffer, f.byteOffset, 1)[0];
    return {
      epoch: Number(run.epoch), sample: run.sample, steps: run.steps, done: run.done, playing,
      w: run.w.item(), wBits: bits, lossPoints: lossPlot.data[0].length, wPoints: wPlot.data[0].length,
      console: consoleText,
    };
  },
};
Object.assign(window, { lesson: api, ready: true });

// A progress bar for the long training loops of the course examples. stdout carries exactly what
// the PyTorch original prints, so the bar never goes there: when stderr is a terminal it is one
// line redrawn in place on stderr, erased before every print() line and drawn again on a later
// tick, so the two streams do not garble each other when they share the terminal; when stderr is
// not a terminal it writes a plain line to stderr at every tenth of the way.

import { setPrintSink, type PrintSink } from "wasmgrad";

const REDRAW_MS = 50;
const WIDTH = 24;

function seconds(ms: number): string {
  return ms < 60_000 ? `${(ms / 1000).toFixed(1)}s` : `${Math.floor(ms / 60_000)}m${Math.floor((ms % 60_000) / 1000)}s`;
}

export class Progress {
  private readonly label: string;
  private readonly total: number;
  private readonly err: NodeJS.WriteStream = process.stderr;
  private readonly tty: boolean;
  private readonly started = Date.now();
  private readonly prevSink: PrintSink | null = null;
  private count = 0;
  private info = "";
  private drawn = false;
  private lastDraw = 0;
  private nextTenth = 1;
  private finished = false;

  constructor(label: string, total: number) {
    this.label = label;
    this.total = Math.max(1, total);
    this.tty = this.err.isTTY === true;
    // Lines print() writes only need the bar out of their way when they reach the same terminal.
    if (this.tty && process.stdout.isTTY) {
      this.prevSink = setPrintSink((text) => {
        this.erase();
        if (this.prevSink) this.prevSink(text);
        else process.stdout.write(text);
      });
    }
  }

  /** Counts `n` more steps done; `info` (e.g. the latest loss) is shown beside the bar. */
  tick(n = 1, info?: string): void {
    this.count = Math.min(this.total, this.count + n);
    if (info !== undefined) this.info = info;
    if (this.tty) {
      const now = Date.now();
      if (now - this.lastDraw >= REDRAW_MS || this.count === this.total) this.draw(now);
    } else {
      while (this.count * 10 >= this.nextTenth * this.total && this.nextTenth <= 10) {
        this.err.write(`${this.text(Date.now())}\n`);
        this.nextTenth++;
      }
    }
  }

  /** Draws the final state, ends the line and gives print() its previous destination back. */
  done(): void {
    if (this.finished) return;
    this.finished = true;
    if (this.tty) {
      if (!this.drawn) this.draw(Date.now());
      this.err.write("\n");
      this.drawn = false;
      if (process.stdout.isTTY) setPrintSink(this.prevSink);
    }
  }

  private text(now: number): string {
    const frac = this.count / this.total;
    const full = Math.round(frac * WIDTH);
    const elapsed = now - this.started;
    const eta = this.count > 0 && this.count < this.total ? ` eta ${seconds((elapsed / this.count) * (this.total - this.count))}` : "";
    const bar = this.tty ? ` [${"#".repeat(full)}${"-".repeat(WIDTH - full)}]` : "";
    const info = this.info ? ` ${this.info}` : "";
    return `${this.label} ${this.count}/${this.total}${bar} ${Math.floor(frac * 100)}% ${seconds(elapsed)}${eta}${info}`;
  }

  private draw(now: number): void {
    const cols = this.err.columns || 80; // 0 on a pseudo-terminal with no size set
    this.err.write(`\r\x1b[K${this.text(now).slice(0, cols - 1)}`);
    this.drawn = true;
    this.lastDraw = now;
  }

  private erase(): void {
    if (!this.drawn) return;
    this.err.write("\r\x1b[K");
    this.drawn = false;
  }
}

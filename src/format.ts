// Tensor printing in PyTorch's layout (torch/_tensor_str.py): one formatter for all elements,
// 4 decimals or scientific notation by the same rules, line width 80, summarised above 1000 elements.

const LINEWIDTH = 80;
const THRESHOLD = 1000;
const EDGEITEMS = 3;

// JavaScript's toFixed/toExponential round an exact halfway value up; Python's format rounds it
// to even. Both work on the exact binary value, so the two differ only on exact ties, which the
// exact decimal expansion (toFixed(100) / toPrecision(100)) reveals.

/** True when `rest` (the digits after the last kept one) is exactly one half. */
function isTie(rest: string): boolean {
  return /^50*$/.test(rest);
}

/** Python's '{:.Nf}' of a non-negative finite number. */
function fixedAbs(a: number, digits: number): string {
  const s = a.toFixed(digits);
  if (a >= 1e21) return s;
  const exact = a.toFixed(100);
  const cut = exact.indexOf(".") + 1 + digits;
  if (isTie(exact.slice(cut)) && Number(exact[cut - 1]) % 2 === 0) return exact.slice(0, digits ? cut : cut - 1);
  return s;
}

/** Python's '{:.Ne}' of a non-negative finite number: exponent with a sign and two digits at least. */
function sciAbs(a: number, digits: number): string {
  let s = a.toExponential(digits);
  if (a !== 0) {
    const sig = a.toPrecision(100).split("e")[0].replace(".", "").replace(/^0+/, "");
    if (isTie(sig.slice(digits + 1)) && Number(sig[digits]) % 2 === 0) {
      const exp = Number(a.toExponential().split("e")[1]);
      s = `${sig[0]}${digits ? "." + sig.slice(1, digits + 1) : ""}e${exp}`;
    }
  }
  const i = s.indexOf("e");
  const exp = Number(s.slice(i + 1));
  const mag = String(Math.abs(exp));
  return `${s.slice(0, i)}e${exp < 0 ? "-" : "+"}${mag.length < 2 ? "0" + mag : mag}`;
}

/** Applies a formatter of magnitudes to a signed value (keeping the sign of -0, as Python). */
function signed(v: number, f: (a: number) => string): string {
  return (v < 0 || Object.is(v, -0) ? "-" : "") + f(Math.abs(v));
}

/** Python's '{:.4e}'. */
function sci(v: number, digits: number): string {
  return signed(v, (a) => sciAbs(a, digits));
}

function special(v: number): string | null {
  if (Number.isNaN(v)) return "nan";
  if (v === Infinity) return "inf";
  if (v === -Infinity) return "-inf";
  return null;
}

interface Formatter {
  width: number;
  format(v: number): string;
}

/** torch's _Formatter for floats: the mode and width come from the nonzero finite values only. */
function floatFormatter(values: ArrayLike<number>): Formatter {
  const nz: number[] = [];
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i]) && values[i] !== 0) nz.push(values[i]);
  let intMode = true;
  for (const v of nz) if (Math.ceil(v) !== v) { intMode = false; break; }
  const abs = nz.map(Math.abs);
  const max = abs.length ? Math.max(...abs) : 0;
  const min = abs.length ? Math.min(...abs) : 0;
  const sciMode = nz.length > 0 && (max / min > 1000 || max > 1e8 || (!intMode && min < 1e-4));
  const fmt = sciMode ? (v: number) => sci(v, 4)
    : intMode ? (v: number) => `${signed(v, (a) => a.toFixed(0))}.`
    : (v: number) => signed(v, (a) => fixedAbs(a, 4));
  const format = (v: number) => special(v) ?? fmt(v);
  let width = 1;
  for (const v of nz) width = Math.max(width, format(v).length);
  return { width, format };
}

function plainFormatter(values: ArrayLike<number>, bool: boolean): Formatter {
  const format = bool ? (v: number) => (v ? "True" : "False") : (v: number) => String(v);
  let width = 1;
  for (let i = 0; i < values.length; i++) width = Math.max(width, format(values[i]).length);
  return { width, format };
}

/** The values that will be printed (all, or the edges of each dim when summarising). */
function summarized(values: ArrayLike<number>, shape: readonly number[], summarize: boolean): number[] {
  if (!summarize) return Array.from(values);
  const out: number[] = [];
  const walk = (offset: number, d: number) => {
    const stride = shape.slice(d + 1).reduce((a, b) => a * b, 1);
    const n = shape[d];
    const idx = n > 2 * EDGEITEMS
      ? [...Array(EDGEITEMS).keys(), ...Array.from({ length: EDGEITEMS }, (_, i) => n - EDGEITEMS + i)]
      : [...Array(n).keys()];
    for (const i of idx) {
      if (d === shape.length - 1) out.push(values[offset + i]);
      else walk(offset + i * stride, d + 1);
    }
  };
  if (shape.length === 0) out.push(values[0]);
  else walk(0, 0);
  return out;
}

function body(values: ArrayLike<number>, shape: readonly number[], offset: number, indent: number,
              summarize: boolean, f: Formatter): string {
  const pad = (v: number) => {
    const s = f.format(v);
    return " ".repeat(Math.max(0, f.width - s.length)) + s;
  };
  const dim = shape.length;
  if (dim === 0) return pad(values[offset]);
  const n = shape[0];
  const stride = shape.slice(1).reduce((a, b) => a * b, 1);
  const cut = summarize && n > 2 * EDGEITEMS;
  if (dim === 1) {
    const perLine = Math.max(1, Math.floor((LINEWIDTH - indent) / (f.width + 2)));
    const items: string[] = [];
    for (let i = 0; i < n; i++) {
      if (cut && i === EDGEITEMS) { items.push(" ..."); i = n - EDGEITEMS; }
      items.push(pad(values[offset + i]));
    }
    const lines: string[] = [];
    for (let i = 0; i < items.length; i += perLine) lines.push(items.slice(i, i + perLine).join(", "));
    return "[" + lines.join(",\n" + " ".repeat(indent + 1)) + "]";
  }
  const slices: string[] = [];
  for (let i = 0; i < n; i++) {
    if (cut && i === EDGEITEMS) { slices.push("..."); i = n - EDGEITEMS; }
    slices.push(body(values, shape.slice(1), offset + i * stride, indent + 1, summarize, f));
  }
  return "[" + slices.join("," + "\n".repeat(dim - 1) + " ".repeat(indent + 1)) + "]";
}

function addSuffixes(s: string, suffixes: string[], indent: number): string {
  const parts = [s];
  let lastLen = s.length - s.lastIndexOf("\n") + 1;
  for (const suffix of suffixes) {
    if (lastLen + suffix.length + 2 > LINEWIDTH) {
      parts.push(",\n" + " ".repeat(indent) + suffix);
      lastLen = indent + suffix.length;
    } else {
      parts.push(", " + suffix);
      lastLen += suffix.length + 2;
    }
  }
  parts.push(")");
  return parts.join("");
}

/**
 * `tensor([1., 2.], requires_grad=True)`: values in row-major order, the shape, the dtype name,
 * and the autograd suffixes ("requires_grad=True" / "grad_fn=<MulBackward0>").
 */
export function formatTensor(values: ArrayLike<number>, shape: readonly number[], dtype: string,
                             autograd: string[]): string {
  const prefix = "tensor(";
  const indent = prefix.length;
  const numel = values.length;
  const suffixes: string[] = [];
  let s: string;
  if (numel === 0) {
    s = "[]";
    if (shape.length !== 1) suffixes.push(`size=(${shape.join(", ")})`);
  } else {
    const summarize = numel > THRESHOLD;
    const shown = summarized(values, shape, summarize);
    const f = dtype === "float32" || dtype === "float64" ? floatFormatter(shown) : plainFormatter(shown, dtype === "bool");
    s = body(values, shape, 0, indent, summarize, f);
  }
  // torch shows the dtype unless it is the default float, int64, or bool (empty tensors always)
  if (dtype === "int32" || dtype === "float64" || (dtype === "bool" && numel === 0)) suffixes.push(`dtype=torch.${dtype}`);
  suffixes.push(...autograd);
  return addSuffixes(prefix + s, suffixes, indent);
}

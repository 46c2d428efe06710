// The committed files under examples/data are what scripts/make_datasets.py writes: it is re-run into
// a temporary folder and the outputs compared. The .gz files are compared after decompression (the
// deflate stream may differ between zlib builds; the IDX payload must not), and their headers must
// carry no file name and a zero mtime, so regenerating does not churn them.

import { test, expect } from "vitest";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { tmpdir } from "node:os";
import { DATA, ROOT } from "./util";

const PY = "/usr/bin/python3";
const probe = spawnSync(PY, ["-c", "import numpy, sklearn"], { encoding: "utf8" });
const why = probe.error ? `${PY} is not available` : probe.status !== 0 ? "python3-sklearn (or numpy) is not installed for /usr/bin/python3" : "";
if (why) console.log(`skipping the dataset generator check: ${why}`);

function files(dir: string, prefix = ""): string[] {
  return readdirSync(dir).flatMap((f) => statSync(`${dir}/${f}`).isDirectory() ? files(`${dir}/${f}`, `${prefix}${f}/`) : [`${prefix}${f}`]).sort();
}

test.skipIf(why !== "")("scripts/make_datasets.py reproduces examples/data", () => {
  const out = mkdtempSync(`${tmpdir()}/wg-datasets-`);
  try {
    execFileSync(PY, [`${ROOT}scripts/make_datasets.py`, out], { stdio: "pipe" });
    const made = files(out);
    expect(made).toEqual([
      "MNIST/raw/t10k-images-idx3-ubyte.gz", "MNIST/raw/t10k-labels-idx1-ubyte.gz",
      "MNIST/raw/train-images-idx3-ubyte.gz", "MNIST/raw/train-labels-idx1-ubyte.gz",
      "breast-cancer-8.csv", "names_test.csv", "names_train.csv",
    ]);
    for (const f of made) {
      const a = readFileSync(`${out}/${f}`), b = readFileSync(`${DATA}/${f}`);
      if (f.endsWith(".gz")) {
        // bytes 4-7: mtime, byte 3: flags (FNAME is 0x08)
        expect([a.readUInt32LE(4), a[3] & 0x08], f).toEqual([0, 0]);
        expect(gunzipSync(a).equals(gunzipSync(b)), `${f} (decompressed) differs from the committed file`).toBe(true);
      } else {
        expect(a.equals(b), `${f} differs from the committed file`).toBe(true);
      }
    }
  } finally {
    rmSync(out, { recursive: true });
  }
});

test("the CSV files have the shapes the lessons read", () => {
  const rows = readFileSync(`${DATA}/breast-cancer-8.csv`, "utf8").trimEnd().split("\n").map((l) => l.split(","));
  expect(rows.length).toBe(569);
  expect(rows.every((r) => r.length === 9 && r.slice(0, 8).every((v) => /^-?\d+\.\d{6}$/.test(v)) && /^[01]$/.test(r[8]))).toBe(true);
  expect(rows.filter((r) => r[8] === "1").length).toBe(212); // malignant cases in scikit-learn's set
  for (let j = 0; j < 8; j++) {
    const col = rows.map((r) => Number(r[j]));
    const mean = col.reduce((a, b) => a + b, 0) / col.length;
    const sd = Math.sqrt(col.reduce((a, b) => a + (b - mean) ** 2, 0) / col.length);
    expect(Math.abs(mean)).toBeLessThan(1e-5);
    expect(Math.abs(sd - 1)).toBeLessThan(1e-5);
  }
  const read = (f: string) => readFileSync(`${DATA}/${f}`, "utf8").trimEnd().split("\n").map((l) => l.split(","));
  const train = read("names_train.csv"), testSet = read("names_test.csv");
  expect(train.every((r) => r.length === 2 && /^[A-Za-z]+$/.test(r[0]))).toBe(true);
  const countries = (rs: string[][]) => [...new Set(rs.map((r) => r[1]))].sort();
  expect(countries(train).length).toBe(18);
  expect(countries(testSet)).toEqual(countries(train));
  const key = (r: string[]) => r.join(",");
  const inTrain = new Set(train.map(key));
  expect(testSet.some((r) => inTrain.has(key(r)))).toBe(false);
});

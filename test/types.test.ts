// The published types as a Node-only TypeScript user gets them: the packed tarball installed into a
// project with no DOM lib ("lib": ["ES2022"]), "module"/"moduleResolution": "NodeNext", strict,
// noUncheckedIndexedAccess, and the package's own .d.ts files checked too (skipLibCheck off).
// Internal fields (`_h`, `_dt`, `_shape`, `_chunk`, ...) are not part of the public types.

import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { packAndInstall, root, tscErrors, type Installed } from "./helpers/pack.js";

let pkg: Installed | undefined;

beforeAll(() => { pkg = packAndInstall("types"); }, 180_000);
afterAll(() => pkg?.cleanup());

// Touches every family of the API the way a user's program would; each @ts-expect-error line must
// stay an error (a type that widened to `any`, or an internal field made public, breaks the check).
const program = `
import {
  tensor, zeros, randn, mul, sub, noGrad, tidy, init, save, load, print, formatPy, nn, optim, data, vision, F,
  autograd, ShapeError, WasmgradError, type Tensor, type StateDict,
} from "wasmgrad";

await init();
const w: Tensor = tensor([1.0], { requiresGrad: true });
const l: Tensor = sub(mul(2, w), 4).pow(2);
l.backward();
const g: number = w.grad!.item();
const n: number | undefined = w.shape[0];          // noUncheckedIndexedAccess: shape[i] may be undefined
const values = tensor([[1, 2], [3, 4]]).toArray();

const model = new nn.Sequential(new nn.Linear(2, 4), new nn.ReLU(), new nn.Linear(4, 1));
const opt = new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
const x = randn(8, 2), y = zeros(8, 1);
const loss: Tensor = F.mseLoss(model.forward(x), y);
opt.zeroGrad();
w.grad?.zero_();
x.mul_(2).add_(1, { alpha: 0.5 }).clamp_(-1, 1);
noGrad(() => x.sub_(y.mean()).copy_(x).fill_(0));
loss.backward();
opt.step();
const sd: StateDict = model.stateDict();
const bytes: Uint8Array = save(sd);
const back: StateDict = load(bytes);
const loader = new data.DataLoader(new data.TensorDataset(x, y), { batchSize: 4, shuffle: true });
for (const [xb, yb] of loader) {                  // TensorDataset samples are Tensor[], so are batches
  print(xb?.shape, yb?.shape);
}
class Pairs extends data.Dataset<[Tensor, number]> {
  getItem(i: number): [Tensor, number] { return [x.select(0, i), i % 2]; }
  len(): number { return 8; }
}
for (const [xs, labels] of new data.DataLoader(new Pairs(), { batchSize: 4 })) {
  const batchOfX: Tensor = xs, batchOfLabels: Tensor = labels;  // [Tensor, number] samples collate to two tensors
  print(batchOfX.shape, batchOfLabels.shape);
}
const kept: Tensor = tidy(() => noGrad(() => mul(x, 2)));
const t0 = vision.transforms.ToTensor;
const [dw] = autograd.grad(sub(mul(3, w), 1).sum(), [w]);
try { mul(zeros(2, 3), zeros(4)); } catch (e) { if (e instanceof ShapeError) print(e.message); }
const base: WasmgradError = new ShapeError("x");
print(g, n, values, back, kept, t0, dw, base, formatPy(1n));

// @ts-expect-error item() returns a number
const s: string = w.item();
// @ts-expect-error the WASM handle is internal
w._h;
// @ts-expect-error the dtype code is internal
w._dt;
// @ts-expect-error the shape record is internal
w._shape;
// @ts-expect-error the lifetime chunk is internal
w._chunk;
// @ts-expect-error Tensor's constructor is internal: tensors come from tensor(), zeros(), ...
new (Object.getPrototypeOf(w).constructor as typeof w.constructor)();
print(s);
`;

function typeCheck(name: string, types: string[], extra: Record<string, unknown> = {}): string {
  const project = pkg!.project;
  writeFileSync(join(project, `${name}.ts`), program);
  writeFileSync(join(project, `tsconfig.${name}.json`), JSON.stringify({
    compilerOptions: {
      target: "ES2022", lib: ["ES2022"], module: "NodeNext", moduleResolution: "NodeNext", strict: true,
      noUncheckedIndexedAccess: true, exactOptionalPropertyTypes: false, skipLibCheck: false, noEmit: true, types,
      ...extra,
    },
    files: [`${name}.ts`],
  }, null, 2));
  return tscErrors(project, `tsconfig.${name}.json`);
}

describe("published types in a Node-only strict project", () => {
  // Without @types/node nothing declares URL, BufferSource or WebAssembly: the published types
  // must not need them.
  test('lib ES2022, NodeNext, strict, noUncheckedIndexedAccess, "types": []', () => {
    expect(typeCheck("check-bare", [])).toBe("");
  }, 120_000);

  test('the same with "types": ["node"]', () => {
    expect(typeCheck("check-node", ["node"], { typeRoots: [join(root, "node_modules/@types")] })).toBe("");
  }, 120_000);
});

describe("internal members are not published", () => {
  const typesDir = join(root, "build/types/src");
  const dts = (dir: string): string[] => readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? dts(p) : p.endsWith(".d.ts") ? [p] : [];
  });

  test("the Tensor class declares no underscore member", () => {
    const text = readFileSync(join(typesDir, "tensor.d.ts"), "utf8");
    const cls = text.slice(text.indexOf("export declare class Tensor"));
    const body = cls.slice(0, cls.indexOf("\n}\n"));
    expect(body.length).toBeGreaterThan(500);
    expect(body.match(/^\s+(?:(?:readonly|static|private|protected)\s+)*_\w+/gm) ?? []).toEqual([]);
    expect(body).not.toMatch(/constructor\(/);
  });

  test("no exported class of the package declares an underscore member", () => {
    const found: string[] = [];
    for (const f of dts(typesDir)) {
      const text = readFileSync(f, "utf8");
      for (const m of text.matchAll(/export declare (?:abstract )?class (\w+)[^{]*\{([\s\S]*?)\n\}/g)) {
        for (const member of m[2]!.match(/^\s+(?:(?:readonly|static|private|protected)\s+)*_\w+/gm) ?? []) {
          found.push(`${f.slice(typesDir.length + 1)}: ${m[1]}.${member.trim()}`);
        }
      }
    }
    expect(found).toEqual([]);
  });
});

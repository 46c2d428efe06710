// formatPy() and print(): Python's str() and print(). Every expected string is what Python 3.11
// prints for the same value (`/usr/bin/python3 -c 'print(...)'`); the Python expression is beside it.
import { afterEach, describe, expect, test } from "vitest";
import { formatPy, print, setPrintSink, tensor } from "wasmgrad";

describe("a number prints as a Python float", () => {
  test.each([
    [4, "4.0"], //                                   4.0
    [-7.840000152587891, "-7.840000152587891"],
    [9.094947017729282e-13, "9.094947017729282e-13"],
    [0.1 + 0.2, "0.30000000000000004"], //           0.1+0.2
    [1 / 3, "0.3333333333333333"], //                1/3
    [Math.fround(0.1), "0.10000000149011612"], //    torch.tensor(0.1).item()
    [0.5, "0.5"],
    [2.5, "2.5"],
    [0.125, "0.125"],
    [2.675, "2.675"],
    [100, "100.0"],
    [0, "0.0"],
    [-0, "-0.0"],
    [1e15, "1000000000000000.0"],
    [9999999999999998, "9999999999999998.0"],
    [1e16, "1e+16"],
    [2 ** 53, "9007199254740992.0"], //              float(2**53)
    [2 ** 53 + 2, "9007199254740994.0"], //          float(2**53+2)
    [1234567890123456789, "1.2345678901234568e+18"],
    [1e21, "1e+21"],
    [1e22, "1e+22"],
    [123456789.123, "123456789.123"],
    [1e-4, "0.0001"],
    [0.00012345, "0.00012345"],
    [1e-5, "1e-05"],
    [1.5e-7, "1.5e-07"],
    [-1.5e-10, "-1.5e-10"],
    [5e-324, "5e-324"],
    [1.7976931348623157e308, "1.7976931348623157e+308"],
    [NaN, "nan"], //                                 float("nan")
    [Infinity, "inf"],
    [-Infinity, "-inf"],
  ])("formatPy(%s) is %j", (v, want) => {
    expect(formatPy(v)).toBe(want);
  });
});

describe("a bigint prints as a Python int", () => {
  test.each([
    [0n, "0"],
    [-5n, "-5"],
    [2n ** 64n, "18446744073709551616"], //   2**64
    [10n ** 20n, "100000000000000000000"], // 10**20
  ])("formatPy(%s) is %j", (v, want) => {
    expect(formatPy(v)).toBe(want);
  });

  test("ints and floats side by side", () => {
    expect(formatPy([1n, 2.5, 3])).toBe("[1, 2.5, 3.0]"); // [1, 2.5, 3.0]
  });
});

describe("other values", () => {
  test("booleans, None, strings", () => {
    expect(formatPy(true)).toBe("True");
    expect(formatPy(false)).toBe("False");
    expect(formatPy(null)).toBe("None");
    expect(formatPy(undefined)).toBe("None");
    expect(formatPy("\tgrad:")).toBe("\tgrad:"); // str is printed as it is
  });

  test("lists, with their strings quoted as repr quotes them", () => {
    expect(formatPy([1n, 2.5, "x", true, null])).toBe("[1, 2.5, 'x', True, None]");
    expect(formatPy([[1.0, 2.0], [3.0], []])).toBe("[[1.0, 2.0], [3.0], []]");
    expect(formatPy(["a", "it's", 'say "hi"', "both ' \"", "\n\t\r\\", "\x00\x1f\x7f", "é", "\u200b", "\x85", "\xa0", "😀"]))
      .toBe(`['a', "it's", 'say "hi"', 'both \\' "', '\\n\\t\\r\\\\', '\\x00\\x1f\\x7f', 'é', '\\u200b', '\\x85', '\\xa0', '😀']`);
    expect(formatPy(new Float32Array([1, 0.5]))).toBe("[1.0, 0.5]"); // [1.0, 0.5]
  });

  test("dicts from plain objects and Maps", () => {
    expect(formatPy({ a: 1.0, b: [1n], "c's": null })).toBe(`{'a': 1.0, 'b': [1], "c's": None}`);
    expect(formatPy(new Map<unknown, unknown>([["a", 1.0], [2n, "b"]]))).toBe("{'a': 1.0, 2: 'b'}");
  });

  test("a list or dict that holds itself", () => {
    const a: unknown[] = [];
    a.push(a);
    expect(formatPy(a)).toBe("[[...]]"); // a = []; a.append(a)
    const d: Record<string, unknown> = {};
    d.d = d;
    expect(formatPy(d)).toBe("{'d': {...}}"); // d = {}; d["d"] = d
    const shared = [1n];
    expect(formatPy([shared, shared])).toBe("[[1], [1]]"); // s = [1]; [s, s]
  });

  test("tensors print as PyTorch prints them, also inside a list", () => {
    expect(formatPy(tensor([1, 2]))).toBe("tensor([1., 2.])");
    expect(formatPy([tensor([1, 2], { requiresGrad: true })])).toBe("[tensor([1., 2.], requires_grad=True)]");
  });
});

describe("print", () => {
  let lines: string[] = [];
  const capture = (): void => {
    lines = [];
    setPrintSink((text) => { lines.push(text); });
  };
  afterEach(() => { setPrintSink(null); });

  test("joins its arguments with single spaces and ends with a newline", () => {
    capture();
    print("a", 1.0, 2n, "\tb", [1.0, "c"], true, null); // print("a", 1.0, 2, "\tb", [1.0, "c"], True, None)
    print();
    print("x", "");
    expect(lines).toEqual(["a 1.0 2 \tb [1.0, 'c'] True None\n", "\n", "x \n"]);
  });

  test("the lesson's lines", () => {
    capture();
    print("before, w= ", 4);
    print("\tgrad:", 1.0, 2.0, -2.0);
    print("progress", 99n, 9.094947017729282e-13);
    expect(lines.join("")).toBe("before, w=  4.0\n\tgrad: 1.0 2.0 -2.0\nprogress 99 9.094947017729282e-13\n");
  });

  test("setPrintSink returns the sink it replaces; null goes back to stdout", () => {
    const first = (): void => {};
    expect(setPrintSink(first)).toBeNull();
    const second = (): void => {};
    expect(setPrintSink(second)).toBe(first);
    expect(setPrintSink(null)).toBe(second);
    const written: string[] = [];
    const write = process.stdout.write;
    process.stdout.write = ((chunk: string) => { written.push(chunk); return true; }) as typeof process.stdout.write;
    try {
      print("to", "stdout", 0.5);
    } finally {
      process.stdout.write = write;
    }
    expect(written).toEqual(["to stdout 0.5\n"]);
  });
});

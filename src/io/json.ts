// A strict JSON reader for safetensors headers. JSON.parse cannot be used: it keeps the last of
// duplicate keys silently and turns `2.0` or `1e2` into integers, while the format's reference
// reader (serde_json into typed fields) rejects both. Values keep what the checks need: objects as
// ordered entry lists and numbers with their source text.

/** A JSON number with its source text (integers are checked against the text). */
export class JsonNumber {
  constructor(readonly text: string) {}
}

/** A JSON object as its entries in file order (duplicates kept, so they can be reported). */
export class JsonObject {
  constructor(readonly entries: Array<[string, JsonValue]>) {}
}

export type JsonValue = null | boolean | string | JsonNumber | JsonValue[] | JsonObject;

/** Thrown with a description of the first problem and its character position. */
export class JsonSyntaxError {
  constructor(readonly what: string, readonly at: number) {}
}

// Nesting deeper than this is refused rather than recursed into (a header needs depth 3).
const MAX_DEPTH = 64;

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;

/** Parses a whole JSON text (whitespace allowed around it). */
export function parseJson(text: string): JsonValue {
  let i = 0;
  const fail = (what: string): never => { throw new JsonSyntaxError(what, i); };

  const ws = (): void => {
    for (;;) {
      const c = text.charCodeAt(i);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) i++;
      else return;
    }
  };

  const hex4 = (): number => {
    if (i + 4 > text.length) fail("truncated \\u escape");
    const s = text.slice(i, i + 4);
    if (!/^[0-9a-fA-F]{4}$/.test(s)) fail(`invalid \\u escape "\\u${s}"`);
    i += 4;
    return parseInt(s, 16);
  };

  const str = (): string => {
    i++; // opening quote
    let out = "";
    let run = i;
    for (;;) {
      if (i >= text.length) fail("unterminated string");
      const c = text.charCodeAt(i);
      if (c === 0x22) { out += text.slice(run, i); i++; return out; }
      if (c < 0x20) fail(`control character U+${c.toString(16).padStart(4, "0")} inside a string`);
      if (c !== 0x5c) { i++; continue; }
      out += text.slice(run, i);
      i++;
      const e = text[i++];
      switch (e) {
        case '"': out += '"'; break;
        case "\\": out += "\\"; break;
        case "/": out += "/"; break;
        case "b": out += "\b"; break;
        case "f": out += "\f"; break;
        case "n": out += "\n"; break;
        case "r": out += "\r"; break;
        case "t": out += "\t"; break;
        case "u": {
          const u = hex4();
          if (u >= 0xdc00 && u <= 0xdfff) fail("lone low surrogate in a \\u escape");
          if (u >= 0xd800 && u <= 0xdbff) {
            if (text[i] !== "\\" || text[i + 1] !== "u") fail("lone high surrogate in a \\u escape");
            i += 2;
            const lo = hex4();
            if (lo < 0xdc00 || lo > 0xdfff) fail("lone high surrogate in a \\u escape");
            out += String.fromCharCode(u, lo);
          } else {
            out += String.fromCharCode(u);
          }
          break;
        }
        default:
          i--;
          fail(e === undefined ? "unterminated string" : `invalid escape "\\${e}"`);
      }
      run = i;
    }
  };

  const value = (depth: number): JsonValue => {
    ws();
    const c = text[i];
    if (c === "{") {
      if (depth >= MAX_DEPTH) fail(`nesting deeper than ${MAX_DEPTH} levels`);
      i++;
      const entries: Array<[string, JsonValue]> = [];
      ws();
      if (text[i] === "}") { i++; return new JsonObject(entries); }
      for (;;) {
        ws();
        if (text[i] !== '"') fail("expected a string key");
        const k = str();
        ws();
        if (text[i] !== ":") fail('expected ":" after a key');
        i++;
        entries.push([k, value(depth + 1)]);
        ws();
        if (text[i] === ",") { i++; continue; }
        if (text[i] === "}") { i++; return new JsonObject(entries); }
        fail('expected "," or "}" in an object');
      }
    }
    if (c === "[") {
      if (depth >= MAX_DEPTH) fail(`nesting deeper than ${MAX_DEPTH} levels`);
      i++;
      const items: JsonValue[] = [];
      ws();
      if (text[i] === "]") { i++; return items; }
      for (;;) {
        items.push(value(depth + 1));
        ws();
        if (text[i] === ",") { i++; continue; }
        if (text[i] === "]") { i++; return items; }
        fail('expected "," or "]" in an array');
      }
    }
    if (c === '"') return str();
    if (text.startsWith("true", i)) { i += 4; return true; }
    if (text.startsWith("false", i)) { i += 5; return false; }
    if (text.startsWith("null", i)) { i += 4; return null; }
    NUMBER.lastIndex = i;
    const m = NUMBER.exec(text);
    if (m) { i += m[0].length; return new JsonNumber(m[0]); }
    return fail(i >= text.length ? "unexpected end of the text" : `unexpected character ${JSON.stringify(text[i])}`);
  };

  const v = value(0);
  ws();
  if (i < text.length) fail(`unexpected ${JSON.stringify(text[i])} after the end of the value`);
  return v;
}

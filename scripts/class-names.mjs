// esbuild plugin for the minified bundle: every class of src/ keeps its name (`constructor.name`
// shows in error names, module printing and messages) without esbuild's keepNames, which also
// wraps every function and costs ~4 KB gzipped.
import { readFileSync } from "node:fs";

export const classNames = {
  name: "class-names",
  setup(b) {
    b.onLoad({ filter: /[\\/]src[\\/].*\.ts$/ }, (args) => {
      const src = readFileSync(args.path, "utf8");
      const names = [...src.matchAll(/^(?:export )?(?:abstract )?class (\w+)/gm)].map((m) => m[1]);
      const tail = names.map((n) => `Object.defineProperty(${n}, "name", { value: ${JSON.stringify(n)} });`);
      return { contents: names.length ? `${src}\n${tail.join("\n")}\n` : src, loader: "ts" };
    });
  },
};

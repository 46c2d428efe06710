// esbuild plugin for the minified bundle: every class of src/ keeps its name (`constructor.name`
// shows in error names, module printing and messages) without esbuild's keepNames, which also
// wraps every function and costs ~4 KB gzipped. Each file with classes ends in one call
// `__keepClassNames({ A, B })` of the function in class-names-runtime.js, which esbuild injects
// (classNamesInject, for the `inject` option): one short call per file rather than a
// defineProperty per class.
import { readFileSync } from "node:fs";

export const classNamesInject = new URL("class-names-runtime.js", import.meta.url).pathname;

export const classNames = {
  name: "class-names",
  setup(b) {
    b.onLoad({ filter: /[\\/]src[\\/].*\.ts$/ }, (args) => {
      const src = readFileSync(args.path, "utf8");
      const names = [...src.matchAll(/^(?:export )?(?:abstract )?class (\w+)/gm)].map((m) => m[1]);
      const tail = `__keepClassNames({ ${names.join(", ")} });`;
      return { contents: names.length ? `${src}\n${tail}\n` : src, loader: "ts" };
    });
  },
};

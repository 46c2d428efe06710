// esbuild's options for the one-file browser bundle, shared by scripts/build.mjs (which writes it)
// and scripts/size-breakdown.mjs (which measures what goes into it), so both see the same bytes.
import { classNames, classNamesInject } from "./class-names.mjs";

export const browserBundle = {
  bundle: true, format: "esm", entryPoints: ["src/index.ts"], platform: "browser", target: "es2022", minify: true,
  plugins: [classNames], inject: [classNamesInject],
};

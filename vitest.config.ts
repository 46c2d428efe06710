import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    // tests import the library by its package name; they run the TypeScript sources
    alias: { wasmgrad: new URL("./src/index.ts", import.meta.url).pathname },
  },
  test: {
    include: ["test/**/*.test.ts"],
    pool: "forks",
    testTimeout: 60_000,
    reporters: ["default"],
  },
});

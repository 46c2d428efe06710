// The demo pages in headless Chromium, served by scripts/demo-server.mjs as `npm run demo` serves
// them; one browser for both pages (starting Chromium is the slowest part).

import { afterAll, beforeAll, describe } from "vitest";
import { startDemo, type Demo } from "./harness.js";
import { lessonPage } from "./lesson.js";
import { digitPage } from "./digits.js";

let demo: Demo | undefined;

beforeAll(async () => {
  demo = await startDemo();
}, 60_000);

afterAll(async () => {
  await demo?.close();
}, 30_000);

const getDemo = (): Demo => {
  if (!demo) throw new Error("the demo server and browser did not start");
  return demo;
};

describe("the lesson page", () => lessonPage(getDemo));
describe("the digit page", () => digitPage(getDemo));

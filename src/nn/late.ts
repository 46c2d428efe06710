// The earlier name of show.ts; modules outside nn import show from here.

export { show } from "./show.js";

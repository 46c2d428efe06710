// Copying shape ops and indexing (cat, stack, split, chunk, gather, scatterAdd, indexSelect, flip,
// repeat, tril, triu, pad, ...).

import { Tensor } from "../tensor.js";

export const methods: Record<string, (this: Tensor, ...args: never[]) => unknown> = {};

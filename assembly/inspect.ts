// Read-only access to the graph and to tensor metadata, for toDot() and debugging tools.
// Nothing here is on a hot path.

import { geti, ndimOf, dimOf, dtypeOf, E_NODE } from "./tensor";
import { nget, nextOf, numInputs, N_OP } from "./autograd/tape";
import { freshen } from "./ops/copySlices";

/** The graph node that produced h (0 for a leaf). */
export function nodeOf(h: i32): usize { freshen(h); return <usize>geti(h, E_NODE); }
/** The op code of a node. */
export function nodeOp(node: usize): i32 { return nget(node, N_OP); }
/** Input edge i of a node: a node pointer (even), a leaf handle << 1 | 1 (odd), or 0. */
export function nodeNext(node: usize, i: i32): i32 { return nextOf(node, i); }
/** Number of dims of tensor h. */
export function tensorNdim(h: i32): i32 { return ndimOf(h); }
/** Size of dim d of tensor h. */
export function tensorDim(h: i32, d: i32): i32 { return dimOf(h, d); }
/** Number of input edges of a node. */
export function nodeInputs(node: usize): i32 { return numInputs(node); }
/** dtype code of tensor h. */
export function tensorDtype(h: i32): i32 { return dtypeOf(h); }

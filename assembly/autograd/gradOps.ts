// The ops the backward pass itself uses (unbroadcasting, dtype conversion, accumulation), gathered
// from the op families so that backward.ts depends on them in one place.

export { sumTo } from "../ops/reduce";
export { cast, addInPlace } from "../ops/inplace";
export { add as addOut } from "../ops/binary";
export { cloneOf } from "../ops/shape";
export { fullOfRec } from "../ops/common";

// Rows built from a NetSpec (bench/lib/net): every JS peer gets the same builder per library.

import { netInputs, netReference, type NetSpec } from "../lib/net/spec.js";
import { wasmgradNet } from "../lib/net/wasmgrad.js";
import { tfjsNet } from "../lib/net/tfjs.js";
import { jaxNet } from "../lib/net/jax.js";
import type { Row } from "../lib/types.js";

export function netRow(id: string, label: string, spec: NetSpec): Row {
  return {
    id,
    label,
    unit: "ms/step",
    workPerCall: 1,
    rtol: 1e-4,
    torch: { kind: "net", spec },
    inputs: () => netInputs(spec),
    reference: (inp) => netReference(spec, inp),
    make(lib, inp) {
      if (lib === "wasmgrad") return wasmgradNet(spec, inp);
      if (lib === "tfjs") return tfjsNet(spec, inp);
      return jaxNet(spec, inp, lib === "jax-jit");
    },
  };
}

// The nn namespace (torch.nn): modules, nn.functional, nn.init and nn.utils.

import * as functionalActs from "./functional.js";
import * as losses from "./losses.js";
import * as init from "./init.js";
import { clipGradNorm_, clipGradValue_ } from "./utils.js";

export { Module, Parameter, type IncompatibleKeys } from "./module.js";
export {
  Linear, Sequential, ModuleList, ReLU, GELU, Sigmoid, Tanh, SiLU, LeakyReLU, Softplus, Softmax, LogSoftmax, Flatten, Dropout,
  Identity,
} from "./layers.js";
export {
  MSELoss, L1Loss, SmoothL1Loss, HuberLoss, BCELoss, BCEWithLogitsLoss, NLLLoss, CrossEntropyLoss,
} from "./lossModules.js";
export type { Reduction, CrossEntropyOpts } from "./losses.js";

/** torch.nn.functional (also exported as F). */
export const functional = { ...functionalActs, ...losses };
export const utils = { clipGradNorm_, clipGradValue_ };
export { init };

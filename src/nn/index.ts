// The nn namespace (torch.nn): modules, nn.functional, nn.init and nn.utils.

import * as functionalActs from "./functional.js";
import * as losses from "./losses.js";
import * as init from "./init.js";
import { clipGradNorm_, clipGradValue_ } from "./utils.js";
import * as functionalLayers from "./functionalLayers.js";
import * as rnnUtils from "./rnnUtils.js";

export { Module, Parameter, type IncompatibleKeys } from "./module.js";
export {
  Linear, Sequential, ModuleList, ReLU, GELU, Sigmoid, Tanh, SiLU, LeakyReLU, Softplus, Softmax, LogSoftmax, Flatten, Dropout,
  Identity,
} from "./layers.js";
export {
  MSELoss, L1Loss, SmoothL1Loss, HuberLoss, BCELoss, BCEWithLogitsLoss, NLLLoss, CrossEntropyLoss,
} from "./lossModules.js";
export type { Reduction, CrossEntropyOpts } from "./losses.js";
export { Conv1d, Conv2d, MaxPool2d, AvgPool2d, AdaptiveAvgPool2d } from "./conv.js";
export { BatchNorm1d, BatchNorm2d, LayerNorm } from "./norm.js";
export { Embedding } from "./embedding.js";
export { RNNCell, GRUCell, LSTMCell } from "./rnnCells.js";
export { RNN, GRU, LSTM } from "./rnn.js";

/** torch.nn.functional (also exported as F). */
export const functional = { ...functionalActs, ...losses, ...functionalLayers };
/** torch.nn.utils: `clipGradNorm_`, `clipGradValue_` and `rnn` (packing of variable-length sequences). */
export const utils = {
  /** Scales the gradients in place so their total norm is at most maxNorm; returns the norm before (torch.nn.utils.clip_grad_norm_). */
  clipGradNorm_,
  /** Clamps every gradient to [-clipValue, clipValue] in place (torch.nn.utils.clip_grad_value_). */
  clipGradValue_,
  /** Packing of variable-length sequences for the RNN modules (torch.nn.utils.rnn). */
  rnn: rnnUtils,
};
export { init };

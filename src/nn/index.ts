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
export const utils = { clipGradNorm_, clipGradValue_, rnn: rnnUtils };
export { init };

// The optim namespace (torch.optim).

import { StepLR, ExponentialLR, CosineAnnealingLR, LambdaLR, LRScheduler } from "./lrScheduler.js";

export { Optimizer, type OptimizerStateDict, type ParamGroup, type ParamState } from "./optimizer.js";
export { SGD, type SGDOptions } from "./sgd.js";
export { Adam, AdamW, type AdamOptions } from "./adam.js";
export { RMSprop, Adagrad, type RMSpropOptions, type AdagradOptions } from "./rmsprop.js";

/** torch.optim.lr_scheduler. */
export const lrScheduler = { LRScheduler, StepLR, ExponentialLR, CosineAnnealingLR, LambdaLR };

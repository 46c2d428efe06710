// nn.utils.rnn (torch.nn.utils.rnn).

export { PackedSequence, padSequence, packPaddedSequence, padPackedSequence, packSequence } from "./packing.js";

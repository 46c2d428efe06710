// The data namespace (torch.utils.data).

export { Dataset, TensorDataset, type DatasetLike } from "./dataset.js";
export { DataLoader, type DataLoaderOptions } from "./dataloader.js";
export { defaultCollate, type Collated } from "./collate.js";

/** Modules, layers and initialisation (torch.nn). */
export { Module, StateDictError } from './module.js';
export * from './layers/linear.js';
export * from './layers/conv.js';
export * from './layers/normalization.js';
export * from './layers/activation.js';
export * from './layers/dropout.js';
export * from './layers/drop-block.js';
export * from './layers/pooling.js';
export * from './layers/embedding.js';
export * from './layers/recurrent.js';
export * from './layers/containers.js';
export * as init from './init.js';
export * from './attention/index.js';

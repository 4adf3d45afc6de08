export { ProcessGroup, processGroupOptionsFromEnv, type ProcessGroupOptions } from './process-group.js';
export { DataParallel, type DataParallelOptions } from './data-parallel.js';
export { DistributedError } from './distributed-error.js';
export { launchRanks, type LaunchOptions } from './launch.js';

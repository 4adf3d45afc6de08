/** The HTTP service and browser page over exported (ONNX) runs: `medattn serve`. */
export { createService, type Service } from './app.js';
export { defaultServeOptions, type ServeOptions } from './serve-options.js';
export { BatchQueue, QueueFullError, QueueTimeoutError, type BatchQueueOptions } from './batch-queue.js';
export { hashToken, newToken, readTokenFile, tokenAccepted } from './tokens.js';
export { modelInfoFromMetadata, type ModelInfo } from './model-info.js';
export { prepareInput, decide, padEdges, cropPlane, type ModelInput } from './model-input.js';
export { matchChannels } from '../data/match-channels.js';
export { decodeUpload, UndecodableUploadError, UploadTooLargeError } from './decode-upload.js';
export { shutdownOnSignals } from './shutdown.js';
export { ServeError } from './serve-error.js';

/** ONNX export: graph emission from the module tree, serialisation with ONNX's own schema. */
export { ExportError } from './export-error.js';
export {
  exportModel,
  defaultOpset,
  supportedOpsets,
  inputName,
  medattnVersion,
  type ExportOptions,
  type ExportedModel,
  type TensorSpec,
} from './export-model.js';
export { registerEmitter, emit, type EmitContext, type Emitter } from './layer-emitters.js';
export { registerModelEmitter } from './model-emitters.js';
export { encodeModel, decodeModel, type ModelProto } from './onnx-proto.js';
export { exportRun, type ExportRunOptions, type ExportRunResult } from './export-run.js';
export { tritonConfig, tritonModelName, writeTritonRepository, type TritonOptions } from './triton.js';
export {
  quantizeModel,
  rangePercentiles,
  type CalibrationBatch,
  type QuantizeOptions,
  type QuantizeResult,
} from './quantize.js';

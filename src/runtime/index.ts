/** ONNX Runtime inference of exported medattn models (predict/evaluate --engine onnx). */
export { OnnxModel, OnnxModelError, type OnnxOutput } from './onnx-model.js';
export { OnnxWorkerModel } from './onnx-worker-model.js';
export { engineNames, onnxFileOf, resolveEngine, type EngineName } from './engine.js';
export { evaluateRunOnnx } from './evaluate-onnx.js';
export { onnxDetect, onnxInfer, onnxLooked } from './predict-onnx.js';
export { detectionOutputs, onnxCenterNetHeads } from './detection-onnx.js';
export { onnxTableInfer, explainNotesOnnx } from './predict-records-onnx.js';
export { evaluateTextRunOnnx, textProbabilitiesOnnx } from './evaluate-text-onnx.js';

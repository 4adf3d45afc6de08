/** The tensor layer: libtorch tensors, autograd, scopes and functional ops. */
export {
  Tensor,
  aten,
  atenSchema,
  channelsLastFormat,
  checkDevice,
  DeviceError,
  tensorFromTypedArray,
  type Device,
  type Shape,
  type Reduction,
} from './tensor.js';
export * from './creation.js';
export * as F from './functional.js';
export { tidy, keep, noGrad, enableGrad, liveTensors } from './scope.js';
export * from './runtime.js';
export { type DType, isFloatingDType, type AnyTypedArray } from './dtype.js';
export { saveTensors, loadTensors, tensorToRecord, recordToTensor } from './serialization.js';
export { SafetensorsError } from './safetensors.js';

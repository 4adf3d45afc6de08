/**
 * An exported medattn model in ONNX Runtime (onnxruntime-node, CPU): loads the file, reads its metadata_props,
 * checks inputs against the graph's declared input (rank, channels, fixed sizes) and runs it.
 */
import { existsSync, readFileSync } from 'node:fs';
import type * as Ort from 'onnxruntime-node';
import { decodeModel } from '../export/onnx-proto.js';
import { defaultThreadCount } from '../tensor/index.js';
import { UserError } from '../user-error.js';
import { checkVersionCompatible } from '../version.js';
import { onnxRuntime } from './onnxruntime.js';

/** An ONNX file that cannot be used: one line naming the file and what was expected. */
export class OnnxModelError extends UserError {}

export interface OnnxOutput {
  data: Float32Array;
  dims: number[];
}

export class OnnxModel {
  private constructor(
    readonly path: string,
    private readonly session: Ort.InferenceSession,
    readonly metadata: Record<string, string>,
    /** The graph input's name and dims (numbers, or names of dynamic axes). */
    readonly input: { name: string; dims: (number | string)[] },
    readonly outputNames: readonly string[],
  ) {}

  static async load(path: string, options: { threads?: number } = {}): Promise<OnnxModel> {
    if (!existsSync(path))
      throw new OnnxModelError(`${path}: no such ONNX model (write it with medattn export --run DIR)`);
    let bytes: Uint8Array;
    let proto: ReturnType<typeof decodeModel>;
    try {
      bytes = readFileSync(path);
      proto = decodeModel(bytes);
    } catch (e) {
      throw new OnnxModelError(`${path}: not an ONNX model (${(e as Error).message})`);
    }
    const graphInput = proto.graph?.input?.[0];
    if (!graphInput) throw new OnnxModelError(`${path}: the ONNX graph has no input`);
    const dims = (graphInput.type?.tensor_type?.shape?.dim ?? []).map((d) =>
      'dim_value' in d && d.dim_value ? Number(d.dim_value) : 'dim_param' in d ? d.dim_param : '?',
    );
    const metadata = Object.fromEntries((proto.metadata_props ?? []).map((p) => [p.key, p.value]));
    checkVersionCompatible(path, metadata['medattn.version']);
    const ort = await onnxRuntime();
    let session: Ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(bytes, {
        intraOpNumThreads: options.threads ?? defaultThreadCount(),
        interOpNumThreads: 1,
        graphOptimizationLevel: 'all',
      });
    } catch (e) {
      throw new OnnxModelError(`${path}: ONNX Runtime cannot load it (${(e as Error).message.split('\n')[0]})`);
    }
    return new OnnxModel(path, session, metadata, { name: graphInput.name, dims }, session.outputNames);
  }

  /**
   * Runs the model on a batch (float32 [N, C, ...], or int64 token ids [N, T] for text models); returns every
   * output (or those named in `outputs`).
   */
  async run(data: Float32Array | BigInt64Array, shape: number[], outputs?: string[]): Promise<Map<string, OnnxOutput>> {
    const want = this.input.dims;
    const ok = shape.length === want.length && want.every((d, i) => typeof d !== 'number' || d === shape[i]);
    if (!ok)
      throw new OnnxModelError(
        `${this.path}: input '${this.input.name}' expects [${want.join(', ')}] (batch, channels, spatial), got [${shape.join(', ')}]`,
      );
    const { Tensor } = await onnxRuntime();
    const feeds = {
      [this.input.name]:
        data instanceof BigInt64Array ? new Tensor('int64', data, shape) : new Tensor('float32', data, shape),
    };
    const result = await (outputs ? this.session.run(feeds, outputs) : this.session.run(feeds));
    return new Map(Object.entries(result).map(([k, v]) => [k, { data: v.data as Float32Array, dims: [...v.dims] }]));
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}

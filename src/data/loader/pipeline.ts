/**
 * The augmentation pipeline as something a worker can rebuild: JSON transform specs (see
 * transforms/spec.ts), or a module whose export (default `createTransform`) returns a Transform.
 */
import { createTransform, type TransformSpec } from '../transforms/spec.js';
import type { Transform } from '../transforms/transform.js';
import { importExport, type ModuleRef } from '../module-ref.js';
import { LoaderError } from './loader-error.js';

export type PipelineSpec = TransformSpec | TransformSpec[] | ModuleRef;

export function isModuleRef(v: unknown): v is ModuleRef {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && typeof (v as ModuleRef).module === 'string';
}

export async function openPipeline(spec: PipelineSpec | undefined): Promise<Transform | undefined> {
  if (spec === undefined) return undefined;
  if (!isModuleRef(spec)) return createTransform(spec);
  const factory = await importExport(spec, 'createTransform', (reason) => new LoaderError(reason));
  if (typeof factory !== 'function') throw new LoaderError(`pipeline export of "${spec.module}" is not a function`);
  const t = (await (factory as (o: unknown) => unknown)(spec.options)) as Transform;
  if (!t || typeof t.apply !== 'function')
    throw new LoaderError(`pipeline factory of "${spec.module}" must return a Transform`);
  return t;
}

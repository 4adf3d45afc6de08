/** Placeholder replaced below. */
import type { SafeHtml } from './html.js';
import { html } from './html.js';
import type { DetectionEvaluation } from '../tasks/detection.js';
import type { AttentionModel } from '../../models/attention-model.js';
export async function detectionSection(
  _outDir: string,
  _e: DetectionEvaluation,
  _names: string[],
  _model: AttentionModel,
): Promise<SafeHtml> {
  return html``;
}

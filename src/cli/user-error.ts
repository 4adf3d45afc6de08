/**
 * Which errors a user caused (bad file, bad config, wrong option): the CLI prints them as one line and
 * exits 1. Everything else is an internal error: exit 2 with the stack for a bug report.
 */
const USER_ERROR_NAMES = new Set([
  'ConfigError',
  'MedattnDataError',
  'DatasetSpecError',
  'SkippedSampleError',
  'TransformError',
  'LoaderError',
  'SafetensorsError',
  'StateDictError',
  'MetricInputError',
  'ModelConfigError',
  'UnknownModelError',
  'UsageError',
  'DeviceError',
]);

export class UsageError extends Error {
  override name = 'UsageError';
}

export function isUserError(e: unknown): e is Error {
  if (!(e instanceof Error)) return false;
  if (USER_ERROR_NAMES.has(e.name) || USER_ERROR_NAMES.has(e.constructor.name)) return true;
  const code = (e as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR' || code === 'ENOTDIR';
}

export function oneLine(message: string): string {
  return message.replace(/\s*\n\s*/g, ' ').trim();
}

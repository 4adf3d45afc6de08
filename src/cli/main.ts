/**
 * The medattn command line: a thin shell over the library. User errors print one line and exit 1;
 * internal errors exit 2 with the stack.
 */
import { writeFileSync } from 'node:fs';
import { Command } from 'commander';
import { isUserError, oneLine } from './user-error.js';
import { ConfigError } from '../train/config-error.js';
import { trainCommand } from './commands/train.js';
import { evaluateCommand } from './commands/evaluate.js';
import { predictCommand } from './commands/predict.js';
import { inspectCommand } from './commands/inspect.js';
import { modelsCommand } from './commands/models.js';
import { demoCommand } from './commands/demo.js';
import { cvCommand, searchCommand } from './commands/select.js';
import { dataFetchCommand, dataListCommand } from './commands/data.js';
import { useDataRoot } from './data-root-option.js';
import { exportCommand } from './commands/export.js';

const program = new Command()
  .name('medattn')
  .description('Attention-based medical image analysis: train, evaluate, explain, deploy')
  .showHelpAfterError()
  .exitOverride();

const DATA_ROOT_HELP =
  'folder that {dataRoot}/... paths in configs name (default: MEDATTN_DATA, else ../shared/data beside medattn if present, else ~/.local/share/medattn)';
// --data-root is MEDATTN_DATA for this run: set before the command loads its config.
program.hook('preAction', (_program, command) => useDataRoot(command.opts().dataRoot));

const collect = (value: string, previous: string[] = []) => [...previous, value];
const parseThreshold = (value: string) => {
  const p = Number(value);
  if (value.trim() === '' || !(p > 0 && p < 1))
    throw new ConfigError('command line', '--threshold', `must be a probability between 0 and 1, got '${value}'`);
  return p;
};

program
  .command('train')
  .description('train a model from a config file; writes a run folder with checkpoints, metrics and a report')
  .option('--config <file>', 'training config (JSON)')
  .option('--out <dir>', 'run folder (default runs/<config>-<time>)')
  .option('--set <key=value>', 'override a config value (repeatable), e.g. training.epochs=3', collect)
  .option('--resume <dir>', 'continue an interrupted run from its last checkpoint')
  .option('--skip-bad', 'leave unreadable files out and list them at the end')
  .option('--data-root <dir>', DATA_ROOT_HELP)
  .action(trainCommand);

program
  .command('evaluate')
  .description("metrics of a run's best model on a dataset")
  .requiredOption('--run <dir>', 'run folder')
  .requiredOption('--data <data>', 'MedMNIST .npz, folder of class folders, or dataset description .json')
  .option('--split <name>', 'split of the data (train, val, test)')
  .option('--json', 'print one JSON object')
  .option('--skip-bad', 'leave unreadable files out and list them at the end')
  .option(
    '--threshold <p>',
    'binary decision threshold (default: the one training chose on validation data, else 0.5)',
    parseThreshold,
  )
  .option('--data-root <dir>', DATA_ROOT_HELP)
  .option('--engine <name>', 'onnx, onnx-int8 or torch (default: onnx when the run has model.onnx, else torch)')
  .action(evaluateCommand);

program
  .command('predict')
  .description('class probabilities or segmentation masks for image files')
  .requiredOption('--run <dir>', 'run folder')
  .option('--out <dir>', 'where masks and maps go (default <run>/predictions)')
  .option('--maps', 'also write <name>_maps.png: the input, each attention map and (classifiers) Grad-CAM')
  .option('--json', 'print JSON')
  .option(
    '--threshold <p>',
    'binary decision threshold (default: the one training chose on validation data, else 0.5)',
    parseThreshold,
  )
  .option(
    '--engine <name>',
    'onnx, onnx-int8 or torch (default: onnx when the run has model.onnx, else torch; --maps: torch)',
  )
  .argument('<files...>', 'image files (PNG, JPEG, TIFF, GIF, DICOM, NIfTI slice)')
  .action(predictCommand);

const parseOpset = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n)) throw new ConfigError('command line', '--opset', `must be an integer, got '${value}'`);
  return n;
};

program
  .command('export')
  .description("the run's best model as ONNX (dynamic batch, attention maps as outputs, metadata for runtimes)")
  .requiredOption('--run <dir>', 'run folder')
  .option('--out <file>', 'ONNX file (default <run>/model.onnx)')
  .option('--opset <n>', 'ONNX opset (15-17)', parseOpset, 17)
  .option('--int8', 'also write <run>/model.int8.onnx: static int8 quantization (QDQ), calibrated on training images')
  .option('--calibration <n>', 'training images that calibrate --int8 activation ranges', '256')
  .option('--triton <dir>', 'also write an NVIDIA Triton model repository entry there')
  .option('--json', 'print JSON')
  .action(exportCommand);

program
  .command('inspect')
  .description('format, size, spacing, intensities and modality of a medical image file')
  .argument('<file>')
  .option('--json', 'print JSON')
  .option('--phi', 'also show patient identifiers')
  .option('--series <uid>', 'DICOM folder: the Series Instance UID to read (default: the one with most slices)')
  .action(inspectCommand);

program
  .command('cv')
  .description('k-fold cross-validation of a config on its training set: mean and std of every metric')
  .requiredOption('--config <file>', 'training config (JSON)')
  .option('--folds <k>', 'number of folds', '5')
  .option('--out <dir>', 'folder for the folds')
  .option('--set <key=value>', 'override a config value (repeatable)', collect)
  .option('--data-root <dir>', DATA_ROOT_HELP)
  .action(cvCommand);

program
  .command('search')
  .description('grid or random search over config options, ranked by the monitored metric')
  .requiredOption('--config <file>', 'training config (JSON)')
  .requiredOption('--grid <json>', 'option paths to values, e.g. \'{"optimizer.lr":[0.001,0.003]}\'')
  .option('--trials <n>', 'random search: try n of the combinations')
  .option('--folds <k>', 'cross-validate each trial with k folds (default: one run on the validation set)')
  .option('--seeds <n>', 'train each trial with n seeds (training.seed, +1, ...) and report mean ± std over them', '1')
  .option('--out <dir>', 'folder for the trials')
  .option('--set <key=value>', 'override a config value (repeatable)', collect)
  .option('--data-root <dir>', DATA_ROOT_HELP)
  .action(searchCommand);

program
  .command('models')
  .description('networks and attention blocks with parameter counts')
  .option('--json', 'print JSON')
  .action(modelsCommand);

const data = program.command('data').description('the public data sets the configs use: list them, fetch them');
data
  .command('list')
  .description('data sets `data fetch` knows, and the ones it cannot fetch (with what to do instead)')
  .option('--json', 'print JSON')
  .action(dataListCommand);
data
  .command('fetch')
  .description("download data sets into the data root, checking the publisher's checksums; resumable")
  .argument('<names...>', 'data set names (medattn data list)')
  .option(
    '--dir <dir>',
    'data root to fetch into (default: MEDATTN_DATA, else ../shared/data beside medattn if present, else ~/.local/share/medattn)',
  )
  .option('--mirror <url|dir>', "replaces the data set's base URL: a mirror's URL or a local folder holding the files")
  .action(dataFetchCommand);

program
  .command('demo')
  .description('train, evaluate and report on an embedded default in a few minutes')
  .option('--out <dir>', 'run folder (default runs/demo)')
  .action(demoCommand);

try {
  await program.parseAsync(process.argv);
} catch (e) {
  const err = e as Error & { code?: string; exitCode?: number };
  if (err.code?.startsWith('commander.')) process.exit(err.exitCode === 0 ? 0 : 1);
  if (isUserError(err)) {
    process.stderr.write(`medattn: ${oneLine(err.message).replace(/^medattn: /, '')}\n`);
    // For the tests of this mapping (test/cli/user-errors.test.ts): which class the one line came from.
    if (process.env.MEDATTN_ERROR_CLASS_FILE) writeFileSync(process.env.MEDATTN_ERROR_CLASS_FILE, err.constructor.name);
    process.exit(1);
  }
  process.stderr.write(`medattn: internal error: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(2);
}

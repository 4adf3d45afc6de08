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
import { launchCommand } from './commands/launch.js';
import { deidCommand } from './commands/deid.js';
import { flClientCommand, flServerCommand } from './commands/fl.js';
import { registerServeCommands } from './commands/serve-help.js';

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
const parseNonNegativeInteger = (option: string) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new ConfigError('command line', option, `expected an integer >= 0, got '${value}'`);
  return n;
};
const parsePositiveInteger = (option: string) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new ConfigError('command line', option, `expected an integer >= 1, got '${value}'`);
  return n;
};
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
  .option(
    '--nproc <n>',
    'data-parallel processes on this machine (torch.distributed with Gloo); the cores are shared between them',
    parsePositiveInteger('--nproc'),
  )
  .action(trainCommand);

program
  .command('launch')
  .description(
    "start this machine's ranks of a data-parallel training run (torchrun-style: run it on every machine), e.g. launch --nnodes 2 --node-rank 0 --master-addr 10.0.0.1 --nproc-per-node 2 -- train --config c.json --out runs/x",
  )
  .argument('<command...>', 'the medattn command each rank runs (after --): train ...')
  .option(
    '--nproc-per-node <n>',
    'ranks on this machine (the cores are shared between them)',
    parsePositiveInteger('--nproc-per-node'),
    1,
  )
  .option('--nnodes <n>', 'machines taking part', parsePositiveInteger('--nnodes'), 1)
  .option(
    '--node-rank <r>',
    "this machine's index, 0..nnodes-1 (0 runs the rendezvous)",
    parseNonNegativeInteger('--node-rank'),
    0,
  )
  .option('--master-addr <host>', 'address of node 0 (default MASTER_ADDR, else 127.0.0.1)')
  .option(
    '--master-port <port>',
    'rendezvous port on node 0 (default MASTER_PORT, else a free port on one machine, 29500 on several)',
    parsePositiveInteger('--master-port'),
  )
  .allowUnknownOption()
  .action(launchCommand);

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
  .option(
    '--maps',
    'also write <name>_maps.png: the input, each attention map and (classifiers, --engine torch) Grad-CAM',
  )
  .option('--json', 'print JSON')
  .option(
    '--threshold <p>',
    'binary decision threshold (default: the one training chose on validation data, else 0.5)',
    parseThreshold,
  )
  .option('--engine <name>', 'onnx, onnx-int8 or torch (default: onnx when the run has model.onnx, else torch)')
  .option('--text <note>', 'text runs: a note to classify (or give note files as arguments)')
  .argument('[files...]', 'image files (PNG, JPEG, TIFF, GIF, DICOM, NIfTI slice), or note files for a text run')
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
  .option(
    '--percentile <p>',
    '--int8: one fixed percentile range for every activation (default: least-error range per tensor)',
  )
  .option(
    '--no-float-ends',
    '--int8: also quantize the first convolution and the output head (kept float32 by default)',
  )
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
  .option('--seeds <n>', 'repeat with n seeds (training.seed, +1, ...; new folds each) and pool the folds', '1')
  .option('--json', 'print one JSON object: the mean and std of each metric')
  .option('--inner-val <fraction>', 'choose the epoch on this part of each training fold; score the held-out fold once')
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
  .command('deid')
  .description(
    'de-identify DICOM files (PS3.15 Basic Profile) under IN, writing each to the same relative path under OUT',
  )
  .argument('<in>', 'DICOM/NIfTI file or folder')
  .argument('<out>', 'output folder (not inside IN)')
  .option(
    '--key-file <file>',
    'secret key (>= 16 bytes) so UIDs, patient IDs and date shifts map the same across runs (default: a random key per run)',
  )
  .option(
    '--dates <mode>',
    "shift: move dates by a per-patient offset (Modified Dates option); remove: the profile's empty/dummy dates",
    'shift',
  )
  .option('--allow-burned-in', 'also write files whose BurnedInAnnotation is YES (pixels are not changed)')
  .option('--nifti', 'also write NIfTI files with descrip, aux_file, intent_name and extensions cleared')
  .option('--json', 'print a JSON summary')
  .action(deidCommand);

const fl = program.command('fl').description('federated training between sites: a server and one client per site');
fl.command('server')
  .description('coordinate federated rounds over HTTPS; keeps a run folder like train (metrics.json, best.safetensors)')
  .requiredOption('--config <file>', "training config (JSON): the model, and the server's validation data (data.val)")
  .requiredOption('--out <dir>', 'run folder; a folder with fl-state.json is resumed after its last completed round')
  .requiredOption('--tokens <file>', 'JSON mapping each site name to its secret token (>= 16 characters, one per site)')
  .requiredOption('--cert <file>', "server's TLS certificate (PEM)")
  .requiredOption('--key <file>', "server's TLS private key (PEM)")
  .option('--client-ca <file>', 'mutual TLS: accept only clients with a certificate signed by this CA (PEM)')
  .option('--host <address>', 'address to listen on', '127.0.0.1')
  .option('--port <n>', 'port to listen on (0: any free port, printed at start)', '8443')
  .option('--rounds <n>', 'federated rounds', '10')
  .option('--clients-per-round <n>', 'sites sampled each round (default: all sites in --tokens)')
  .option('--min-clients <n>', 'fewest updates that complete a round at its timeout (default: --clients-per-round)')
  .option('--local-epochs <n>', 'epochs each site trains per round', '1')
  .option(
    '--algorithm <name>',
    'fedavg, fedprox (proximal term --mu) or fedbn (batch norm stays at each site)',
    'fedavg',
  )
  .option('--mu <x>', 'FedProx proximal weight', '0.01')
  .option('--round-timeout <s>', 'seconds a round waits for its sites before dropping the silent ones', '600')
  .option('--max-update-mb <x>', 'largest update accepted, in MiB', '256')
  .option('--dp-clip <C>', 'DP-FedAvg: clip each site update to this L2 norm (with --dp-noise; sites weighted equally)')
  .option(
    '--dp-noise <z>',
    'DP-FedAvg: Gaussian noise std = z * C on the sum of clipped updates; epsilon per round in metrics.json',
  )
  .option('--dp-delta <d>', 'DP-FedAvg: delta of the reported epsilon', '1e-5')
  .option(
    '--secure-aggregation',
    'pairwise-masked uploads: the server learns only the sum of each round (>= 2 sites; with --dp-* the sites clip and add the noise)',
  )
  .option('--save-received <dir>', 'audit: write every accepted upload, as received, into this folder')
  .option('--set <key=value>', 'override a config value (repeatable)', collect)
  .option('--data-root <dir>', DATA_ROOT_HELP)
  .action(flServerCommand);
fl.command('client')
  .description("one site: train the server's model on this site's data each round and send back the weights")
  .requiredOption('--config <file>', "training config (JSON): the same model as the server's, this site's data.train")
  .requiredOption('--server <url>', 'the server, https://host:port')
  .requiredOption('--token <token>', "this site's secret token (from the server's --tokens file)")
  .option('--ca <file>', "CA or self-signed certificate that the server's certificate must chain to (PEM)")
  .option('--cert <file>', "mutual TLS: this site's certificate (PEM)")
  .option('--key <file>', "mutual TLS: this site's private key (PEM)")
  .option('--patience <s>', 'give up after this many seconds without reaching the server', '120')
  .option('--set <key=value>', 'override a config value (repeatable)', collect)
  .option('--data-root <dir>', DATA_ROOT_HELP)
  .action(flClientCommand);

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

registerServeCommands(program);

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

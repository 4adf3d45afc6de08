/** The `serve` and `token` commands' options and help (main.ts registers them with one line). */
import type { Command } from 'commander';
import { defaultServeOptions as d } from '../../serve/serve-options.js';
import { serveCommand } from './serve.js';
import { tokenNewCommand } from './token.js';

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function registerServeCommands(program: Command): void {
  program
    .command('serve')
    .description(
      'HTTP service and browser page for exported runs (ONNX Runtime, micro-batching). Runs in the foreground, logs JSON lines to stdout, stops gracefully on SIGTERM',
    )
    .requiredOption(
      '--run <dir>',
      'run folder with model.onnx (medattn export); served as the folder name, e.g. /v1/models/<name>/predict (repeatable)',
      collect,
    )
    .option('--port <n>', 'TCP port (0 picks a free one)', String(d.port))
    .option('--host <addr>', 'address to listen on; anything but loopback requires --token-file', d.host)
    .option(
      '--token-file <file>',
      'bearer token hashes (medattn token new); the API then requires Authorization: Bearer TOKEN',
    )
    .option('--cert <file>', 'PEM certificate: serve HTTPS (with --key)')
    .option('--key <file>', 'PEM private key of --cert')
    .option('--max-upload-mb <n>', 'largest upload in MiB; larger ones get 413', String(d.maxUploadBytes / 1024 / 1024))
    .option(
      '--max-pixels <n>',
      'largest decoded image (pixels of the 2D image or volume slice); larger ones get 413',
      String(d.maxPixels),
    )
    .option(
      '--request-timeout <s>',
      'whole-request limit in seconds (upload, decoding, queue, inference)',
      String(d.requestTimeoutMs / 1000),
    )
    .option(
      '--headers-timeout <s>',
      'a client must send its request headers within this many seconds',
      String(d.headersTimeoutMs / 1000),
    )
    .option(
      '--decode-timeout <s>',
      'decoding one upload may take this many seconds (then 422)',
      String(d.decodeTimeoutMs / 1000),
    )
    .option(
      '--rate-limit <n>',
      'requests per minute per token (per address without tokens) on /v1; 0 = none',
      String(d.rateLimit),
    )
    .option('--max-batch <n>', 'images one forward pass takes (1 turns micro-batching off)', String(d.batch.maxBatch))
    .option(
      '--batch-wait-ms <ms>',
      'how long the first waiting image waits for others to share its batch',
      String(d.batch.maxWaitMs),
    )
    .option(
      '--max-queue <n>',
      'images waiting per model (being received, decoded or waiting for a batch; one batch more may run) beyond which requests get 503 at once, before their body is read',
      String(d.batch.maxQueue),
    )
    .option(
      '--cors-origin <url>',
      'let pages from this origin call the API (repeatable); CORS is off by default',
      collect,
    )
    .option('--threads <n>', 'ONNX Runtime threads per model (default MEDATTN_THREADS, else every core)')
    .option('--no-log', 'no request logs on stdout')
    .option(
      '--shutdown-grace <s>',
      'on SIGTERM, how long requests in flight may take to finish',
      String(d.shutdownGraceMs / 1000),
    )
    .action(serveCommand);

  const token = program.command('token').description('bearer tokens for medattn serve');
  token
    .command('new')
    .description('print a new token once and append only its SHA-256 hash to the token file (created with mode 0600)')
    .requiredOption('--token-file <file>', 'token hash file that medattn serve --token-file reads')
    .action(tokenNewCommand);
}

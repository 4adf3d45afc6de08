/**
 * Starts the ranks of a data-parallel run on this machine, as torchrun does: one process per rank with the
 * rendezvous in its environment (MASTER_ADDR, MASTER_PORT, RANK, WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE) and
 * this machine's cores shared between them (MEDATTN_THREADS). Rank 0 keeps the terminal; the other ranks'
 * stderr is passed on with a `[rank K]` prefix and their stdout dropped (they write nothing of their own).
 *
 * When a rank exits with an error or is killed, the launcher names it in one line and stops the others (their
 * collectives fail at once on the closed connection, or after the timeout), so a run never hangs on a dead rank.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { availableParallelism } from 'node:os';
import { createInterface } from 'node:readline';
import { DistributedError } from './distributed-error.js';

export interface LaunchOptions {
  /** Processes on this machine. */
  nprocPerNode: number;
  /** Machines (default 1); each runs its own launcher with its --node-rank. */
  nnodes?: number;
  nodeRank?: number;
  /** Rank 0's machine (default 127.0.0.1). */
  masterAddr?: string;
  /** The rendezvous port (default: a free port when nnodes is 1, else 29500). */
  masterPort?: number;
  /** What each rank runs: arguments to this Node binary (script and its arguments). */
  args: string[];
  /** Extra environment for every rank. */
  env?: NodeJS.ProcessEnv;
  /** Grace period between SIGTERM and SIGKILL for the other ranks after one failed (default 10 s). */
  killAfterMs?: number;
}

/** A TCP port that was free a moment ago (the OS picks it). */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() => resolvePort(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

function check(name: string, value: number, min: number, max = Infinity): void {
  if (!Number.isInteger(value) || value < min || value > max)
    throw new DistributedError(`${name}: expected an integer ${min}..${max}, got ${value}`);
}

/** Runs the ranks to the end; resolves with 0 when all succeeded, else 1 after naming the first that failed. */
export async function launchRanks(o: LaunchOptions): Promise<number> {
  const nnodes = o.nnodes ?? 1;
  const nodeRank = o.nodeRank ?? 0;
  check('--nproc', o.nprocPerNode, 1);
  check('--nnodes', nnodes, 1);
  check('--node-rank', nodeRank, 0, nnodes - 1);
  const masterAddr = o.masterAddr ?? '127.0.0.1';
  const masterPort = o.masterPort ?? (nnodes === 1 ? await freePort(masterAddr) : 29500);
  check('--master-port', masterPort, 1, 65535);
  const worldSize = nnodes * o.nprocPerNode;
  const threads = Math.max(1, Math.floor(availableParallelism() / o.nprocPerNode));
  const children: { rank: number; child: ChildProcess }[] = [];
  let failed = false;
  const killTimers: NodeJS.Timeout[] = [];

  const stopOthers = (except: number) => {
    for (const { rank, child } of children) {
      if (rank === except || child.exitCode !== null || child.signalCode !== null) continue;
      child.kill('SIGTERM');
      killTimers.push(setTimeout(() => child.kill('SIGKILL'), o.killAfterMs ?? 10_000).unref());
    }
  };
  const forward = (signal: NodeJS.Signals) => () => children.forEach(({ child }) => child.kill(signal));
  const onInt = forward('SIGINT');
  const onTerm = forward('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);

  const exits = [];
  for (let local = 0; local < o.nprocPerNode; local++) {
    const rank = nodeRank * o.nprocPerNode + local;
    const child = spawn(process.execPath, o.args, {
      stdio: ['ignore', rank === 0 ? 'inherit' : 'ignore', rank === 0 ? 'inherit' : 'pipe'],
      env: {
        ...process.env,
        ...o.env,
        MASTER_ADDR: masterAddr,
        MASTER_PORT: String(masterPort),
        RANK: String(rank),
        WORLD_SIZE: String(worldSize),
        LOCAL_RANK: String(local),
        LOCAL_WORLD_SIZE: String(o.nprocPerNode),
        MEDATTN_THREADS: process.env.MEDATTN_THREADS ?? String(threads),
      },
    });
    if (child.stderr)
      createInterface({ input: child.stderr }).on('line', (line) => process.stderr.write(`[rank ${rank}] ${line}\n`));
    children.push({ rank, child });
    exits.push(
      new Promise<void>((done) =>
        child.once('exit', (code, signal) => {
          if ((code !== 0 || signal) && !failed) {
            failed = true;
            const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
            process.stderr.write(`medattn: rank ${rank} ${how}; stopping the other ranks\n`);
            stopOthers(rank);
          }
          done();
        }),
      ),
    );
  }
  try {
    await Promise.all(exits);
  } finally {
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
    killTimers.forEach(clearTimeout);
  }
  return failed ? 1 : 0;
}

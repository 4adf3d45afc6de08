/**
 * `medattn launch [--nnodes M --node-rank R --master-addr A --master-port P] --nproc-per-node N -- train ...`:
 * torchrun for medattn. Starts this machine's ranks of a data-parallel run; run it once on every machine with the
 * same master address and port (or let Slurm/Kubernetes set MASTER_ADDR, MASTER_PORT and the node rank).
 */
import { launchRanks } from '../../distributed/index.js';
import { UsageError } from '../user-error.js';

export interface LaunchCommandOptions {
  nprocPerNode: number;
  nnodes: number;
  nodeRank: number;
  masterAddr?: string;
  masterPort?: number;
}

export async function launchCommand(command: string[], o: LaunchCommandOptions): Promise<void> {
  if (command[0] !== 'train')
    throw new UsageError(
      `launch: give the command after --, e.g. 'medattn launch --nproc-per-node 2 -- train --config c.json --out runs/x'`,
    );
  if (o.nnodes > 1 && !command.includes('--out') && !command.includes('--resume'))
    throw new UsageError('launch: with --nnodes > 1 give train --out DIR (the same folder name on every machine)');
  const env = process.env;
  process.exitCode = await launchRanks({
    nprocPerNode: o.nprocPerNode,
    nnodes: o.nnodes,
    nodeRank: o.nodeRank,
    masterAddr: o.masterAddr ?? env.MASTER_ADDR,
    masterPort: o.masterPort ?? (env.MASTER_PORT ? Number(env.MASTER_PORT) : undefined),
    args: [...process.execArgv, process.argv[1], ...command],
  });
}

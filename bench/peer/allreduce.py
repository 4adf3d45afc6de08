# Peer for bench/distributed.ts: torch.distributed (Gloo) sum-allreduce of a float32 tensor of N elements
# between WORLD_SIZE processes; prints the median milliseconds per allreduce on rank 0.
import os, sys, time, statistics
import torch
import torch.distributed as dist

n, repeats = int(sys.argv[1]), int(sys.argv[2])
torch.set_num_threads(1)
dist.init_process_group('gloo', init_method=f"tcp://127.0.0.1:{os.environ['MASTER_PORT']}",
                        rank=int(os.environ['RANK']), world_size=int(os.environ['WORLD_SIZE']))
t = torch.ones(n)
times = []
for i in range(repeats + 5):
    dist.barrier()
    start = time.perf_counter()
    dist.all_reduce(t)
    if i >= 5:
        times.append((time.perf_counter() - start) * 1000)
if dist.get_rank() == 0:
    print(statistics.median(times))
dist.destroy_process_group()

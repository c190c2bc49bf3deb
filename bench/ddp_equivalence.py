"""Distributed training check: the same 20 steps on 2 DDP ranks (gloo, CPU) and on one process give the same weights.

    torchrun --nproc_per_node 2 bench/ddp_equivalence.py --out /tmp/ddp.pt          # 2 ranks
    python bench/ddp_equivalence.py --out /tmp/single.pt --single                    # 1 process, then compare
    torchrun --nnodes 2 --nproc_per_node 2 --rdzv_backend c10d --rdzv_endpoint HOST:29500 bench/ddp_equivalence.py --out w.pt

With --compare A.pt B.pt it prints the largest weight difference. Also timed: the seconds of the training call.
"""
import argparse, time
import torch
from mlpipe.train import ddp_demo_run

if __name__ == '__main__':
    ap = argparse.ArgumentParser()
    ap.add_argument('--out'); ap.add_argument('--steps', type=int, default=20); ap.add_argument('--batch', type=int, default=16)
    ap.add_argument('--single', action='store_true'); ap.add_argument('--compare', nargs=2)
    a = ap.parse_args()
    if a.compare:
        s, d = (torch.load(p, weights_only=True) for p in a.compare)
        print(f'largest weight difference: {max((s[k] - d[k]).abs().max().item() for k in s):.3g}')
    else:
        t0 = time.time()
        ddp_demo_run(a.out, a.steps, a.batch, strategy='auto' if a.single else 'ddp')
        print(f'{"single" if a.single else "ddp rank"} run of {a.steps} steps, global batch {a.batch}: {time.time() - t0:.1f} s')

"""Training throughput (sequences/s): one process vs 2-process DDP (torchrun, gloo) on this machine's cores, and the
share of a training step spent loading/augmenting data.

    python bench/train.py            # runs everything, prints a table
Each configuration trains the same ConvClassifier1d (width 32) on 6-channel IMU-like sequences (window 128, moderate
augmentation keyed by sample id) for --steps steps with a global batch of --batch; the time is the `fit` call only.
"""
import argparse, os, subprocess, sys, time, json
from pathlib import Path
import numpy as np, torch
from mlpipe.augment import get_preset
from mlpipe.augment_data import augment_imu, AugmentedDataset
from mlpipe.batches import KeyedBatchSampler
from mlpipe.train import ConvClassifier1d, create_trainer

def dataset(n=512, seed=0):
    rng = np.random.default_rng(seed)
    x = [rng.normal(size=(300, 6)).cumsum(0).astype(np.float32) for _ in range(n)]
    return AugmentedDataset(x, rng.integers(0, 7, n), lambda r, p: augment_imu(r, p, 128).T.copy(), get_preset('moderate'), seed)

def fit_time(steps, batch, strategy):
    ds = dataset()
    torch.manual_seed(0)
    model = ConvClassifier1d(6, 7, width=32, dropout=0.0)
    tr = create_trainer(model, torch.optim.SGD(model.parameters(), lr=0.01), [], batch_size=batch, strategy=strategy, progress=False)
    t0 = time.perf_counter()
    tr.fit(ds, None, epochs=1000, max_steps=steps)
    return time.perf_counter() - t0

def loading_share(batches, batch):
    "Seconds to produce `batches` batches alone vs seconds of the whole training of as many steps."
    ds = dataset()
    s = KeyedBatchSampler(len(ds), batch)
    dl = torch.utils.data.DataLoader(ds, batch_sampler=s)
    t0 = time.perf_counter()
    for k, _ in zip(range(batches), dl): pass
    load = time.perf_counter() - t0
    return load, fit_time(batches, batch, 'auto')

if __name__ == '__main__':
    ap = argparse.ArgumentParser()
    ap.add_argument('--steps', type=int, default=40); ap.add_argument('--batch', type=int, default=32)
    ap.add_argument('--rank-run', action='store_true')
    ap.add_argument('--threads', type=int, default=0, help='torch threads of the single process (0 = torch default)')
    a = ap.parse_args()
    if a.threads: torch.set_num_threads(a.threads)
    if a.rank_run:
        t = fit_time(a.steps, a.batch, 'ddp')
        if os.environ.get('RANK', '0') == '0': print(json.dumps({'seconds': t}))
        sys.exit(0)
    single = fit_time(a.steps, a.batch, 'auto')
    env = dict(os.environ, OMP_NUM_THREADS='1', PYTHONPATH=str(Path(__file__).resolve().parents[1]))
    out = subprocess.run([sys.executable, '-m', 'torch.distributed.run', '--nproc_per_node', '2', '--standalone',
                          __file__, '--rank-run', '--steps', str(a.steps), '--batch', str(a.batch)],
                         capture_output=True, text=True, timeout=900, env=env)
    ddp = json.loads([l for l in out.stdout.splitlines() if l.startswith('{')][-1])['seconds']
    load, total = loading_share(a.steps, a.batch)
    n = a.steps * a.batch
    print(f'torch threads {torch.get_num_threads()}, {os.cpu_count()} cores; {a.steps} steps x global batch {a.batch}')
    print(f'single process : {n / single:8.1f} sequences/s ({single:.2f} s)')
    print(f'DDP, 2 ranks   : {n / ddp:8.1f} sequences/s ({ddp:.2f} s)   DDP / single = {single / ddp:.2f}x')
    print(f'data loading + augmentation alone: {load:.2f} s of a {total:.2f} s training run = {load / total:.0%} of the step time')

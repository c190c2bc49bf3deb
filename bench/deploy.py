"""YOLO11n-pose formats side by side on this machine: PyTorch, ONNX Runtime, OpenVINO, ONNX Runtime INT8.

Run by hand (never in tests): `python bench/deploy.py [--iterations 5] [--threads N]`.
Every case is warmed up, then the timed calls alternate between formats (interleaved) so machine load hits all of
them alike; latency includes letterbox and decoding (the same code for every format). Parity against PyTorch FP32
is measured on 10 real frames (bus.jpg, zidane.jpg, pose2sim_balancing cam01, sports2d demo). Prints the table,
the `uptime` load before and after, and saves it where `Config.get_optimal_settings_for_resolution` reads it.
"""
import argparse, os, subprocess, sys, time, warnings
warnings.filterwarnings('ignore')
import pandas as pd
from mlpipe.format_bench import bench_formats, save_bench

def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--iterations', type=int, default=5)
    p.add_argument('--threads', type=int, default=None, help='threads per runtime (default: each runtime decides)')
    p.add_argument('--batch-sizes', type=int, nargs='+', default=[1, 8])
    p.add_argument('--workdir', default=None, help='keep the exported files here between runs')
    a = p.parse_args(argv)
    up = lambda: subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()
    print('before:', up(), flush=True)
    t0 = time.time()
    df = bench_formats('yolo11n-pose', tuple(a.batch_sizes), a.iterations, threads=a.threads, workdir=a.workdir, progress=False)
    cols = ['name', 'input', 'batch', 'mean_ms', 'p95_ms', 'ms_per_item', 'fps', 'speedup', 'pck@0.05_%', 'kp_err_mean_px']
    with pd.option_context('display.width', 200):
        print(df[cols].round(2).to_string(index=False))
    print('after: ', up(), f'({time.time() - t0:.0f} s)')
    print('saved to', save_bench(df))

if __name__ == '__main__': main()

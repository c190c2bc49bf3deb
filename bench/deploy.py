"""YOLO11n-pose formats side by side on this machine: PyTorch, ONNX Runtime, OpenVINO and both INT8 routes.

Run by hand (never in tests): `python bench/deploy.py [--iterations 5] [--threads N] [--workdir DIR]`.
Every case is warmed up, then the timed calls alternate between formats (interleaved) so machine load hits all of
them alike; latency includes letterbox and decoding (the same code for every format). Every format is fed the same
letterboxed array (`net` column, H x W: 384x640 for 16:9 frames; the ONNX and OpenVINO graphs have dynamic height
and width, so no format runs a 640x640 square while another runs a rectangle). `--threads N` sets torch's intra-op
threads, ONNX Runtime's intra_op_num_threads and OpenVINO's INFERENCE_NUM_THREADS alike; without it each runtime
decides (the `threads` column says which). INT8: ONNX Runtime static QDQ and OpenVINO NNCF, both calibrated on 32
real frames. Parity against PyTorch FP32 on 10 real frames (bus.jpg, zidane.jpg, pose2sim_balancing cam01, sports2d
demo), computed once per exported file and kept in the workdir. Prints the table (median p50_ms and p95_ms per call),
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
    print('argv:', ' '.join(sys.argv[1:]) or '(defaults)', flush=True)
    print('before:', up(), flush=True)
    t0 = time.time()
    df = bench_formats('yolo11n-pose', tuple(a.batch_sizes), a.iterations, threads=a.threads, workdir=a.workdir, progress=False)
    cols = ['name', 'input', 'net', 'batch', 'mean_ms', 'p50_ms', 'p95_ms', 'ms_per_item', 'speedup', 'speedup_p50',
            'pck@0.05_%',
            'kp_err_mean_px', 'threads']
    with pd.option_context('display.width', 200):
        print(df[cols].round(2).to_string(index=False))
    print('after: ', up(), f'({time.time() - t0:.0f} s)')
    print('saved to', save_bench(df))

if __name__ == '__main__': main()

"""Profiling overhead: time of VRAMProfiler.profile_model vs a plain forward+backward(+Adam step) of the same model
and input, in the same run. On a machine without CUDA the profile is the meta-device estimate; on a GPU it is the
measured step (with its warm-up step and per-layer hooks).

The plain step: a copy of the model in train mode, Adam (foreach), the same input shape, a sum loss, backward, Adam
step, zero_grad; warm (one step run before timing). Both sides are warmed once, then timed `--repeats` times
interleaved (plain, profile, plain, profile, ...) so a busy neighbour slows both alike; the ratio is of the medians.
The last line is the goal's figure (YOLO11n-pose, goal: at most 3x).

    .venv/bin/python bench/vram_overhead.py [--repeats 3]
"""
import argparse, time, copy, os, statistics
import torch
import pandas as pd
from mlpipe.vram import VRAMProfiler, example_mlp, example_cnn, yolo_pose_network
from mlpipe.vram_estimate import scalar_loss as _loss

def plain_step(model, shape, dev):
    "A warm training step of a copy of `model` on a random batch of `shape`, as a function to time."
    m = copy.deepcopy(model).to(dev).train(); x = torch.randn(shape, device=dev)
    opt = torch.optim.Adam(m.parameters(), foreach=True)
    def run():
        _loss(m(x)).backward(); opt.step(); opt.zero_grad(set_to_none=True)
        if dev == 'cuda': torch.cuda.synchronize()
    run()
    return run

def timed(f):
    t = time.perf_counter(); out = f(); return time.perf_counter() - t, out

def main(repeats=3):
    dev = 'cuda' if torch.cuda.is_available() else 'cpu'
    prof = VRAMProfiler({'device': dev})
    rows = []
    for name, model, shape in [('MLP', example_mlp(), (256, 784)), ('CNN', example_cnn(), (32, 3, 64, 64)), ('YOLO11n-pose', yolo_pose_network(), (2, 3, 320, 320))]:
        step = plain_step(model, shape, dev)
        profile = lambda: prof.profile_model(model, shape[1:], shape[0])
        t_first, r = timed(profile)                               # first call in this process for this model
        plain, prof_s = [], []
        for _ in range(repeats):
            plain.append(timed(step)[0]); prof_s.append(timed(profile)[0])
        t_plain, t_prof = statistics.median(plain), statistics.median(prof_s)
        rows.append({'model': name, 'input': shape, 'mode': r.mode, 'estimated peak MiB': r.peak_mb, 'plain step s': t_plain,
                     'profile_model s': t_prof, 'ratio': t_prof / t_plain, 'first profile s': t_first,
                     'ratios per repeat': ' '.join(f'{b / a:.2f}' for a, b in zip(plain, prof_s))})
    print(time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime()), '| load average (1, 5, 15 min):', os.getloadavg())
    print(f'device: {torch.cuda.get_device_name() if dev == "cuda" else "CPU"}, torch threads: {torch.get_num_threads()}, repeats: {repeats}')
    print(pd.DataFrame(rows).round(3).to_string(index=False))
    y = rows[-1]
    print(f"GOAL YOLO11n-pose: profile_model / plain step = {y['ratio']:.2f}x (goal <= 3x; median of {repeats}: "
          f"{y['profile_model s']:.3f} s / {y['plain step s']:.3f} s), estimate {y['estimated peak MiB']:.3f} MiB")

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--repeats', type=int, default=3, help='interleaved timings of each side (median reported)')
    main(ap.parse_args().repeats)

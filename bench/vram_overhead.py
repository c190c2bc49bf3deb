"""Profiling overhead: time of VRAMProfiler.profile_model vs a plain forward+backward(+Adam step) of the same model
and input, in the same run. On a machine without CUDA the profile is the fake-tensor estimate; on a GPU it is the
measured step (with its warm-up step and per-layer hooks).

    .venv/bin/python bench/vram_overhead.py
"""
import time, copy, os
import torch
import pandas as pd
from mlpipe.vram import VRAMProfiler, example_mlp, example_cnn, yolo_pose_network
from mlpipe.vram_estimate import scalar_loss as _loss

def plain_step(model, shape, dev):
    m = copy.deepcopy(model).to(dev).train(); x = torch.randn(shape, device=dev)
    opt = torch.optim.Adam(m.parameters(), foreach=True)
    def run():
        _loss(m(x)).backward(); opt.step(); opt.zero_grad(set_to_none=True)
        if dev == 'cuda': torch.cuda.synchronize()
    run()
    t = time.perf_counter(); run(); return time.perf_counter() - t

def main():
    dev = 'cuda' if torch.cuda.is_available() else 'cpu'
    prof = VRAMProfiler({'device': dev})
    rows = []
    for name, model, shape in [('MLP', example_mlp(), (256, 784)), ('CNN', example_cnn(), (32, 3, 64, 64)), ('YOLO11n-pose', yolo_pose_network(), (2, 3, 320, 320))]:
        t_plain = plain_step(model, shape, dev)
        prof.profile_model(model, shape[1:], shape[0])            # warm-up (imports, first-call costs)
        t = time.perf_counter(); r = prof.profile_model(model, shape[1:], shape[0]); t_prof = time.perf_counter() - t
        rows.append({'model': name, 'input': shape, 'mode': r.mode, 'estimated peak MiB': r.peak_mb, 'plain step s': t_plain,
                     'profile_model s': t_prof, 'ratio': t_prof / t_plain})
    print(time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime()), '| load average (1, 5, 15 min):', os.getloadavg())
    print(f'device: {torch.cuda.get_device_name() if dev == "cuda" else "CPU"}')
    print(pd.DataFrame(rows).round(3).to_string(index=False))

if __name__ == '__main__': main()

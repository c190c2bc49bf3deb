"""`run_batch` on a corpus of >= 200 short videos made from the real clips (cam01, cam02, Sports2D: trimmed, mirrored,
re-encoded) plus generated stick-figure videos: throughput at 1 and 2 workers, the engine's overhead per video against
the plain loop over `analyze_video` + `write_results` (goal <= 1.10 at 1 worker), worker memory sampled over the run,
and the scheduler's per-task overhead with thousands of tiny tasks.

    .venv/bin/python bench/batch.py [--videos 200] [--frames 12] [--tiny 5000] [--skip-plain]

Clips are short (12 frames, 160 px wide by default) so that 200 videos run in minutes on a shared 2-core machine.
"""
import argparse, os, sys, time, tempfile, threading, shutil
from pathlib import Path
import numpy as np
import pandas as pd

def build_corpus(folder:Path, n:int, frames:int, width:int, sticks:int) -> list:
    "n videos: real clips at varied start frames, mirrored or not, MPEG-4 or MJPEG; plus `sticks` stick-figure videos."
    from mlpipe.core import shared_data
    from mlpipe.batch import make_clip
    from mlpipe.synth import generate_session, render_video
    srcs = [(shared_data('pose2sim_balancing', 'videos', 'cam01.mp4'), 100), (shared_data('pose2sim_balancing', 'videos', 'cam02.mp4'), 100),
            (shared_data('sports2d', 'demo.mp4'), 230)]
    folder.mkdir(parents=True, exist_ok=True)
    out, k = [], 0
    while len(out) < n - sticks:
        src, total = srcs[k % 3]
        start, mirror, avi = (k // 3 * 7) % (total - frames), (k // 2) % 2 == 1, k % 5 == 4
        dst = folder / f'{src.stem}_{k:04d}{".avi" if avi else ".mp4"}'
        out.append(make_clip(src, dst, frames, start, width, mirror, 'MJPG' if avi else 'mp4v')); k += 1
    for s in range(sticks):
        g = generate_session('squat', reps=1, tempo_s=0.6, pause_s=0.1, fps=20, image_size=(160, 120), seed=s)
        out.append(render_video(g.pose2d, folder / f'stick_{s:03d}.mp4', progress=False))
    return out

def plain_loop(videos:list, out:Path) -> tuple:
    from mlpipe.pipeline import analyze_video
    from mlpipe.outputs import write_results
    from mlpipe.core import MlpipeError
    t, ok = time.perf_counter(), 0
    for v in videos:
        try: write_results(analyze_video(v, progress=False), out / v.stem, session_id=v.stem); ok += 1
        except MlpipeError: pass
    return time.perf_counter() - t, ok

class MemorySampler(threading.Thread):
    "RSS of this process's child processes (the LocalCluster workers) every `every_s`."
    def __init__(self, every_s=1.0):
        super().__init__(daemon=True); self.every_s, self.rows, self.stop = every_s, [], threading.Event()
    def run(self):
        import psutil
        me, t0 = psutil.Process(), time.time()
        while not self.stop.is_set():
            for c in me.children(recursive=True):
                try: self.rows.append((time.time() - t0, c.pid, c.memory_info().rss / 2**20))
                except psutil.Error: pass
            self.stop.wait(self.every_s)
    def summary(self) -> pd.DataFrame:
        d = pd.DataFrame(self.rows, columns=['t_s', 'pid', 'rss_mb'])
        d = d[d.groupby('pid').rss_mb.transform('max') > 200]                   # the workers (MediaPipe loaded), not helpers
        q = d.groupby('pid').t_s.transform(lambda t: pd.qcut(t, 4, labels=False, duplicates='drop') if len(t) > 4 else 0)
        return d.assign(q=q).groupby('pid').apply(lambda g: pd.Series({'samples': len(g), 'first_quarter_mb': g[g.q == g.q.min()].rss_mb.median(),
                                                                        'last_quarter_mb': g[g.q == g.q.max()].rss_mb.median(), 'max_mb': g.rss_mb.max()}),
                                                  include_groups=False)

def tiny_tasks(n:int, workers:int=2) -> dict:
    "Scheduler overhead: n no-op tasks through submit + as_completed, as run_batch uses them."
    from distributed import Client, LocalCluster, as_completed
    import logging
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address='127.0.0.1:0', silence_logs=logging.ERROR) as c, Client(c) as cl:
        cl.submit(abs, -1).result()
        t = time.perf_counter()
        fs = [cl.submit(abs, -i, pure=False) for i in range(n)]
        t_submit = time.perf_counter() - t
        for f in as_completed(fs): f.result()
        total = time.perf_counter() - t
    return {'tasks': n, 'workers': workers, 'submit_s': t_submit, 'total_s': total, 'per_task_ms': 1000 * total / n}

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--videos', type=int, default=200); ap.add_argument('--frames', type=int, default=12)
    ap.add_argument('--width', type=int, default=160); ap.add_argument('--sticks', type=int, default=10)
    ap.add_argument('--tiny', type=int, default=5000); ap.add_argument('--skip-plain', action='store_true')
    a = ap.parse_args()
    from mlpipe.batch import run_batch
    print(f'load average {os.getloadavg()}; {os.cpu_count()} CPUs')
    work = Path(tempfile.mkdtemp(prefix='mlpipe-bench-batch-'))
    t = time.perf_counter()
    videos = build_corpus(work / 'corpus', a.videos, a.frames, a.width, a.sticks)
    print(f'corpus: {len(videos)} videos ({a.videos - a.sticks} real clips of {a.frames} frames, {a.width} px wide; {a.sticks} stick figures) '
          f'built in {time.perf_counter() - t:.1f} s in {work}')
    rows = []
    if not a.skip_plain:
        plain_s, ok = plain_loop(videos, work / 'plain')
        rows.append({'engine': 'plain loop', 'workers': 1, 'wall_s': plain_s, 'done': ok})
        print(rows[-1], flush=True)
    for w in (1, 2):
        mem = MemorySampler(); mem.start()
        t = time.perf_counter()
        r = run_batch(work / 'corpus', work / f'batch{w}', workers=w, dashboard_address='127.0.0.1:0', progress=False)
        wall = time.perf_counter() - t
        mem.stop.set(); mem.join()
        tb = r.table
        import sqlite3
        rec = sqlite3.connect(work / f'batch{w}' / 'manifest.sqlite').execute('SELECT record_s FROM runs').fetchone()[0]
        rows.append({'engine': 'run_batch', 'workers': w, 'wall_s': wall, 'done': r.done, 'failed': r.failed, 'client_record_ms_per_video': 1000 * rec / len(tb),
                     'task_s_sum': tb.task_s.sum(), 'median_task_s': tb.task_s.median()})
        print(rows[-1], flush=True)
        print(f'worker memory ({w} worker(s)):\n{mem.summary().round(1).to_string()}', flush=True)
        if w == 1: print('failures:', tb[tb.status == 'failed'].error.str.slice(0, 90).value_counts().to_dict())
    res = pd.DataFrame(rows)
    res['videos_per_min'] = 60 * len(videos) / res.wall_s
    if not a.skip_plain: res['vs_plain_loop'] = res.wall_s / res.wall_s.iloc[0]
    print(res.round(3).to_string(index=False))
    print('scheduler overhead:', {k: round(v, 3) if isinstance(v, float) else v for k, v in tiny_tasks(a.tiny).items()})
    print(f'load average {os.getloadavg()}')
    shutil.rmtree(work, ignore_errors=True)

if __name__ == '__main__': main()

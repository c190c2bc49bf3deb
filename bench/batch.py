"""`run_batch` against the plain loop over `analyze_video` + `write_results`, on a corpus cut from the real clips
(cam01, cam02, Sports2D: trimmed, mirrored, re-encoded) plus a few deliberately bad videos (stick figures MediaPipe
cannot see, a corrupt file, an empty file, a clip too short to analyse).

    .venv/bin/python bench/batch.py [--videos 40] [--frames 24] [--rounds 4] [--corpus DIR] [--tiny 2000] [--skip-two]

1. Engine overhead at 1 worker, fair on a shared machine: one LocalCluster of 1 worker is started and warmed up once
   (its start-up and first task reported apart), then the corpus is split into `--rounds` chunks and each chunk runs
   through the plain loop (in this process, OpenCV/BLAS capped to the worker's 1 thread, storing into a results
   database as the client does) and through `run_batch` on that worker, alternating which goes first. Per video: the
   plain loop's time, the task's time inside the worker, and the engine's interval between consecutive results;
   medians and totals of both sides, and the CPU seconds of each side (the plain loop: this process; the engine: this
   process's client and scheduler, the nanny and the worker, every thread). The goal's figure is printed on one line,
   `ENGINE OVERHEAD per video at 1 worker`: the median over the real videos of (interval between consecutive results)
   / (the plain loop's time for the same video). Worker RSS is sampled every 0.5 s; `WORKER MEMORY` takes its floor
   (the minimum of each 10 s: the level between tasks, once a task's frames, graph and figures are freed; single
   samples inside a task swing by 50-130 MB), fits a straight line to the second half of the run after warm-up, and
   calls the worker flat when the fitted change over that half is under 5 % of its level: a growth per task, however
   small, shows as a slope.
2. Throughput: `run_batch(workers=2)` on the whole corpus as a user runs it (cluster start included).
3. The scheduler's per-task overhead: `--tiny` no-op tasks through submit + as_completed.
"""
import argparse, os, sys, time, tempfile, threading, shutil, subprocess
from pathlib import Path
import numpy as np
import pandas as pd

SOURCES = {'cam01': (('pose2sim_balancing', 'videos', 'cam01.mp4'), 320, 100),  # portrait 1080x1920 -> 320x568
           'cam02': (('pose2sim_balancing', 'videos', 'cam02.mp4'), 320, 100),
           'sports2d': (('sports2d', 'demo.mp4'), 480, 100)}   # (parts, width px, starts before): at 160 px the walker
# is seen in 94 of 230 frames; at 480 px in 221, but 24-frame cuts starting at frames 100-150 lose his far elbow in
# every frame ("angle 'shoulder_flexion_l': its keypoints are missing in every frame"), so cuts start before 100

def _frames(name:str) -> tuple:
    "(fps, every frame of a source video resized to its corpus width): each source is decoded once."
    import cv2
    from mlpipe.core import shared_data
    parts, width, _ = SOURCES[name]
    cap, frames = cv2.VideoCapture(str(shared_data(*parts))), []
    fps = cap.get(cv2.CAP_PROP_FPS) or 30.0
    while True:
        ok, img = cap.read()
        if not ok: break
        h = int(round(img.shape[0] * width / img.shape[1] / 2) * 2)
        frames.append(cv2.resize(img, (width, h), interpolation=cv2.INTER_AREA))
    cap.release()
    return fps, frames

def _write(dst:Path, frames:list, fps:float, mirror:bool, fourcc:str) -> Path:
    import cv2
    h, w = frames[0].shape[:2]
    out = cv2.VideoWriter(str(dst), cv2.VideoWriter_fourcc(*fourcc), fps, (w, h))
    for img in frames: out.write(cv2.flip(img, 1) if mirror else img)
    out.release()
    return dst

def build_corpus(folder:Path, n:int, frames:int, bad:int) -> pd.DataFrame:
    "n videos: n - bad distinct real cuts (start, mirror, MPEG-4 or MJPEG), then `bad` bad ones; (path, kind) table."
    from mlpipe.synth import generate_session, render_video
    folder.mkdir(parents=True, exist_ok=True)
    src = {k: _frames(k) for k in SOURCES}
    cuts = [(k, s, m, c) for s in range(0, 300, 4) for k in SOURCES for m in (False, True) for c in ('mp4v', 'MJPG')
            if s + frames <= len(src[k][1]) and s < SOURCES[k][2]]
    rng = np.random.default_rng(0)
    rows = []
    for k, s, m, c in [cuts[i] for i in sorted(rng.choice(len(cuts), n - bad, replace=False))]:
        dst = folder / f'{k}_{s:03d}{"_m" if m else ""}.{"avi" if c == "MJPG" else "mp4"}'
        rows.append((_write(dst, src[k][1][s:s + frames], src[k][0], m, c), 'real'))
    kinds = ['stick', 'corrupt', 'short', 'empty'] + ['stick', 'corrupt', 'short'] * bad
    for i, kind in enumerate(kinds[:bad]):
        dst = folder / f'bad_{kind}_{i:02d}.mp4'
        if kind == 'stick':
            g = generate_session('squat', reps=2, fps=20, image_size=(480, 360), seed=i)
            render_video(g.pose2d, dst, progress=False)
        elif kind == 'corrupt': dst.write_bytes(rng.bytes(20_000))
        elif kind == 'empty': dst.write_bytes(b'')
        else: _write(dst, src['cam01'][1][i:i + 5], src['cam01'][0], False, 'mp4v')
        rows.append((dst, kind))
    return pd.DataFrame(rows, columns=['path', 'kind'])

def plain_one(v:Path, out:Path, db:Path) -> tuple:
    "The plain loop's body for one video: (seconds, error or None)."
    from mlpipe.pipeline import analyze_video
    from mlpipe.outputs import write_results
    t, detect_s = time.perf_counter(), np.nan
    try:
        a = analyze_video(v, progress=False)
        detect_s = a.timings['detect']
        write_results(a, out / v.name, db=db, session_id=v.name)
        err = None
    except Exception as e: err = f'{type(e).__name__}: {e}'
    return time.perf_counter() - t, err, detect_s

class MemorySampler(threading.Thread):
    "RSS of this process's child processes (the LocalCluster workers) every `every_s`."
    def __init__(self, every_s=1.0):
        super().__init__(daemon=True)
        self.every_s, self.rows, self.stop, self.t0 = every_s, [], threading.Event(), time.time()
    def run(self):
        import psutil
        me = psutil.Process()
        while not self.stop.is_set():
            for c in me.children(recursive=True):
                try: self.rows.append((time.time() - self.t0, c.pid, c.memory_info().rss / 2**20))
                except psutil.Error: pass
            self.stop.wait(self.every_s)
    def summary(self, after_s:float=0.0) -> pd.DataFrame:
        "Per worker (RSS max > 200 MB), samples taken after `after_s`: medians of the first and last quarter."
        d = pd.DataFrame(self.rows, columns=['t_s', 'pid', 'rss_mb'])
        d = d[(d.groupby('pid').rss_mb.transform('max') > 200) & (d.t_s >= after_s)]
        def quarters(g):
            q = np.array_split(g.sort_values('t_s').rss_mb.to_numpy(), 4)
            return pd.Series({'samples': len(g), 'first_quarter_mb': np.median(q[0]), 'last_quarter_mb': np.median(q[-1]),
                              'max_mb': g.rss_mb.max()})
        s = d.groupby('pid').apply(quarters, include_groups=False)
        return s.assign(change_pct=100 * (s.last_quarter_mb / s.first_quarter_mb - 1))
    def flatness(self, after_s:float, videos:int, bin_s:float=10.0) -> str:
        "Per worker: a straight line fitted to RSS's floor (minimum per `bin_s`) over the second half after `after_s`."
        d = pd.DataFrame(self.rows, columns=['t_s', 'pid', 'rss_mb'])
        d = d[(d.groupby('pid').rss_mb.transform('max') > 200) & (d.t_s >= after_s)]
        lines = []
        for pid, g in d.groupby('pid'):
            floor = g.groupby(((g.t_s - after_s) // bin_s)).agg(t_s=('t_s', 'mean'), rss_mb=('rss_mb', 'min'))
            h = floor.iloc[len(floor) // 2:]
            if len(h) < 4:
                lines.append(f'WORKER MEMORY (pid {pid}): {len(h)} bins of {bin_s:.0f} s in the second half: too short to judge')
                continue
            slope = np.polyfit(h.t_s, h.rss_mb, 1)[0]                       # MB per second
            change_mb, level = slope * (h.t_s.iloc[-1] - h.t_s.iloc[0]), h.rss_mb.median()
            per100 = change_mb / (videos / 2) * 100
            ok = abs(change_mb) < 0.05 * level
            lines.append(f'WORKER MEMORY (pid {pid}): floor of RSS (minimum per {bin_s:.0f} s) over the second half of the '
                         f'run, {len(h)} bins around {level:.0f} MB: fitted change {change_mb:+.1f} MB '
                         f'({100 * change_mb / level:+.1f} %, about {per100:+.1f} MB per 100 videos); flat (|change| < 5 % '
                         f'of the level): {"YES" if ok else "NO"}')
        return '\n'.join(lines)

def cpu_s(procs:list) -> float:
    "User + system CPU seconds of these processes (all their threads), those still alive."
    import psutil
    total = 0.0
    for p in procs:
        try: total += sum(p.cpu_times()[:2])
        except psutil.Error: pass
    return total

def overhead(corpus:pd.DataFrame, work:Path, rounds:int, mem:MemorySampler) -> pd.DataFrame:
    "Part 1: the plain loop and run_batch on one warm worker, chunk by chunk, alternating which goes first."
    import psutil
    from mlpipe.batch import batch_client, run_batch, cap_threads
    cap_threads(1)
    me = psutil.Process()
    warm = corpus[corpus.kind == 'real'].path.iloc[0]
    t = time.perf_counter()
    with batch_client(workers=1, dashboard_address='127.0.0.1:0') as client:
        start_s = time.perf_counter() - t
        addr = client.scheduler.address
        t = time.perf_counter()
        run_batch([warm], work / 'warm', scheduler=addr, corpus=False, progress=False)
        warm_batch_s = time.perf_counter() - t
        warm_plain_s, _, _ = plain_one(warm, work / 'warm_plain', work / 'warm_plain.sqlite')
        print(f'1-worker LocalCluster started in {start_s:.1f} s; first task (imports, first graph) {warm_batch_s:.1f} s '
              f'through run_batch, {warm_plain_s:.1f} s in the plain loop (this process had imported mlpipe.batch)')
        mem.mark = time.time() - mem.t0
        engine = [me] + me.children(recursive=True)     # client + scheduler (this process), nanny, worker
        rows, cpu = [], {'plain': 0.0, 'batch': 0.0}
        shuffled = corpus.sample(frac=1, random_state=1)
        chunks = [shuffled.iloc[ix] for ix in np.array_split(np.arange(len(shuffled)), rounds)]   # same rows, no warning
        for i, chunk in enumerate(chunks):
            for side in (('plain', 'batch') if i % 2 == 0 else ('batch', 'plain')):
                c0 = cpu_s([me] if side == 'plain' else engine)
                if side == 'plain':
                    for v, kind in chunk.itertuples(index=False):
                        s, err, det = plain_one(v, work / 'plain', work / 'plain.sqlite')
                        rows.append({'round': i, 'video': v.name, 'kind': kind, 'plain_s': s, 'plain_error': err,
                                     'plain_detect_s': det})
                    cpu['plain'] += cpu_s([me]) - c0
                    continue
                t = time.perf_counter()
                r = run_batch(list(chunk.path), work / 'batch1', scheduler=addr, corpus=False, progress=False)
                wall = time.perf_counter() - t
                cpu['batch'] += cpu_s(engine) - c0
                tb = r.table.sort_values('finished')
                gaps = np.diff(np.r_[tb.started.min(), tb.finished.to_numpy()])
                cols = ['path', 'task_s', 'detect_s', 'status', 'error']
                for (p, task_s, det, status, err), gap in zip(tb[cols].itertuples(index=False), gaps):
                    rows.append({'round': i, 'video': Path(p).name, 'task_s': task_s, 'interval_s': gap, 'status': status,
                                 'error': err, 'chunk_wall_s': wall, 'chunk_n': len(tb), 'detect_s': det})
            print(f'round {i}: {len(chunk)} videos, load {os.getloadavg()[0]:.1f}', flush=True)
    d = pd.DataFrame(rows)
    bcols = ['video', 'task_s', 'interval_s', 'status', 'error', 'chunk_wall_s', 'chunk_n', 'detect_s']
    plain, batch = d[d.plain_s.notna()].drop(columns=bcols[1:]), d[d.task_s.notna()][bcols]
    return plain.merge(batch, on='video'), {'start_s': start_s, 'warm_batch_s': warm_batch_s, 'warm_plain_s': warm_plain_s,
                                            'cpu_plain_s': cpu['plain'], 'cpu_batch_s': cpu['batch']}

def report_overhead(d:pd.DataFrame, fixed:dict):
    walls = d.groupby('round').chunk_wall_s.first()
    tot_plain, tot_batch = d.plain_s.sum(), walls.sum()
    full, d = d, d[d.kind == 'real']                               # per-video medians: the analysable videos
    print(f"\n== engine overhead at 1 worker ({len(full)} videos, medians over the {len(d)} real ones, {full['round'].nunique()} rounds, interleaved) ==")
    print(pd.DataFrame({'plain loop': [d.plain_s.median(), tot_plain, np.nan],
                        'run_batch': [d.interval_s.median(), tot_batch, d.task_s.median()]},
                       index=['median s per video (run_batch: interval between results)', 'total s (run_batch: chunk walls)',
                              'median task s inside the worker']).round(3).to_string())
    ratio = (d.interval_s / d.plain_s)
    print(f'run_batch / plain loop: per-video median interval {d.interval_s.median() / d.plain_s.median():.3f}, '
          f'median of paired ratios {ratio.median():.3f}, totals {tot_batch / tot_plain:.3f}, task inside the worker '
          f'{d.task_s.median() / d.plain_s.median():.3f}')
    print(f'detection alone (MediaPipe, native code): median {d.detect_s.median():.3f} s in the worker, '
          f'{d.plain_detect_s.median():.3f} s in the plain loop ({d.detect_s.median() / d.plain_detect_s.median():.3f}); '
          f'the rest of the task: {(d.task_s - d.detect_s).median():.3f} s against '
          f'{(d.plain_s - d.plain_detect_s).median():.3f} s')
    fixed_chunk = (walls - full.groupby('round').interval_s.sum()).mean()
    d = full
    print(f"fixed per run_batch call (client connect, hashing, planning, notes): {fixed_chunk:.2f} s; cluster start "
          f"{fixed['start_s']:.1f} s, first task {fixed['warm_batch_s']:.1f} s (plain loop's first {fixed['warm_plain_s']:.1f} s)")
    print(f"CPU over all {len(d)} videos: plain loop {fixed['cpu_plain_s']:.1f} s (this process); engine "
          f"{fixed['cpu_batch_s']:.1f} s (client + scheduler, nanny, worker: every thread)")
    print('outcomes:', d.groupby(['kind', 'status']).size().to_dict())
    print('same outcome on both sides:', bool(((d.plain_error.isna()) == (d.status == 'done')).all()))
    print('failures:', d[d.status != 'done'].error.str.slice(0, 70).value_counts().to_dict())
    paired = ratio.median()
    print(f"\nENGINE OVERHEAD per video at 1 worker: {paired:.3f}x the plain loop (median over {len(ratio)} real videos of "
          f"interval between results / plain loop time, paired); totals {tot_batch / tot_plain:.3f}x; CPU "
          f"{fixed['cpu_batch_s'] / fixed['cpu_plain_s']:.3f}x; goal <= 1.10: {'MET' if paired <= 1.10 else 'NOT MET'} "
          f"(load {os.getloadavg()[0]:.1f})")

def throughput(corpus:pd.DataFrame, work:Path, workers:int) -> dict:
    "Part 2: run_batch as a user runs it (LocalCluster started, corpus written at the end)."
    from mlpipe.batch import run_batch
    t = time.perf_counter()
    r = run_batch(list(corpus.path), work / f'batch{workers}', workers=workers, dashboard_address='127.0.0.1:0',
                  progress=False)
    wall = time.perf_counter() - t
    tb = r.table
    return {'workers': workers, 'videos': len(tb), 'done': r.done, 'failed': r.failed, 'wall_s': wall,
            'first_task_start_s': tb.started.min() - (time.time() - (time.perf_counter() - t)),
            'videos_per_min': 60 * len(tb) / wall, 'median_task_s': tb.task_s.median()}

def tiny_tasks(n:int, workers:int=2) -> dict:
    "Scheduler overhead: n no-op tasks through submit + as_completed, as run_batch uses them."
    from distributed import Client, LocalCluster, as_completed
    import logging
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address='127.0.0.1:0',
                      silence_logs=logging.ERROR) as c, Client(c) as cl:
        cl.submit(abs, -1).result()
        t = time.perf_counter()
        fs = [cl.submit(abs, -i, pure=False) for i in range(n)]
        for f in as_completed(fs): f.result()
        total = time.perf_counter() - t
    return {'tasks': n, 'workers': workers, 'total_s': round(total, 2), 'per_task_ms': round(1000 * total / n, 2)}

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--videos', type=int, default=40)
    ap.add_argument('--frames', type=int, default=24, help='frames per real cut')
    ap.add_argument('--bad', type=int, default=None, help='deliberately bad videos (default: 1 in 10, at least 4)')
    ap.add_argument('--rounds', type=int, default=4)
    ap.add_argument('--corpus', type=Path, default=None, help='build the corpus here once and reuse it')
    ap.add_argument('--tiny', type=int, default=2000)
    ap.add_argument('--skip-two', action='store_true')
    a = ap.parse_args()
    bad = a.bad if a.bad is not None else max(4, a.videos // 10)
    print(f"{time.strftime('%H:%M:%S', time.gmtime())} UTC; uptime: {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}")
    work = Path(tempfile.mkdtemp(prefix='mlpipe-bench-batch-'))
    folder = a.corpus or work / 'corpus'
    listing = folder / 'corpus.csv'
    t = time.perf_counter()
    if listing.is_file(): corpus = pd.read_csv(listing).assign(path=lambda d: d.path.map(Path))
    else:
        corpus = build_corpus(folder, a.videos, a.frames, bad)
        corpus.to_csv(listing, index=False)
    print(f'corpus: {len(corpus)} videos {corpus.kind.value_counts().to_dict()} ({a.frames}-frame real cuts; cam01/02 at '
          f'320 px, sports2d at 480 px) ready in {time.perf_counter() - t:.1f} s in {folder}', flush=True)
    mem = MemorySampler(every_s=0.5)
    mem.start()
    d, fixed = overhead(corpus, work, a.rounds, mem)
    mem.stop.set()
    mem.join()
    report_overhead(d, fixed)
    print(f'worker memory over part 1 (after warm-up; raw samples, in-task peaks included):\n{mem.summary(mem.mark).round(1).to_string()}')
    print(mem.flatness(mem.mark, len(corpus)))
    print(f'load average {os.getloadavg()}', flush=True)
    if not a.skip_two:
        mem2 = MemorySampler(every_s=0.5)
        mem2.start()
        res = throughput(corpus, work, 2)
        mem2.stop.set()
        mem2.join()
        print(f'\n== run_batch, 2 workers, from scratch ==\n{ {k: round(v, 2) if isinstance(v, float) else v for k, v in res.items()} }')
        print(f'worker memory (2 workers):\n{mem2.summary().round(1).to_string()}')
        print(mem2.flatness(0.25 * (time.time() - mem2.t0), len(corpus)))
        print(f'load average {os.getloadavg()}', flush=True)
    if a.tiny: print('\nscheduler overhead:', tiny_tasks(a.tiny))
    print(f"{time.strftime('%H:%M:%S', time.gmtime())} UTC; uptime: {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}")
    shutil.rmtree(work, ignore_errors=True)

if __name__ == '__main__': main()

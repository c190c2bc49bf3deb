"""Load and soak of `mlpipe serve` on loopback (issue 17): 1, 2, 4 and 8 concurrent WebSocket clients in keypoint mode
and in frame mode; end-to-end latency p50/p95 (send -> reply, matched by the frame's timestamp), throughput, drop rate
(client side: sent - answered; server side: its own `mlpipe_frames_dropped` counter from GET /metrics); side by side in
the same run, bare MediaPipe (mlpipe.detect.MediaPipeDetector) per-frame time on the same decoded frames, and the
ratios frame-mode p50 / bare p50 and p95 / bare p95 for each row (goal for 1 client: p95 at most 1.3x the bare).
The latency is the user's: from the moment a client hands the frame to its socket (JPEG already encoded, as a page
has it from the camera's canvas) to the moment its reply is read. After its measured `--duration`, each client goes
on sending (those frames are not measured) until its last measured frame is answered or dropped: a camera never
stops, and a last frame with nothing sent after it would wait for every other session's turn. `--pacing page`: each
client behaves as the page does (a frame is sent on a tick of the `--fps` timer only when the previous one has been
answered; the skipped ticks are counted), so no frame of a single client waits on the server behind its predecessor;
the default, `open`, sends every tick whatever the replies (a client that does not pace: the stress case). `--soak SECONDS`: K clients for that long,
server RSS sampled every 5 s (psutil), its slope in MiB per minute.

Frames: sports2d/demo.mp4 through `mlpipe.core.shared_data()`, downscaled as the page does (480 px longest side),
JPEG quality 75 (the page's), played in real time at the client rate and looped. Keypoints: the bare MediaPipe run's
own detections on those same frames (33 landmarks in the 480 px frame's pixels), so both modes replay one clip.

One real server (`mlpipe serve --host 127.0.0.1 --port <free>` in a child process, results and database in a temporary
folder) is started, and always stopped by its pid. Every client stops by itself after its duration; a global timeout
(SIGALRM) ends the run; the JSON of results goes to `--out` (default: a new temporary file).

    .venv/bin/python bench/serve_load.py                                   # the load table, 15 s per (mode, clients)
    .venv/bin/python bench/serve_load.py --duration 5 --clients 1 --modes keypoints   # a quick look
    .venv/bin/python bench/serve_load.py --duration 8 --modes frames --pacing page    # clients paced as the page is
    .venv/bin/python bench/serve_load.py --soak 600 --soak-clients 2 --soak-mode frames  # the 10-minute soak
"""
import argparse, asyncio, json, math, os, shutil, signal, socket, struct, subprocess, sys, tempfile, time
from pathlib import Path
import numpy as np, pandas as pd, cv2

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path: sys.path.insert(0, str(ROOT))      # the mlpipe of this checkout, here and in the server

import httpx, psutil
import websockets
from websockets.asyncio.client import connect
from mlpipe.core import shared_data
from mlpipe.detect import MediaPipeDetector
from mlpipe.frames import iter_frames


class BenchTimeout(Exception):
    "The global time limit of the run passed."


# ---------------------------------------------------------------- frames and keypoints of the clip
def clip_pass(path:Path, fps:float, max_side:int, quality:int) -> tuple[list, float]:
    "One pass of the clip sampled at the client rate: JPEG bytes, downscaled like the page does; and the clip's length (s)."
    frames = [(t, img) for _, t, img in iter_frames(path)]
    length = frames[-1][0] + (frames[1][0] - frames[0][0])
    out = []
    for k in range(int(math.floor(length * fps))):                 # the frame showing at time k / fps
        i = min(len(frames) - 1, int(np.searchsorted([t for t, _ in frames], k / fps, side='right')) - 1)
        img = frames[max(i, 0)][1]
        s = min(1.0, max_side / max(img.shape[:2]))
        small = cv2.resize(img, (round(img.shape[1] * s), round(img.shape[0] * s)), interpolation=cv2.INTER_AREA)
        ok, jpg = cv2.imencode('.jpg', small, [cv2.IMWRITE_JPEG_QUALITY, quality])
        out.append(jpg.tobytes())
    return out, length


def bare_mediapipe(jpegs:list) -> tuple[np.ndarray, list]:
    "Per-frame time (ms) of a fresh MediaPipeDetector on the decoded frames (first frame left out: model start) and the poses."
    frames = [cv2.imdecode(np.frombuffer(j, np.uint8), cv2.IMREAD_COLOR) for j in jpegs]
    det = MediaPipeDetector()
    times, poses = [], []
    for img in frames:
        t0 = time.perf_counter()
        found = det.detect(img)
        times.append(1000 * (time.perf_counter() - t0))
        poses.append((found[0].keypoints[:, :2], found[0].confidence) if found else None)
    det.close()
    return np.array(times[1:]), poses


def pose_bodies(poses:list) -> list:
    "The JSON of each pose message without its time: '<rest>' of '{\"type\": \"pose\", \"t\": T, <rest>'."
    out = []
    for p in poses:
        if p is None: kp, conf = [None] * 33, None
        else: kp, conf = [[round(float(x), 2), round(float(y), 2)] for x, y in p[0]], [round(float(c), 3) for c in p[1]]
        out.append(json.dumps({'keypoints': kp, 'confidence': conf})[1:])
    return out


# ---------------------------------------------------------------- the server
def free_port() -> int:
    with socket.socket() as s: s.bind(('127.0.0.1', 0)); return s.getsockname()[1]


def start_server(port:int, work:Path, backend:str, workers:int, detect_slots:int|None=None, segment_nice:int|None=None,
                 keep_detectors:int|None=None, malloc_arenas:int|None=None) -> subprocess.Popen:
    "`mlpipe serve` (the CLI's own entry point) in a child process; output in work/server.log; waits for /health."
    env = os.environ | {'PYTHONPATH': os.pathsep.join([str(ROOT)] + [p for p in os.environ.get('PYTHONPATH', '').split(os.pathsep) if p])}
    log = open(work / 'server.log', 'w')
    proc = subprocess.Popen([sys.executable, '-c', 'import sys; from mlpipe.cli import main; sys.exit(main())', 'serve',
                             '--host', '127.0.0.1', '--port', str(port), '--backend', backend, '--workers', str(workers),
                             '--results-dir', str(work / 'live'), '--db', str(work / 'results.sqlite')]
                            + ([] if detect_slots is None else ['--detect-slots', str(detect_slots)])
                            + ([] if segment_nice is None else ['--segment-nice', str(segment_nice)])
                            + ([] if keep_detectors is None else ['--keep-detectors', str(keep_detectors)])
                            + ([] if malloc_arenas is None else ['--malloc-arenas', str(malloc_arenas)]),
                            stdout=log, stderr=subprocess.STDOUT, cwd=work, env=env)
    log.close()
    t_end = time.monotonic() + 60
    while time.monotonic() < t_end:
        if proc.poll() is not None: raise RuntimeError(f'the server exited ({proc.returncode}): {(work / "server.log").read_text()[-2000:]}')
        try:
            if httpx.get(f'http://127.0.0.1:{port}/health', timeout=1).status_code == 200: return proc
        except httpx.HTTPError: pass
        time.sleep(0.2)
    stop_server(proc)
    raise RuntimeError('the server did not answer /health within 60 s')


def stop_server(proc:subprocess.Popen) -> None:
    "SIGINT to the server's pid (uvicorn shuts down), SIGKILL after 10 s."
    if proc.poll() is not None: return
    try: os.kill(proc.pid, signal.SIGINT)
    except ProcessLookupError: return
    try: proc.wait(10)
    except subprocess.TimeoutExpired:
        os.kill(proc.pid, signal.SIGKILL); proc.wait(10)


def scrape(base:str) -> dict:
    "GET /metrics as {(sample name, sorted labels): value}."
    from prometheus_client.parser import text_string_to_metric_families
    text = httpx.get(f'{base}/metrics', timeout=10).text
    return {(s.name, tuple(sorted(s.labels.items()))): s.value for fam in text_string_to_metric_families(text) for s in fam.samples}


def metric_delta(a:dict, b:dict, name:str, **labels) -> float:
    key = (name, tuple(sorted(labels.items())))
    return b.get(key, 0.0) - a.get(key, 0.0)


async def wait_idle(base:str, timeout:float=180) -> float:
    "Wait until the server has no live session (previous sessions analysed and stored); the seconds waited."
    t0 = time.monotonic()
    async with httpx.AsyncClient() as c:
        while time.monotonic() - t0 < timeout:
            if (await c.get(f'{base}/health', timeout=5)).json()['live_sessions'] == 0: return time.monotonic() - t0
            await asyncio.sleep(0.25)
    raise BenchTimeout(f'the server still had live sessions after {timeout} s')


def rss_mib(pid:int) -> float:
    return psutil.Process(pid).memory_info().rss / 2**20


# ---------------------------------------------------------------- one client
async def run_client(port:int, mode:str, fps:float, duration:float, jpegs:list, bodies:list, offset:int,
                     drain_s:float, finish_timeout:float, rss_pid:int|None=None, warm_replies:int=10,
                     paced:bool=False) -> dict:
    """One WebSocket session: send at `fps` for `duration` s, then stop; per-reply latency (ms) matched by timestamp.
    `paced`: behave as the page does (`mlpipe.serve_page`): a timer ticks at `fps` and a frame is sent on a tick only when
    no frame is in flight (awaiting its reply); a tick that finds one in flight is skipped (counted), nothing is sent
    after the duration. Otherwise open loop: every tick sends, whatever the replies."""
    url = f'ws://127.0.0.1:{port}/ws?mode={mode}&fps={fps:g}'
    r = {'mode': mode, 'sent': 0, 'replied': 0, 'errors': 0, 'reps': 0, 'server_dropped': 0, 'lat_ms': [], 'server_ms': [],
         'first_error': None, 'summary': None, 'connect_s': None, 'finish_s': None, 'first_send': None, 'last_reply': None,
         'extra_sent': 0, 'extra_replied': 0, 'newest_reply_t': -1.0, 'opened': time.perf_counter(), 'rss_warm': None,
         'parts_ms': [], 'skipped': 0, 'paced': paced}
    in_flight = [None]                                             # paced: timestamp of the frame awaiting its reply
    t_last = [math.inf]                                            # timestamp of the last measured frame, once known
    sent_at = {}
    t_conn = time.perf_counter()
    async with connect(url, origin=f'http://127.0.0.1:{port}', max_size=2**24, open_timeout=120, close_timeout=5) as ws:
        ready = json.loads(await asyncio.wait_for(ws.recv(), 120))
        if ready.get('type') != 'ready': raise RuntimeError(f'the server refused the session: {ready}')
        r['connect_s'] = time.perf_counter() - t_conn
        done = asyncio.Event()

        async def receive():
            async for raw in ws:
                m = json.loads(raw)
                now = time.perf_counter()
                if m['type'] == 'pose':
                    r['newest_reply_t'] = max(r['newest_reply_t'], m['t'])
                    if in_flight[0] is not None and m['t'] >= in_flight[0]: in_flight[0] = None
                    t0 = sent_at.pop(m['t'], None)
                    if m['t'] > t_last[0]: r['extra_replied'] += 1     # a frame sent while draining: not measured
                    elif t0 is not None:
                        r['lat_ms'].append(1000 * (now - t0)); r['server_ms'].append(m['server_ms'])
                        st = m.get('stages_ms') or {}
                        r['parts_ms'].append([1000 * (now - t0), m.get('wait_ms', np.nan), st.get('decode', np.nan),
                                              st.get('pose', np.nan), st.get('analysis', np.nan), m['server_ms']])
                        r['replied'] += 1; r['last_reply'] = now
                        if rss_pid is not None and r['replied'] == warm_replies: r['rss_warm'] = rss_mib(rss_pid)
                    r['server_dropped'] = m['dropped']; r['reps'] = m['reps']
                elif m['type'] == 'reps': r['reps'] = m['reps']
                elif m['type'] == 'error':
                    in_flight[0] = None                            # the page, too, counts an error as the answer
                    r['errors'] += 1; r['first_error'] = r['first_error'] or m['message']
                elif m['type'] == 'summary':
                    r['summary'] = {k: m.get(k) for k in ('session_id', 'reps', 'frames', 'warnings', 'error', 'live')}
                    if m.get('error'): r['first_error'] = r['first_error'] or f"session summary: {m['error']}"
                    done.set(); return
        rx = asyncio.create_task(receive())
        start = time.perf_counter()
        r['first_send'] = start
        k = 0
        try:
            while (due := start + k / fps) < start + duration:    # open loop: the rate never waits for replies
                await asyncio.sleep(max(0.0, due - time.perf_counter()))
                if rx.done(): break                                # the server closed the socket
                if paced and in_flight[0] is not None:             # the page skips a tick while a frame is in flight
                    r['skipped'] += 1; k += 1
                    continue
                t = k / fps                                        # the frame's timestamp, echoed in the reply
                i = (offset + k) % len(jpegs)
                msg = struct.pack('<d', t) + jpegs[i] if mode == 'frames' else '{"type": "pose", "t": ' + repr(t) + ', ' + bodies[i]
                sent_at[t] = time.perf_counter()
                try: await ws.send(msg)
                except websockets.ConnectionClosed: break          # recorded below: closed without a summary
                r['sent'] += 1; k += 1
                if paced: in_flight[0] = t
            # Drain: the camera goes on (frames sent at the same rate, not measured) until a reply for the last measured
            # frame or a later one came back: every measured frame is then answered or dropped (latest frame wins), and
            # the last measured frames waited as long as any other (with nothing sent after them, a server would have
            # nothing newer to take instead, and they would wait for every other session's turn).
            t_last[0] = (k - 1) / fps if not paced else max(sent_at, default=r['newest_reply_t'])
            t_drain = time.perf_counter()
            while time.perf_counter() - t_drain < drain_s and r['newest_reply_t'] < t_last[0] and not rx.done():
                if paced:                                          # the page sends nothing more: wait for the reply
                    await asyncio.sleep(0.005)
                    continue
                await asyncio.sleep(max(0.0, start + k / fps - time.perf_counter()))
                i = (offset + k) % len(jpegs)
                t = k / fps
                msg = struct.pack('<d', t) + jpegs[i] if mode == 'frames' else '{"type": "pose", "t": ' + repr(t) + ', ' + bodies[i]
                try: await ws.send(msg)
                except websockets.ConnectionClosed: break
                r['extra_sent'] += 1; k += 1
            t_stop = time.perf_counter()
            try: await ws.send(json.dumps({'type': 'stop'}))
            except websockets.ConnectionClosed: pass
            waiter = asyncio.create_task(done.wait())               # the summary, or the server closing the socket
            await asyncio.wait({waiter, rx}, timeout=finish_timeout, return_when=asyncio.FIRST_COMPLETED)
            waiter.cancel()
            if done.is_set(): r['finish_s'] = time.perf_counter() - t_stop
            elif rx.done():
                why = rx.exception() if not rx.cancelled() else None
                r['first_error'] = r['first_error'] or f'the server closed the socket without a summary ({why or ws.close_code})'
            else: r['first_error'] = r['first_error'] or f'no summary within {finish_timeout} s'
        finally:
            rx.cancel()
            try: await rx
            except (asyncio.CancelledError, websockets.ConnectionClosed): pass
    return r


def q(v, p):
    return float(np.percentile(v, p)) if len(v) else float('nan')


PARTS = ('wait', 'decode', 'pose', 'analysis', 'outside')

def tail_parts(clients:list, p:float=95) -> dict:
    """What a reply's latency is made of, per frame: the server's wait for a detection slot, decode, pose, analysis (from the
    reply's own `wait_ms` and `stages_ms`), and the rest, outside those stages (socket, event loop, JSON, the client).
    Means over the replies at or above the p-th latency percentile ('tail') and over those between p45 and p55 ('median')."""
    a = np.concatenate([np.array(c['parts_ms'], float).reshape(-1, 6) for c in clients]) if clients else np.zeros((0, 6))
    if len(a) < 20: return {}
    lat = a[:, 0]
    parts = np.column_stack([a[:, 1:5], lat - a[:, 1] - a[:, 5]])
    tail = lat >= np.percentile(lat, p)
    mid = (lat >= np.percentile(lat, 45)) & (lat <= np.percentile(lat, 55))
    out = {}
    for name, sel in (('tail', tail), ('median', mid)):
        out[name] = {'n': int(sel.sum()), 'latency': float(lat[sel].mean())} | {k: float(np.nanmean(parts[sel, i])) for i, k in enumerate(PARTS)}
    return out


def summarize(mode:str, n:int, clients:list, m0:dict, m1:dict, rss0:float, rss1:float) -> dict:
    "One row of the table: latency percentiles, throughput, drops (client and server side), server stage means."
    lat = np.concatenate([np.array(c['lat_ms'], float) for c in clients]) if clients else np.array([])
    sent, replied = sum(c['sent'] for c in clients), sum(c['replied'] for c in clients)
    firsts, lasts = [c['first_send'] for c in clients if c['first_send']], [c['last_reply'] for c in clients if c['last_reply']]
    wall = max(lasts) - min(firsts) if firsts and lasts else float('nan')
    kind = 'frame' if mode == 'frames' else 'keypoints'
    recv = metric_delta(m0, m1, 'mlpipe_frames_received_total', kind=kind)
    drop = metric_delta(m0, m1, 'mlpipe_frames_dropped_total')
    stage = {}
    for s in ('wait', 'decode', 'pose', 'analysis', 'total'):
        cnt = metric_delta(m0, m1, 'mlpipe_stage_seconds_count', stage=s)
        stage[f'{s} ms'] = 1000 * metric_delta(m0, m1, 'mlpipe_stage_seconds_sum', stage=s) / cnt if cnt else float('nan')
    skipped = sum(c.get('skipped', 0) for c in clients)
    return {'mode': mode, 'clients': n, 'pacing': 'page' if any(c.get('paced') for c in clients) else 'open',
            'sent': sent, 'replied': replied,
            'ticks skipped %': 100 * skipped / (sent + skipped) if sent + skipped else float('nan'),
            'p50 ms': q(lat, 50), 'p95 ms': q(lat, 95), 'max ms': float(lat.max()) if len(lat) else float('nan'),
            'replies/s': replied / wall if wall == wall and wall > 0 else float('nan'),
            'drop % (sent-replied)': 100 * (sent - replied) / sent if sent else float('nan'),
            'drop % (server counter)': 100 * drop / recv if recv else float('nan'),
            'server received': int(recv), 'server dropped': int(drop), 'errors': sum(c['errors'] for c in clients),
            **{f'server {k}': v for k, v in stage.items()},
            'connect s (max)': max((c['connect_s'] or 0) for c in clients) if clients else float('nan'),
            'finish s (max)': max([c['finish_s'] for c in clients if c['finish_s'] is not None], default=float('nan')),
            'reps (per client)': [c['reps'] for c in clients], 'rss MiB before': rss0, 'rss MiB after': rss1,
            'client errors': [c['first_error'] for c in clients if c['first_error']], 'parts': tail_parts(clients)}


async def run_phase(base:str, port:int, pid:int, mode:str, n:int, a, jpegs:list, bodies:list) -> dict:
    await wait_idle(base)
    print(f'  {mode:9s} x{n}: {a.duration:g} s at {a.fps:g} fps per client...', flush=True)
    m0, rss0 = scrape(base), rss_mib(pid)
    tasks = [run_client(port, mode, a.fps, a.duration, jpegs, bodies, (i * len(jpegs)) // max(n, 1), a.drain, a.finish_timeout,
                        paced=a.pacing == 'page') for i in range(n)]                                   # clients start at different places of the clip
    got = await asyncio.gather(*tasks, return_exceptions=True)
    clients = [g for g in got if isinstance(g, dict)]
    failed = [f'{type(g).__name__}: {g}' for g in got if not isinstance(g, dict)]
    await wait_idle(base)
    row = summarize(mode, n, clients, m0, scrape(base), rss0, rss_mib(pid))
    row['client errors'] += failed
    row['failed clients'] = len(failed)
    print(f"  {mode:9s} x{n}: p50 {row['p50 ms']:.0f} ms, p95 {row['p95 ms']:.0f} ms, {row['replies/s']:.1f} replies/s, "
          f"drops {row['drop % (sent-replied)']:.0f} % (server {row['drop % (server counter)']:.0f} %), load {os.getloadavg()[0]:.1f}"
          + (f', failures: {row["client errors"]}' if row['client errors'] else ''), flush=True)
    return row


# ---------------------------------------------------------------- soak
async def soak_client(port:int, a, jpegs:list, bodies:list, offset:int, t_end:float, out:list) -> None:
    "Sessions of `session_s` back to back until t_end (one session when session_s is 0)."
    while (left := t_end - time.perf_counter()) > 1:
        d = left if a.session_s <= 0 else min(left, a.session_s)
        try: out.append(await run_client(port, a.soak_mode, a.fps, d, jpegs, bodies, offset, a.drain, a.finish_timeout,
                                         a.server_pid, a.warm_replies))
        except Exception as e: out.append({'failed': f'{type(e).__name__}: {e}'}); await asyncio.sleep(1)


def flatness(sessions:list, skip:int=2, tol_pct:float=3.0, tol_slope:float=0.5) -> dict:
    """Server RSS sampled in each session at its `--warm-replies`-th reply (the session's detector taken and warmed), in
    the order the sessions opened, from session skip+1 on (the first ones import, load the first models, make the first
    report): the slope of a line through them (MiB per session) and the median of the last third against the median of
    the first three. FLAT when the drift is within tol_pct % and the slope at most tol_slope MiB per session: a leak of a
    few MiB per session (what a MediaPipe graph made and closed per session left, about 6) fails both; 0.5 MiB per
    session is under 2 % over a 20-session soak."""
    pts = sorted((s['opened'], s['rss_warm']) for s in sessions if s.get('rss_warm') is not None)
    y = np.array([v for _, v in pts], float)[skip:]
    if len(y) < 6: return {'verdict': f'too few sessions with a warm-up sample ({len(y)} after the first {skip}; 6 needed)', 'n': len(y)}
    slope = float(np.polyfit(np.arange(len(y)), y, 1)[0])
    first, last = float(np.median(y[:3])), float(np.median(y[-max(3, len(y) // 3):]))
    drift = 100 * (last - first) / first
    flat = abs(drift) <= tol_pct and slope <= tol_slope
    return {'verdict': 'FLAT' if flat else 'GROWING', 'n': len(y), 'skip': skip, 'first3 MiB': first, 'last third MiB': last,
            'drift %': drift, 'slope MiB/session': slope, 'tol %': tol_pct, 'tol slope': tol_slope,
            'series MiB': [round(v, 1) for v in y]}


async def soak(base:str, port:int, pid:int, a, jpegs:list, bodies:list) -> dict:
    await wait_idle(base)
    m0 = scrape(base)
    samples, sessions = [], []
    t0 = time.perf_counter()
    t_end = t0 + a.soak

    async def sampler():
        while True:
            samples.append((time.perf_counter() - t0, rss_mib(pid)))
            print(f'  soak {samples[-1][0]:6.0f} s: server RSS {samples[-1][1]:.1f} MiB, load {os.getloadavg()[0]:.1f}', flush=True)
            await asyncio.sleep(a.sample_s)
    smp = asyncio.create_task(sampler())
    try:
        await asyncio.gather(*[soak_client(port, a, jpegs, bodies, (i * len(jpegs)) // a.soak_clients, t_end, sessions)
                               for i in range(a.soak_clients)])
    finally: smp.cancel()
    await wait_idle(base)
    after = rss_mib(pid)
    ok = [s for s in sessions if 'failed' not in s]
    t, rss = np.array([s[0] for s in samples]), np.array([s[1] for s in samples])
    slope = float(np.polyfit(t / 60, rss, 1)[0]) if len(t) >= 3 else float('nan')
    half = t >= t[-1] / 2 if len(t) else t
    slope2 = float(np.polyfit(t[half] / 60, rss[half], 1)[0]) if half.sum() >= 3 else float('nan')
    lat = np.concatenate([np.array(s['lat_ms'], float) for s in ok]) if ok else np.array([])
    sent, replied = sum(s['sent'] for s in ok), sum(s['replied'] for s in ok)
    m1 = scrape(base)
    res = {'seconds': a.soak, 'clients': a.soak_clients, 'mode': a.soak_mode, 'session_s': a.session_s, 'sessions': len(ok),
           'failed sessions': [s['failed'] for s in sessions if 'failed' in s],
           'rss_series': [[round(x, 1), round(y, 2)] for x, y in samples], 'rss first MiB': float(rss[0]) if len(rss) else None,
           'rss last MiB': float(rss[-1]) if len(rss) else None, 'rss max MiB': float(rss.max()) if len(rss) else None,
           'rss after sessions ended MiB': after, 'slope MiB/min': slope, 'slope second half MiB/min': slope2,
           'sent': sent, 'replied': replied, 'p50 ms': q(lat, 50), 'p95 ms': q(lat, 95),
           'drop % (sent-replied)': 100 * (sent - replied) / sent if sent else None,
           'server dropped': int(metric_delta(m0, m1, 'mlpipe_frames_dropped_total')), 'errors': sum(s['errors'] for s in ok),
           'flatness': flatness(ok)}
    return res


# ---------------------------------------------------------------- main
def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--clients', type=int, nargs='+', default=[1, 2, 4, 8], help='numbers of concurrent clients (default 1 2 4 8)')
    p.add_argument('--modes', nargs='+', choices=['keypoints', 'frames'], default=['keypoints', 'frames'])
    p.add_argument('--duration', type=float, default=15.0, help='seconds each client sends (default 15)')
    p.add_argument('--fps', type=float, default=15.0, help='messages per second of each client (default 15, the page)')
    p.add_argument('--pacing', choices=['open', 'page'], default='open', help="load table: 'open' sends every tick whatever the replies (default); 'page' sends a tick only with no frame in flight, as the page does")
    p.add_argument('--max-side', type=int, default=480, help='longest side of the frames sent (default 480, the page)')
    p.add_argument('--jpeg-quality', type=int, default=75, help='JPEG quality (default 75, the page)')
    p.add_argument('--backend', choices=['mediapipe'], default='mediapipe', help='server backend (the bare reference is MediaPipe)')
    p.add_argument('--workers', type=int, default=2, help='server detection threads (default 2, the server default)')
    p.add_argument('--detect-slots', type=int, default=None, help='server: detections at once over all sessions (default: its own, the CPU cores)')
    p.add_argument('--segment-nice', type=int, default=None, help="server: the segmentations' lower priority (default: its own, 10)")
    p.add_argument('--keep-detectors', type=int, default=None, help='server: idle detectors kept for the next sessions (default: its own, 2; 0: one detector made and closed per session)')
    p.add_argument('--drain', type=float, default=5.0, help='seconds at most a client goes on sending (unmeasured) after its duration, until its last measured frame is answered or dropped (default 5)')
    p.add_argument('--finish-timeout', type=float, default=180.0, help='seconds a client waits for the session summary')
    p.add_argument('--soak', type=float, default=None, metavar='SECONDS', help='run the soak for this long instead of the load table')
    p.add_argument('--soak-clients', type=int, default=2)
    p.add_argument('--soak-mode', choices=['keypoints', 'frames'], default='frames')
    p.add_argument('--session-s', type=float, default=60.0, help='soak: each client reconnects after this many seconds (0: one session)')
    p.add_argument('--sample-s', type=float, default=5.0, help='soak: RSS sampling period (default 5 s)')
    p.add_argument('--malloc-arenas', type=int, default=None, help="server: glibc malloc arenas at most (default: its own, 2; 0: glibc's default)")
    p.add_argument('--warm-replies', type=int, default=10, help="soak: a session's RSS sample is taken at this reply (default 10: its detector made and warm)")
    p.add_argument('--timeout', type=float, default=None, help='global limit in seconds (default: from the plan)')
    p.add_argument('--out', type=Path, default=None, help='JSON of results (default: a new temporary file)')
    a = p.parse_args(argv)
    if a.duration <= 0 or a.fps <= 0 or min(a.clients) < 1: p.error('duration, fps and clients must be > 0')
    if max(a.clients) > 8 or a.soak_clients > 8: p.error('the server takes at most 8 live sessions (ServeConfig.max_sessions)')
    return a


async def bench(a, port:int, pid:int, jpegs:list, bodies:list) -> dict:
    base = f'http://127.0.0.1:{port}'
    if a.soak is not None:
        return {'soak': await soak(base, port, pid, a, jpegs, bodies)}
    rows = []
    for mode in a.modes:
        for n in a.clients: rows.append(await run_phase(base, port, pid, mode, n, a, jpegs, bodies))
    return {'load': rows}


def main(argv=None) -> int:
    a = parse_args(argv)
    clip = shared_data('sports2d', 'demo.mp4')
    if clip is None: print('serve_load: sports2d/demo.mp4 is not in the shared data; nothing to measure'); return 1
    phases = 1 if a.soak is not None else len(a.modes) * len(a.clients)
    limit = a.timeout or (a.soak + 2 * a.finish_timeout + 600 if a.soak is not None else phases * (a.duration + a.drain + 120) + 300)
    def alarm(*_): raise BenchTimeout(f'the run passed its global limit of {limit:.0f} s')
    def term(*_): raise BenchTimeout('stopped by SIGTERM')            # the finally below still stops the server
    signal.signal(signal.SIGALRM, alarm); signal.alarm(int(math.ceil(limit)))
    signal.signal(signal.SIGTERM, term)
    out = a.out or Path(tempfile.mkstemp(prefix='mlpipe-serve-load-', suffix='.json')[1])
    work = Path(tempfile.mkdtemp(prefix='mlpipe-serve-load-'))
    proc = None
    t_start = time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())
    print(f'serve_load: {t_start}, load {os.getloadavg()}, {os.cpu_count()} CPUs, limit {limit:.0f} s', flush=True)
    try:
        jpegs, length = clip_pass(clip, a.fps, a.max_side, a.jpeg_quality)
        h, w = cv2.imdecode(np.frombuffer(jpegs[0], np.uint8), cv2.IMREAD_COLOR).shape[:2]
        print(f'clip: {clip.name} {length:.2f} s -> {len(jpegs)} frames at {a.fps:g} fps, {w}x{h} JPEG q{a.jpeg_quality}, '
              f'{np.mean([len(j) for j in jpegs]) / 1024:.1f} KiB mean', flush=True)
        bare_before, poses = bare_mediapipe(jpegs)                # keypoint mode replays these detections
        bodies = pose_bodies(poses)
        print(f'bare MediaPipe (before): median {np.median(bare_before):.1f} ms, p95 {q(bare_before, 95):.1f} ms per frame, '
              f'person found in {sum(p is not None for p in poses)}/{len(poses)} frames', flush=True)
        port = free_port()
        proc = start_server(port, work, a.backend, a.workers, a.detect_slots, a.segment_nice, a.keep_detectors, a.malloc_arenas)
        a.server_pid = proc.pid
        print(f'server: pid {proc.pid} on 127.0.0.1:{port}, RSS {rss_mib(proc.pid):.1f} MiB', flush=True)
        res = asyncio.run(bench(a, port, proc.pid, jpegs, bodies))
        bare_after = bare_mediapipe(jpegs)[0] if a.soak is None else np.array([])
    except BaseException:
        log = work / 'server.log'
        if log.exists(): print(f'server log ({log}):\n' + log.read_text()[-3000:], file=sys.stderr)
        raise
    finally:
        if proc is not None: stop_server(proc)
        signal.alarm(0)
    bare = np.concatenate([bare_before, bare_after])
    result = {'started': t_start, 'args': {k: str(v) if isinstance(v, Path) else v for k, v in vars(a).items()},
              'cpus': os.cpu_count(), 'loadavg_end': os.getloadavg(), 'clip': str(clip), 'frames_per_pass': len(jpegs), 'frame_size': [w, h],
              'bare_mediapipe_ms': {'median': float(np.median(bare)), 'p95': q(bare, 95), 'n': len(bare),
                                    'before_median': float(np.median(bare_before)), 'after_median': float(np.median(bare_after)) if len(bare_after) else None},
              'server_rc': proc.returncode if proc else None} | res
    if 'load' in res:
        df = pd.DataFrame(res['load'])
        med, p95b = float(np.median(bare)), q(bare, 95)
        fr = df['mode'] == 'frames'
        df['p50/bare p50'] = np.where(fr, df['p50 ms'] / med, np.nan)       # frame mode against bare MediaPipe of this run
        df['p95/bare p95'] = np.where(fr, df['p95 ms'] / p95b, np.nan)
        result['load'] = df.to_dict('records')
        cols = ['mode', 'clients', 'pacing', 'ticks skipped %', 'sent', 'replied', 'p50 ms', 'p95 ms', 'p50/bare p50', 'p95/bare p95', 'replies/s', 'drop % (sent-replied)',
                'drop % (server counter)', 'errors', 'server wait ms', 'server decode ms', 'server pose ms', 'server analysis ms', 'server total ms',
                'rss MiB after']
        print('\n' + df[cols].round({c: (2 if '/bare' in c else 1) for c in cols[1:]}).to_string(index=False))
        one = df[(df['mode'] == 'frames') & (df['clients'] == 1)]
        if len(one):
            p95 = float(one['p95 ms'].iloc[0])
            p50 = float(one['p50 ms'].iloc[0])
            result['ratio'] = {'frames_p95_1_client_ms': p95, 'frames_p50_1_client_ms': p50, 'p50_over_bare_p50': p50 / med,
                               'p95_over_bare_p95': p95 / p95b, 'p95_over_bare_median': p95 / med}
            print(f"\nbare MediaPipe per frame (same {w}x{h} frames, {len(bare)} timed, before and after the load): "
                  f'median {np.median(bare):.1f} ms, p95 {q(bare, 95):.1f} ms')
            tp = one['parts'].iloc[0]
            for name in ('median', 'tail'):
                if name in tp:
                    d = tp[name]
                    print(f"1 frame client, {'replies at or above p95' if name == 'tail' else 'replies around p50'} (n={d['n']}): "
                          f"{d['latency']:.1f} ms = " + ' + '.join(f'{k} {d[k]:.1f}' for k in PARTS))
            print(f"frame mode, 1 client ({a.pacing} pacing): p50 {p50:.1f} ms = {result['ratio']['p50_over_bare_p50']:.2f}x the bare p50; "
                  f"p95 {p95:.1f} ms = {result['ratio']['p95_over_bare_p95']:.2f}x the bare p95 (goal: at most 1.3x), "
                  f"{result['ratio']['p95_over_bare_median']:.2f}x the bare median; load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if 'soak' in res:
        s = res['soak']
        print(f"\nsoak: {s['clients']} {s['mode']} clients, {s['seconds']:.0f} s, {s['sessions']} sessions, "
              f"p50 {s['p50 ms']:.0f} ms, p95 {s['p95 ms']:.0f} ms, drops {s['drop % (sent-replied)'] or 0:.0f} %, errors {s['errors']}")
        print('RSS series (s, MiB): ' + ', '.join(f'{t:.0f}:{v:.1f}' for t, v in s['rss_series']))
        print(f"RSS first {s['rss first MiB']:.1f} MiB, last {s['rss last MiB']:.1f} MiB, max {s['rss max MiB']:.1f} MiB, "
              f"after the sessions ended {s['rss after sessions ended MiB']:.1f} MiB; slope {s['slope MiB/min']:.2f} MiB/min "
              f"(second half {s['slope second half MiB/min']:.2f} MiB/min)")
        f = s['flatness']
        if 'slope MiB/session' in f:
            print(f"soak flatness: {f['verdict']}: server RSS at each session's warm-up, sessions {f['skip'] + 1}..{f['skip'] + f['n']}: "
                  f"first three {f['first3 MiB']:.1f} MiB, last third {f['last third MiB']:.1f} MiB ({f['drift %']:+.1f} %, limit {f['tol %']:g} %), "
                  f"slope {f['slope MiB/session']:+.2f} MiB/session (limit {f['tol slope']:g}); series {f['series MiB']}")
        else: print(f"soak flatness: {f['verdict']}")
        if s['failed sessions']: print(f"failed sessions: {s['failed sessions']}")
    failed = sum(r.get('failed clients', 0) for r in res.get('load', [])) + len(res.get('soak', {}).get('failed sessions', []))
    log = (work / 'server.log').read_text() if (work / 'server.log').exists() else ''
    result['server_log_tail'] = log[-4000:]
    out.write_text(json.dumps(result, indent=1, default=float))
    print(f'\nresults: {out}')
    if failed: print(f'{failed} client session(s) failed; the server log ({work / "server.log"}) ends with:\n{log[-3000:]}')
    else: shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == '__main__': sys.exit(main())

"""`mlpipe analyze` on a real clip: wall time of the whole job against the sum of its stages run directly, and where
the time goes (a table by stage). Also the command line's wall time, which adds Python start-up and imports.

    .venv/bin/python bench/analyze.py
"""
import time, tempfile, subprocess, sys
from pathlib import Path
import pandas as pd
from mlpipe.core import shared_data

def main():
    clip = shared_data('pose2sim_balancing', 'videos', 'cam01.mp4')
    if clip is None: return
    from mlpipe.detect import MediaPipeDetector, detect_video
    from mlpipe.frames import video_info
    from mlpipe.analysis import clean_pose, rate_pose
    from mlpipe import angles as ang, reps as rp, dtw
    from mlpipe.pipeline import choose_signal, rep_features as _rep_features, _first_good, analyze_sequence
    from mlpipe.outputs import write_results
    from mlpipe.cli import run_analyze
    work = Path(tempfile.mkdtemp())
    run_analyze(clip, out=work / 'warm', db=work / 'w.sqlite', progress=False)            # imports, model load
    # the stages, run directly
    T = {}
    t = time.perf_counter(); video_info(clip); T['check input'] = time.perf_counter() - t
    t = time.perf_counter()
    with MediaPipeDetector() as det: pose = detect_video(clip, det, progress=False)[0]
    T['detect (MediaPipe)'] = time.perf_counter() - t
    t = time.perf_counter(); clean = clean_pose(pose); T['clean'] = time.perf_counter() - t
    t = time.perf_counter(); A = ang.joint_angles(clean); T['angles'] = time.perf_counter() - t
    t = time.perf_counter(); sig, feats = choose_signal(A); R = rp.segment_reps(A[sig], pose.fps); M = rp.rep_metrics(A[sig], R, pose.fps) if len(R) else None; T['reps'] = time.perf_counter() - t
    t = time.perf_counter()
    if len(R):
        segs = _rep_features(A, feats, R); dtw.flag_anomalies(segs, segs[_first_good(M)], names=feats)
    T['dtw'] = time.perf_counter() - t
    t = time.perf_counter(); rate_pose(pose, A); T['quality'] = time.perf_counter() - t
    a = analyze_sequence(pose, 'auto')
    t = time.perf_counter(); write_results(a, work / 'direct', db=work / 'd.sqlite'); T['write files, report, database'] = time.perf_counter() - t
    stages = sum(T.values())
    t = time.perf_counter(); run_analyze(clip, out=work / 'job', db=work / 'j.sqlite', progress=False); job = time.perf_counter() - t
    t = time.perf_counter()
    subprocess.run([str(Path(sys.executable).with_name('mlpipe')), 'analyze', str(clip), '--out', str(work / 'cli'), '--db', str(work / 'c.sqlite')], capture_output=True, check=True)
    cli = time.perf_counter() - t
    df = pd.DataFrame({'seconds': T}).assign(share=lambda d: d.seconds / d.seconds.sum())
    print(f'{clip.name}: {pose.n_frames} frames, 1080x1920')
    print(df.round(3).to_string())
    print(f'\nsum of stages run directly {stages:.2f} s; run_analyze (the job) {job:.2f} s; ratio {job / stages:.2f}')
    print(f'`mlpipe analyze` from the shell (with Python start-up and imports): {cli:.2f} s')

if __name__ == '__main__': main()

"""Pose detection speed on this CPU: frames per second of each backend on the real clips, mlpipe's overhead against
calling the backend in a bare loop on the same decoded frames (same run), YOLO batched vs one frame at a time,
PyTorch vs ONNX Runtime, and 4 concurrent streams vs sequential.

    .venv/bin/python bench/detect.py
"""
import time, shutil, tempfile
from pathlib import Path
import numpy as np, pandas as pd, cv2
from mlpipe.core import shared_data, import_ultralytics
from mlpipe.detect import MediaPipeDetector, YoloPoseDetector, detect_video, detect_videos, bundled_yolo_weights

def frames_of(path, n):
    cap = cv2.VideoCapture(str(path)); out = []
    while len(out) < n:
        ok, f = cap.read()
        if not ok: break
        out.append(f)
    cap.release(); return out

def timed(fn):
    t = time.perf_counter(); r = fn(); return time.perf_counter() - t, r

def main():
    clips = {'cam01 1080x1920 portrait': shared_data('pose2sim_balancing', 'videos', 'cam01.mp4'), 'sports2d 1768x994': shared_data('sports2d', 'demo.mp4')}
    clips = {k: v for k, v in clips.items() if v}
    import mediapipe as mp
    import_ultralytics(); from ultralytics import YOLO
    onnx_dir = Path(tempfile.mkdtemp()); shutil.copy(bundled_yolo_weights(), onnx_dir / 'yolo11n-pose.pt')
    onnx = YOLO(str(onnx_dir / 'yolo11n-pose.pt')).export(format='onnx', imgsz=640, simplify=False, dynamic=True, verbose=False)
    rows = []
    for name, path in clips.items():
        F = frames_of(path, 60)
        n = len(F)
        # MediaPipe: bare loop vs mlpipe
        with mp.solutions.pose.Pose(static_image_mode=False, model_complexity=1) as pose:
            pose.process(cv2.cvtColor(F[0], cv2.COLOR_BGR2RGB))
            t_bare, _ = timed(lambda: [pose.process(cv2.cvtColor(f, cv2.COLOR_BGR2RGB)) for f in F])
        det = MediaPipeDetector(); det.detect(F[0])
        t_ml, _ = timed(lambda: detect_video(iter(F), det, progress=False))
        rows.append({'clip': name, 'backend': 'MediaPipe', 'bare fps': n / t_bare, 'mlpipe fps': n / t_ml, 'mlpipe / bare time': t_ml / t_bare})
        # YOLO: bare per-frame predict vs mlpipe (batch 1), then batched, then ONNX Runtime
        y = YOLO(str(bundled_yolo_weights())); y.predict(F[0], verbose=False)
        t_bare, _ = timed(lambda: [y.predict(f, verbose=False) for f in F])
        d1 = YoloPoseDetector(batch=1); d1.detect(F[0])
        t_ml, _ = timed(lambda: detect_video(iter(F), d1, track=False, progress=False))
        d8 = YoloPoseDetector(batch=8); d8.detect_batch(F[:8])
        t_b8, _ = timed(lambda: detect_video(iter(F), d8, track=False, progress=False))
        dx = YoloPoseDetector(weights=onnx, batch=1); dx.detect(F[0])
        t_onnx, _ = timed(lambda: detect_video(iter(F), dx, track=False, progress=False))
        rows.append({'clip': name, 'backend': 'YOLO11n-pose (PyTorch)', 'bare fps': n / t_bare, 'mlpipe fps': n / t_ml, 'mlpipe / bare time': t_ml / t_bare,
                     'batched x8 fps': n / t_b8, 'batched speed-up': t_ml / t_b8, 'ONNX Runtime fps': n / t_onnx, 'ONNX speed-up': t_ml / t_onnx})
    df = pd.DataFrame(rows)
    print(df.round(2).to_string(index=False))
    cam = clips.get('cam01 1080x1920 portrait')
    if cam:
        srcs = [cam] * 4
        t_seq, _ = timed(lambda: [detect_video(s, MediaPipeDetector(), progress=False, end_s=0.5) for s in srcs])
        t_par, _ = timed(lambda: detect_videos(srcs, MediaPipeDetector, max_workers=4, end_s=0.5))
        print(f'\n4 streams x 30 frames (cam01, MediaPipe): sequential {t_seq:.2f} s, 4 concurrent {t_par:.2f} s, throughput ratio {t_seq / t_par:.2f}')

if __name__ == '__main__': main()

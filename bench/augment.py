"""Augmentation throughput (samples/s): parameter generation, pose sequences (2D, 3D), video frames with keypoints, IMU.

    python bench/augment.py
"""
import time
import numpy as np
from mlpipe.augment import get_preset, param_table, gen_augmentation_params, compute_streaming_statistics
from mlpipe.augment_data import augment_pose, augment_frame, augment_imu
from mlpipe.synth import generate_session

def rate(fn, n):
    t0 = time.perf_counter()
    for i in range(n): fn(i)
    return n / (time.perf_counter() - t0)

if __name__ == '__main__':
    cfg = get_preset('moderate')
    s = generate_session('squat', reps=3, view='front', seed=0)
    img = np.random.default_rng(0).integers(0, 255, (720, 1280, 3), dtype=np.uint8)
    imu = np.random.default_rng(0).normal(size=(1500, 6))
    t0 = time.perf_counter(); param_table(cfg, range(200_000)); tab = 200_000 / (time.perf_counter() - t0)
    t0 = time.perf_counter(); compute_streaming_statistics(cfg, 1_000_000); st = time.perf_counter() - t0
    rows = [('parameters, vectorised table', tab),
            ('parameters, one sample at a time', rate(lambda i: gen_augmentation_params(cfg, i), 2000)),
            (f'pose 2D ({s.pose2d.n_frames} frames x 33)', rate(lambda i: augment_pose(s.pose2d, gen_augmentation_params(cfg, i)), 200)),
            (f'pose 3D ({s.pose3d.n_frames} frames x 33)', rate(lambda i: augment_pose(s.pose3d, gen_augmentation_params(cfg, i)), 200)),
            ('frame 1280x720 + 33 keypoints', rate(lambda i: augment_frame(img, gen_augmentation_params(cfg, i), s.pose2d.keypoints[0], s.pose2d.schema), 100)),
            ('IMU 1500x6 -> 500-sample window', rate(lambda i: augment_imu(imu, gen_augmentation_params(cfg, i), 500), 500))]
    for name, r in rows: print(f'{name:40s} {r:12,.0f} samples/s')
    print(f'streaming statistics of 1,000,000 samples: {st:.1f} s')

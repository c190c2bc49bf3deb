"""Pairwise DTW distance matrix: mlpipe vs dtaidistance (its fastest path, called directly) vs tslearn vs aeon.

200 pose sequences of 150 frames (generated movements: squats, arm raises, walking, push-ups at random tempi, 1 px
noise), with 3 features (joint angles), 12 (6 keypoints x 2) and 66 (33 keypoints x 2). All libraries run in this one
process on the same arrays; results are checked equal; throughput is in millions of DTW cells per second.

    .venv/bin/python bench/dtw_matrix.py            # full run (about 2 minutes on 2 cores)
    .venv/bin/python bench/dtw_matrix.py --quick    # 60 sequences
    .venv/bin/python bench/dtw_matrix.py --wrapper  # only the single-distance wrapper overhead (about 15 s)

The single-distance part times three calls on the same two C-contiguous float64 (150, F) arrays: dtaidistance's C
function alone (`dtw_cc.distance_ndim`, where both wrappers end), dtaidistance's public `dtw_ndim.distance_fast` and
mlpipe's `dtw_distance`, in 31 rounds of 20 calls each, the order of the three reversed every other round. The goal
figure is the median over rounds of the per-round ratio mlpipe / distance_fast (a burst of load hits both sides of
one round); the ratio of the per-side minima (the earlier estimator) and an A/A ratio (distance_fast against itself,
the noise floor) are printed beside it.
"""
import sys, time, os, timeit
import numpy as np
import pandas as pd

N = 60 if '--quick' in sys.argv else 200
T = 150

def pose_dataset(n, seed=0):
    from mlpipe.synth import generate_session
    from mlpipe.dtw import pose_features
    rng = np.random.default_rng(seed)
    base = {'squat': 2.5, 'arm_raise': 3.0, 'walk': 1.1, 'pushup': 2.0}
    out = {3: [], 12: [], 66: []}
    six = ['left_shoulder', 'left_elbow', 'left_wrist', 'left_hip', 'left_knee', 'left_ankle']
    for k in range(n):
        mv = list(base)[k % 4]
        s = generate_session(mv, reps=1, tempo_s=base[mv] * rng.uniform(0.7, 1.3), noise_px=1.0, seed=k)
        t = np.linspace(0, s.pose2d.n_frames - 1, T)
        rs = lambda F: np.stack([np.interp(t, np.arange(len(F)), F[:, c]) for c in range(F.shape[1])], 1)
        out[3].append(rs(pose_features(s.pose2d, 'angles', ['knee_flexion_l', 'hip_flexion_l', 'shoulder_flexion_l']).to_numpy()))
        out[12].append(rs(pose_features(s.pose2d, 'keypoints', six).to_numpy()))
        out[66].append(rs(pose_features(s.pose2d, 'keypoints').to_numpy()))
    return {f: np.ascontiguousarray(np.stack(v)) for f, v in out.items()}

def timed(fn):
    t = time.perf_counter(); r = fn(); return r, time.perf_counter() - t

def wrapper_overhead(data, rounds=31, number=20):
    "Per-call times (us) of the C function alone, dtaidistance's distance_fast and mlpipe's dtw_distance; ratios."
    from dtaidistance import dtw_ndim
    from dtaidistance.dtw_cc import distance_ndim
    from mlpipe.dtw import dtw_distance
    rows = []
    for F, X in data.items():                                  # single distances: where mlpipe wraps dtaidistance
        a, b = X[0], X[1]
        sides = {'kernel': lambda: distance_ndim(a, b),
                 'dtaidistance': lambda: dtw_ndim.distance_fast(a, b, use_pruning=False),
                 'mlpipe': lambda: dtw_distance(a, b),
                 'dtaidistance again': lambda: dtw_ndim.distance_fast(a, b, use_pruning=False)}
        assert dtw_distance(a, b) == dtw_ndim.distance_fast(a, b, use_pruning=False) == distance_ndim(a, b)
        t = {k: [] for k in sides}
        for r in range(rounds):
            for k in (list(sides) if r % 2 == 0 else list(sides)[::-1]):   # no side always runs first
                t[k].append(timeit.timeit(sides[k], number=number) / number * 1e6)
        t = {k: np.array(v) for k, v in t.items()}
        rows.append({'features': F, 'C alone us': np.median(t['kernel']),
                     'distance_fast us': np.median(t['dtaidistance']), 'dtw_distance us': np.median(t['mlpipe']),
                     'dtaidistance Python us': np.median(t['dtaidistance'] - t['kernel']),
                     'mlpipe Python us': np.median(t['mlpipe'] - t['kernel']),
                     'ratio (median of rounds)': np.median(t['mlpipe'] / t['dtaidistance']),
                     'ratio (min / min)': t['mlpipe'].min() / t['dtaidistance'].min(),
                     'A/A noise': np.median(t['dtaidistance again'] / t['dtaidistance'])})
    return pd.DataFrame(rows).set_index('features')

def print_wrapper(data):
    w = wrapper_overhead(data)
    print('\nsingle distance (150 x 150 frames): C function alone, dtw_ndim.distance_fast, mlpipe.dtw_distance '
          '(median us per call; Python = call minus C alone, per round):')
    print(w.round(3).to_string())
    print(time.strftime('%H:%M:%S UTC', time.gmtime()), '| load average:', os.getloadavg())
    r = ' / '.join(f'{v:.3f}' for v in w['ratio (median of rounds)'])
    print(f'WRAPPER dtw_distance / distance_fast at {" / ".join(map(str, w.index))} features: {r} (goal <= 1.05)')

def main():
    from mlpipe.dtw_matrix import distance_matrix, _engine
    from dtaidistance import dtw_ndim
    from tslearn.metrics import cdist_dtw
    from aeon.distances import dtw_pairwise_distance
    if '--wrapper' in sys.argv:
        print(time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime()), '| load average (1, 5, 15 min):', os.getloadavg())
        return print_wrapper(pose_dataset(2))
    data = pose_dataset(N)
    small = np.random.default_rng(0).normal(size=(3, 10, 3))
    cdist_dtw(small, n_jobs=2); dtw_pairwise_distance(small.transpose(0, 2, 1)); distance_matrix(list(small))   # compile numba code outside the timing
    i, j = np.triu_indices(N, 1)
    cells = len(i) * T * T
    rows = []
    for F, X in data.items():
        M_ml, t_ml = timed(lambda: distance_matrix(list(X)))
        M_dt, t_dt = timed(lambda: dtw_ndim.distance_matrix_fast(X, parallel=True, compact=False))
        M_ts, t_ts = timed(lambda: cdist_dtw(X, n_jobs=2))
        M_ae, t_ae = timed(lambda: np.sqrt(dtw_pairwise_distance(X.transpose(0, 2, 1))))
        for name, M in (('dtaidistance', M_dt[i, j]), ('tslearn', M_ts[i, j]), ('aeon', M_ae[i, j])):
            err = np.abs(M - M_ml[i, j]).max()
            assert err < 1e-6 * max(1, M.max()), f'{name} differs from mlpipe by {err} at {F} features'
        best = min(t_dt, t_ts, t_ae)
        rows.append({'features': F, 'mlpipe engine': _engine('auto', True, F),
                     'mlpipe Mcells/s': cells / t_ml / 1e6, 'dtaidistance Mcells/s': cells / t_dt / 1e6,
                     'tslearn Mcells/s': cells / t_ts / 1e6, 'aeon Mcells/s': cells / t_ae / 1e6,
                     'mlpipe speed / best other': best / t_ml, 'mlpipe time / dtaidistance time': t_ml / t_dt})
    df = pd.DataFrame(rows).set_index('features')
    print(time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime()), '| load average (1, 5, 15 min):', os.getloadavg())
    print(f'{N} sequences x {T} frames, {len(i)} pairs, {cells / 1e6:.0f} M cells per matrix, {os.cpu_count()} cores; results equal to 1e-6')
    print(df.round(2).to_string())
    print_wrapper(data)
    return df

if __name__ == '__main__': main()

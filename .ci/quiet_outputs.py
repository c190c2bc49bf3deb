"""Drop third-party log lines (TensorFlow Lite, absl/glog, kineto, ffmpeg) from the stored stderr outputs of notebooks.

python .ci/quiet_outputs.py NB.ipynb ...   (after executing a notebook; the docs build applies the same filter)"""
import sys
from pathlib import Path
import nbformat
sys.path.insert(0, str(Path(__file__).parent))
from docs import _quiet_stderr

for f in sys.argv[1:]:
    nb = nbformat.read(f, 4); n = 0
    for c in nb.cells:
        outs = []
        for o in c.get('outputs', []):
            if o.get('output_type') == 'stream' and o.get('name') == 'stderr':
                t = _quiet_stderr(o['text']); n += t != o['text']
                if not t: continue
                o['text'] = t + '\n'
            outs.append(o)
        if c.cell_type == 'code': c.outputs = outs
    nbformat.write(nb, f); print(f'{f}: {n} stderr outputs quietened')

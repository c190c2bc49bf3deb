"""Run every notebook's tests with nbdev_test and end with one line: 'N passed, N failed' (counting notebooks).

Extra arguments go to nbdev_test (e.g. --flags gpu on a GPU machine)."""
import subprocess, sys, re
from pathlib import Path
from nbdev.doclinks import nbglob
from nbdev.config import get_config

cfg = get_config()
nbs = sorted(Path(p).name for p in nbglob(cfg.nbs_path))
r = subprocess.run([str(Path(sys.executable).with_name('nbdev_test')), '--timing', *sys.argv[1:]], capture_output=True, text=True)
sys.stdout.write(r.stdout); sys.stderr.write(r.stderr)
failed = set(re.findall(r'^\t(\S+\.ipynb)$', r.stderr.split('Failed On The Following Notebooks:')[-1], re.M)) if r.returncode else set()
if r.returncode and not failed: failed = {'(nbdev_test itself)'}
print(f'notebooks: {len(nbs) - len(failed & set(nbs))} passed, {len(failed)} failed')
sys.exit(1 if r.returncode else 0)

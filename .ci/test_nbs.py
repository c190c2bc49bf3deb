"""Run every notebook's tests (nbdev_test under coverage.py) and end with two things: the line coverage of mlpipe/
per module, and one line 'N passed, N failed' (counting notebooks).

Extra arguments go to nbdev_test (e.g. --flags gpu on a GPU machine). How exported cells are run so that coverage
sees mlpipe/: .ci/nbtest_cov.py."""
import os, subprocess, sys, re, tempfile
from pathlib import Path
from nbdev.doclinks import nbglob
from nbdev.config import get_config

cfg = get_config()
here = Path(__file__).parent
nbs = sorted(Path(p).name for p in nbglob(cfg.nbs_path))
bin_ = Path(sys.executable).parent
with tempfile.TemporaryDirectory(prefix='mlpipe-coverage-') as d:
    env = {**os.environ, 'COVERAGE_RCFILE': str(here / 'coveragerc'), 'COVERAGE_DATA_DIR': d}
    cmd = [str(bin_ / 'coverage'), 'run', str(here / 'nbtest_cov.py'), '--timing', *sys.argv[1:]]
    r = subprocess.run(cmd, capture_output=True, text=True, env=env)
    sys.stdout.write(r.stdout)
    sys.stderr.write(r.stderr)
    subprocess.run([str(bin_ / 'coverage'), 'combine', '-q'], env=env, capture_output=True)
    rep = subprocess.run([str(bin_ / 'coverage'), 'report'], env=env, capture_output=True, text=True)
    print('== line coverage of mlpipe/ by the notebook tests (coverage.py)')
    sys.stdout.write(rep.stdout or rep.stderr)
failed = set(re.findall(r'^\t(\S+\.ipynb)$', r.stderr.split('Failed On The Following Notebooks:')[-1], re.M)) if r.returncode else set()
if r.returncode and not failed: failed = {'(nbdev_test itself)'}
print(f'notebooks: {len(nbs) - len(failed & set(nbs))} passed, {len(failed)} failed')
sys.exit(1 if r.returncode else 0)

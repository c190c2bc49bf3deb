"""Open pages in headless Chromium and fail on console errors or a missing element.

python .ci/browser_check.py PAGE.html[::CSS-TEXT-THAT-MUST-APPEAR] ... [--screenshot OUT.png]
Uses Debian's chromium (--enable-logging prints the page's console messages to stderr).
"""
import subprocess, sys, tempfile, re, shutil
from pathlib import Path

FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
         '--disable-component-update', '--disable-sync', '--enable-logging=stderr', '--v=0', '--virtual-time-budget=4000',
         '--window-size=1280,1000']

def chromium():
    for name in ('chromium', 'chromium-browser', 'google-chrome'):
        if shutil.which(name): return shutil.which(name)
    sys.exit('browser check: chromium not found (apt-get install chromium)')

def check(page:str, must:str|None, screenshot:str|None=None) -> list:
    "Console errors (and a missing text) of one page."
    url = Path(page).resolve().as_uri()
    with tempfile.TemporaryDirectory() as prof:
        cmd = [chromium(), *FLAGS, f'--user-data-dir={prof}']
        r = subprocess.run(cmd + ['--dump-dom', url], capture_output=True, text=True, timeout=120)
        if screenshot: subprocess.run(cmd + [f'--screenshot={Path(screenshot).resolve()}', url], capture_output=True, timeout=120)
    console = [l for l in r.stderr.splitlines() if 'CONSOLE' in l]
    errors = [l for l in console if re.search(r'error|uncaught|failed|refused', l, re.I)]
    if r.returncode: errors.append(f'chromium exited {r.returncode}')
    if not r.stdout.strip(): errors.append('empty DOM')
    if must and must not in r.stdout: errors.append(f'{must!r} not in the page')
    return errors

if __name__ == '__main__':
    args, shot = sys.argv[1:], None
    if '--screenshot' in args: i = args.index('--screenshot'); shot = args[i + 1]; del args[i:i + 2]
    bad = 0
    for a in args:
        page, _, must = a.partition('::')
        errs = check(page, must or None, shot if a == args[0] else None)
        print(f"browser check: {page}: {'ok' if not errs else 'FAILED'}")
        for e in errs: print('   ', e)
        bad += bool(errs)
    sys.exit(1 if bad else 0)

"""Open pages in headless Chromium and fail on console errors or missing content (uses mlpipe.report.browser_check).

python .ci/browser_check.py PAGE.html[::TEXT-THAT-MUST-APPEAR] ... [--screenshot OUT.png]
"""
import sys
from mlpipe.report import browser_check

if __name__ == '__main__':
    args, shot = sys.argv[1:], None
    if '--screenshot' in args: i = args.index('--screenshot'); shot = args[i + 1]; del args[i:i + 2]
    bad = 0
    for k, a in enumerate(args):
        page, _, must = a.partition('::')
        r = browser_check(page, must, shot if k == 0 else None, count_images=False)
        if not r['available']: sys.exit(f"browser check: {r['note']}")
        errs = r['console_errors'] + ([] if r['expected_found'] else [f'{must!r} not in the page']) + ([f"chromium exited {r['exit_code']}"] if r['exit_code'] else [])
        print(f"browser check: {page}: {'ok' if not errs else 'FAILED'}")
        for e in errs: print('   ', e)
        bad += bool(errs)
    sys.exit(1 if bad else 0)

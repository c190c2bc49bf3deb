"""Open docs pages in headless Chromium (Playwright driving Debian's chromium) and fail on what a reader would hit.

python .ci/browser_check.py PAGE.html[::TEXT-THAT-MUST-APPEAR] ... [--shots DIR] [--widget NOTEBOOK.ipynb]

Per page, in a 1280 x 900 window: no console error, no request to the network (the site must work offline; any
http(s) request is blocked and reported), the expected text present, no raw Quarto markup (`{target=`) or HTML link
markup in the text,
every in-page link `#id` (on this page or another page of the site) pointing at an id that exists, and the page no
wider than the window (wide tables and code scroll inside their own box). `--shots DIR` saves a screenshot per page.
`--widget NB` checks that a stored notebook displays an ipywidgets explorer (a widget view whose stored state holds a
frame slider, a menu and an Output widget with a picture): what JupyterLab shows after Run All.
"""
import json, re, shutil, sys
from pathlib import Path

WIDTH, HEIGHT = 1280, 900

def _ids(path:Path, cache={}) -> set:
    if path not in cache: cache[path] = set(re.findall(r'\bid="([^"]+)"', path.read_text(encoding='utf-8'))) if path.exists() else set()
    return cache[path]

def check_page(browser, page_path:str, must:str='', shot:str|None=None) -> list:
    "Problems a reader would see on one page (empty when fine)."
    path = Path(page_path).resolve()
    pg = browser.new_page(viewport={'width': WIDTH, 'height': HEIGHT})
    errors, network = [], []
    pg.on('console', lambda m: errors.append(f'console {m.type}: {m.text}') if m.type == 'error' else None)
    pg.on('pageerror', lambda e: errors.append(f'page error: {e}'))
    def route(r):
        if r.request.url.startswith(('file:', 'data:', 'blob:', 'about:')): return r.continue_()
        network.append(r.request.url); r.abort()
    pg.route('**/*', route)
    pg.goto(path.as_uri(), wait_until='load'); pg.wait_for_timeout(300)
    text = pg.inner_text('body')
    width = pg.evaluate('document.documentElement.scrollWidth')
    links = pg.eval_on_selector_all('a[href*="#"]', 'els => els.map(e => e.getAttribute("href"))')
    if shot: pg.screenshot(path=shot)
    pg.close()
    bad = list(errors) + [f'network request (the site must load nothing from the network): {u}' for u in network]
    if must and must not in text: bad.append(f'{must!r} not in the page')
    if '{target=' in text: bad.append(f"raw Quarto markup in the text: {text.count('{target=')} x '{{target='")
    if '<a href=' in text: bad.append(f"raw HTML shown as text: {text.count('<a href=')} x '<a href='")
    if width > WIDTH: bad.append(f'page is {width} px wide in a {WIDTH} px window')
    for href in set(links):
        where, _, frag = href.partition('#')
        if not frag or where.startswith(('http:', 'https:')): continue
        target = (path.parent / where).resolve() if where else path
        if frag not in _ids(target): bad.append(f'link to a missing anchor: {href}')
    return bad

def check_widget(nb_path:str) -> list:
    "Problems with the explorer a stored (executed) notebook displays (empty when fine)."
    nb = json.loads(Path(nb_path).read_text())
    state = nb['metadata'].get('widgets', {}).get('application/vnd.jupyter.widget-state+json', {}).get('state', {})
    views = [o['data']['application/vnd.jupyter.widget-view+json']['model_id'] for c in nb['cells'] for o in c.get('outputs', [])
             if 'application/vnd.jupyter.widget-view+json' in o.get('data', {})]
    if not views: return [f'{nb_path}: no cell displays a widget (Run All shows no explorer)']
    def models(mid, seen=()):
        m = state.get(mid)
        if m is None or mid in seen: return []
        kids = [k.removeprefix('IPY_MODEL_') for k in m['state'].get('children', [])]
        return [m] + [x for k in kids for x in models(k, (*seen, mid))]
    for v in views:
        ms = models(v)
        names = {m['model_name'] for m in ms}
        pics = [o for m in ms if m['model_name'] == 'OutputModel' for o in m['state'].get('outputs', []) if 'image/png' in o.get('data', {})]
        if {'IntSliderModel', 'DropdownModel', 'OutputModel'} <= names and pics: return []
    return [f'{nb_path}: the displayed widget has no frame slider, menu and drawn figure in its stored state']

def main(args):
    shots = widget = None
    if '--shots' in args: i = args.index('--shots'); shots = Path(args[i + 1]); del args[i:i + 2]; shots.mkdir(parents=True, exist_ok=True)
    if '--widget' in args: i = args.index('--widget'); widget = args[i + 1]; del args[i:i + 2]
    exe = next((shutil.which(n) for n in ('chromium', 'chromium-browser') if shutil.which(n)), None)
    if exe is None: sys.exit('browser check: chromium is not installed; install it with: sudo apt-get install -y chromium (or: make browser)')
    from playwright.sync_api import sync_playwright
    failed = 0
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=exe, args=['--no-sandbox', '--disable-gpu'])
        for a in args:
            page, _, must = a.partition('::')
            shot = str(shots / (Path(page).stem + '.png')) if shots else None
            bad = check_page(browser, page, must, shot)
            print(f"browser check: {page}: {'ok' if not bad else 'FAILED'}")
            for b in bad: print('   ', b)
            failed += bool(bad)
        browser.close()
    if widget:
        bad = check_widget(widget)
        print(f"widget check: {widget}: {'ok' if not bad else 'FAILED'}")
        for b in bad: print('   ', b)
        failed += bool(bad)
    return 1 if failed else 0

if __name__ == '__main__': sys.exit(main(sys.argv[1:]))

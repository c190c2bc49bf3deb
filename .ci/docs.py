"""Offline docs and README, without Quarto.

`python .ci/docs.py readme` writes README.md from nbs/index.ipynb (nbdev_readme needs Quarto).
`python .ci/docs.py site`   runs nbdev's notebook processing (show_doc tables, hidden cells removed, as for Quarto) and
                            turns the processed notebooks into a static Sphinx + MyST-NB site in _build/html/ (warnings
                            are errors). It installs nothing: nbdev_proc_nbs would try to download Quarto and re-run
                            `pip install -e .` (its _pre_docs), so the processing step (nbdev.serve.proc_nbs) is called
                            directly. The site loads nothing from the network (ipywidgets' CDN scripts are not used: a
                            widget output is shown as its stored picture) and needs a web server for its search
                            (`python -m http.server -d _build/html`; opened as files, the search snippets are blocked).
"""
import os, re, shutil, subprocess, sys
from pathlib import Path
import nbformat, yaml

ROOT = Path(__file__).resolve().parents[1]
DOC_HOST = 'https://mlpipe.github.io/mlpipe/'

def _front(nb):
    "Front matter (title, description, output-file) of a processed notebook, and the cells after it."
    c = nb.cells[0]
    if c.cell_type == 'raw' and c.source.startswith('---'):
        return yaml.safe_load(c.source.strip().strip('-')) or {}, nb.cells[1:]
    return {}, nb.cells

def _nb_of_page() -> dict:
    "Doc page name -> its notebook, relative to the repository root ('data' -> 'nbs/01_data.ipynb')."
    out = {}
    for f in sorted((ROOT / 'nbs').glob('*.ipynb')):
        m = re.search(r'#\|\s*default_exp\s+([\w.]+)', f.read_text(encoding='utf-8'))
        if m: out[m[1]] = f'nbs/{f.name}'
    for f in sorted((ROOT / 'nbs' / 'tutorials').glob('*.ipynb')): out[f'tutorials/{f.stem}'] = f'nbs/tutorials/{f.name}'
    return out

def _repo_links(md:str, pages:dict) -> str:
    "Links to doc pages -> relative links to their notebooks, which work on the repository page."
    return re.sub(r'\]\(([\w/-]+)\.html(#[^)]*)?\)', lambda m: f'](' + pages[m[1]] + ')' if m[1] in pages else m[0], md)

def readme():
    "README.md from nbs/index.ipynb: markdown as is (links to doc pages -> the notebooks), code fenced with its text output."
    nb = nbformat.read(ROOT / 'nbs' / 'index.ipynb', 4)
    pages = _nb_of_page()
    out = ['<!-- generated from nbs/index.ipynb by .ci/docs.py readme: edit the notebook -->\n']
    for c in nb.cells:
        src = c.source
        if c.cell_type == 'markdown': out.append(_repo_links(src, pages) + '\n')
        elif c.cell_type == 'code' and not src.lstrip().startswith('#| hide'):
            out.append('```python\n' + src + '\n```\n')
            text = ''.join(o.get('text', '') or o.get('data', {}).get('text/plain', '') for o in c.get('outputs', []))
            if text.strip(): out.append('```\n' + text.rstrip() + '\n```\n')
    (ROOT / 'README.md').write_text('\n'.join(out))

_LINK = re.compile(r'\[([^\]]+)\]\((?:' + re.escape(DOC_HOST) + r')?([\w/.-]+)\.html(?:#([^)\s]+))?\)')

def _html_link(m, depth=0):
    "A markdown link to a doc page -> an HTML link (Sphinx ids: lower case, non-alphanumerics as '-')."
    text = re.sub(r'`([^`]+)`', r'<code>\1</code>', m[1])
    anchor = '#' + re.sub(r'[^a-z0-9]+', '-', m[3].lower()).strip('-') if m[3] else ''
    return f'<a href="{"../" * depth}{m[2]}.html{anchor}">{text}</a>'

def _links(text, depth=0):
    "Doc links -> HTML links in prose; inside code fences (show_doc's docments) a link is its plain text."
    parts = re.split(r'(```.*?```)', text, flags=re.S)
    return ''.join(re.sub(r'\[`?([^\]`]+)`?\]\([^)]*\)', r'\1', x) if x.startswith('```') else _LINK.sub(lambda m: _html_link(m, depth), x)
                   for x in parts)

_ATTRS = re.compile(r'\[source\]\([^)]*\)\{[^}]*\}|(?<=\))\{target=[^}\n]*\}')  # Quarto-only: show_doc's source link, {target=...}
_NOISE = re.compile(r'^(INFO: Created TensorFlow Lite|USDT:|\[[\w,]+ @ 0x[0-9a-f]+\] |WARNING: All log messages before absl::InitializeLog|[IWEF]\d{4} \d\d:\d\d:\d\d'
                    r'|.*inference_feedback_manager\.cc|.*landmark_projection_calculator\.cc|.*gl_context\.cc)')

def _quiet_stderr(text:str) -> str:
    "Stored stderr without third-party log lines (TensorFlow Lite, absl/glog) and progress bars."
    lines = [l.split('\r')[-1] for l in text.split('\n')]
    return '\n'.join(l for l in lines if l.strip() and not _NOISE.match(l) and '%|' not in l)

WIDGET = 'application/vnd.jupyter.widget-view+json'

def _widget_outputs(o:dict, state:dict) -> list:
    "A widget view (no kernel on the site, no CDN scripts) -> the outputs its Output widgets hold, and a note."
    def outs(mid, seen=()):
        m = state.get(mid, {}); st = m.get('state', {})
        if mid in seen: return []
        if m.get('model_name') == 'OutputModel': return st.get('outputs', [])
        kids = [k.removeprefix('IPY_MODEL_') for k in st.get('children', [])]
        return [x for k in kids for x in outs(k, (*seen, mid))]
    found = outs(o['data'][WIDGET]['model_id'])
    note = {'output_type': 'display_data', 'metadata': {}, 'data': {'text/markdown':
            '*The live widget (sliders, menus) runs in JupyterLab; this static page shows what it drew.*'}}
    return [nbformat.from_dict(x) for x in found] + [nbformat.from_dict(note)]

_SHOWDOC = re.compile(r'^\s*-{3,}\s*\n+(#{2,4}) ([^\n]+)\n')

def _split_show_doc(c) -> list:
    """A code cell whose outputs hold show_doc entries -> cells where each entry follows a real heading (an anchor, a
    TOC entry and a search title per function), the rest of the entry staying an output."""
    before, after, cur = [], [], c
    c.outputs = []
    for o in c.pop('_outs'):
        m = _SHOWDOC.match(o.get('data', {}).get('text/markdown', '') or '')
        if m:
            o['data']['text/markdown'] = o['data']['text/markdown'][m.end():]
            head = nbformat.v4.new_markdown_cell(f'{m[1]} {m[2].strip()}')
            if cur is c and not c.outputs: before.append(head)
            else:
                cur = nbformat.v4.new_code_cell('', metadata={'tags': ['remove-input']})
                after += [head, cur]
        cur.outputs.append(o)
    return [*before, c, *after]

def _convert(src:Path, dst_dir:Path, depth:int=0) -> str:
    "Processed notebook -> Sphinx source notebook; returns its doc name."
    nb = nbformat.read(src, 4)
    fm, cells = _front(nb)
    name = Path(fm.get('output-file', src.stem + '.html')).stem
    head = f"# {fm.get('title', name)}\n\n" + (f"> {fm['description']}\n" if fm.get('description') else '')
    new = [nbformat.v4.new_markdown_cell(head)]
    state = nb.metadata.pop('widgets', {}).get('application/vnd.jupyter.widget-state+json', {}).get('state', {})
    for c in cells:
        if c.cell_type == 'raw': continue
        if c.cell_type == 'markdown': c.source = _links(c.source, depth)
        if c.cell_type == 'code':
            lines = c.source.split('\n')
            flags = [l for l in lines if l.startswith('#|')]
            c.source = '\n'.join(l for l in lines if not l.startswith('#|')).strip('\n')
            tags = c.metadata.setdefault('tags', [])
            if any('echo: false' in f for f in flags): tags.append('remove-input')
            outs = []
            for o in c.get('outputs', []):
                if o.get('output_type') == 'stream' and o.get('name') == 'stderr':
                    o['text'] = _quiet_stderr(o['text'])
                    if not o['text']: continue
                if WIDGET in o.get('data', {}): outs += _widget_outputs(o, state); continue
                md = o.get('data', {}).get('text/markdown')
                if md:
                    md = _ATTRS.sub('', md)
                    m = _SHOWDOC.match(md)                              # keep show_doc's heading for the split below
                    o['data']['text/markdown'] = md[:m.end()] + re.sub(r'^-{3,}\s*$', '<hr/>', _links(md[m.end():], depth), flags=re.M) \
                        if m else re.sub(r'^-{3,}\s*$', '<hr/>', _links(md, depth), flags=re.M)  # no transitions inside outputs
                outs.append(o)
            c['_outs'] = outs
        for k in [k for k in c if k not in ('cell_type', 'execution_count', 'id', 'metadata', 'outputs', 'source', 'attachments', '_outs')]:
            del c[k]                               # nbdev's processing marks (has_sd, idx_, ...) are not nbformat
        new += _split_show_doc(c) if c.cell_type == 'code' else [c]
    nb.cells = new
    nb.metadata['kernelspec'] = {'name': 'python3', 'display_name': 'Python 3', 'language': 'python'}
    nb.metadata['language_info'] = {'name': 'python', 'pygments_lexer': 'ipython3'}   # nbdev_clean removes it
    nbformat.write(nb, dst_dir / f'{name}.ipynb')
    return name

def _fix_anchors(html:Path) -> list:
    """Links into a page at an id it does not have (a doc link to a method without its own entry) -> the nearest
    existing id (its class), else the page's top. Returns what was changed."""
    ids = {f: set(re.findall(r'\bid="([^"]+)"', f.read_text(encoding='utf-8'))) for f in html.rglob('*.html')}
    changed = []
    for f in ids:
        def fix(m):
            target = (f.parent / m[1]).resolve() if m[1] else f
            if target not in ids or m[2] in ids[target]: return m[0]
            parts = m[2].split('-')
            near = next(('-'.join(parts[:k]) for k in range(len(parts) - 1, 0, -1) if '-'.join(parts[:k]) in ids[target]), None)
            changed.append(f'{f.name}: {m[1]}#{m[2]} -> #{near or ""}')
            return f'href="{m[1]}' + (f'#{near}"' if near else '"')
        text = f.read_text(encoding='utf-8')
        new = re.sub(r'href="([\w./-]*\.html|)#([^"]+)"', fix, text)
        if new != text: f.write_text(new, encoding='utf-8')
    return changed

def site():
    from nbdev.serve import proc_nbs                      # not nbdev_proc_nbs: it installs Quarto and re-runs pip install
    os.chdir(ROOT); proc_nbs(ROOT / 'nbs')
    src = ROOT / '_build' / 'src'
    shutil.rmtree(src, ignore_errors=True); src.mkdir(parents=True)
    if (ROOT / 'nbs' / 'images').is_dir(): shutil.copytree(ROOT / 'nbs' / 'images', src / 'images')   # pictures the pages show
    proc = ROOT / '_proc'
    names = [_convert(p, src) for p in sorted(proc.glob('[0-9]*.ipynb'))]
    tut = sorted((proc / 'tutorials').glob('*.ipynb')) if (proc / 'tutorials').is_dir() else []
    if tut: (src / 'tutorials').mkdir(); names += ['tutorials/' + _convert(p, src / 'tutorials', 1) for p in tut]
    _convert(proc / 'index.ipynb', src)
    idx = nbformat.read(src / 'index.ipynb', 4)
    idx.cells.append(nbformat.v4.new_markdown_cell('```{toctree}\n:hidden:\n:maxdepth: 1\n\n' + '\n'.join(names) + '\n```'))
    nbformat.write(idx, src / 'index.ipynb')
    shutil.rmtree(ROOT / '_build' / 'html', ignore_errors=True)
    r = subprocess.run([sys.executable, '-m', 'sphinx', '-b', 'html', '-W', '--keep-going', '-q', '-c', str(ROOT / '.ci' / 'docs'),
                        str(src), str(ROOT / '_build' / 'html')], cwd=ROOT)
    if r.returncode: sys.exit(f'docs: sphinx-build failed ({r.returncode})')
    for c in _fix_anchors(ROOT / '_build' / 'html'): print('docs: link to a missing anchor redirected:', c)
    print(f'docs: {len(names) + 1} pages in {ROOT / "_build" / "html"}; to read them with a working search, serve them:\n'
          f'      python -m http.server -b 127.0.0.1 -d {ROOT / "_build" / "html"} 8000   # then open http://127.0.0.1:8000')

if __name__ == '__main__':
    {'readme': readme, 'site': site}[sys.argv[1]]()

"""Offline docs and README, without Quarto.

`python .ci/docs.py readme` writes README.md from nbs/index.ipynb (nbdev_readme needs Quarto).
`python .ci/docs.py site`   runs nbdev_proc_nbs (show_doc tables, hidden cells removed, as for Quarto) and turns the
                            processed notebooks into a static Sphinx + MyST-NB site in _build/html/ (warnings are errors).
"""
import re, shutil, subprocess, sys
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

def readme():
    "README.md from nbs/index.ipynb: markdown as is, code fenced with its text output."
    nb = nbformat.read(ROOT / 'nbs' / 'index.ipynb', 4)
    out = ['<!-- generated from nbs/index.ipynb by .ci/docs.py readme: edit the notebook -->\n']
    for c in nb.cells:
        src = c.source
        if c.cell_type == 'markdown': out.append(src + '\n')
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

def _links(text, depth=0): return _LINK.sub(lambda m: _html_link(m, depth), text)

def _convert(src:Path, dst_dir:Path, depth:int=0) -> str:
    "Processed notebook -> Sphinx source notebook; returns its doc name."
    nb = nbformat.read(src, 4)
    fm, cells = _front(nb)
    name = Path(fm.get('output-file', src.stem + '.html')).stem
    head = f"# {fm.get('title', name)}\n\n" + (f"> {fm['description']}\n" if fm.get('description') else '')
    new = [nbformat.v4.new_markdown_cell(head)]
    for c in cells:
        if c.cell_type == 'raw': continue
        if c.cell_type == 'markdown': c.source = _links(c.source, depth)
        if c.cell_type == 'code':
            lines = c.source.split('\n')
            flags = [l for l in lines if l.startswith('#|')]
            c.source = '\n'.join(l for l in lines if not l.startswith('#|')).strip('\n')
            tags = c.metadata.setdefault('tags', [])
            if any('echo: false' in f for f in flags): tags.append('remove-input')
            for o in c.get('outputs', []):
                md = o.get('data', {}).get('text/markdown')
                if md: o['data']['text/markdown'] = re.sub(r'^-{3,}\s*$', '<hr/>', _links(md, depth), flags=re.M)  # no transitions inside outputs
        for k in [k for k in c if k not in ('cell_type', 'execution_count', 'id', 'metadata', 'outputs', 'source', 'attachments')]:
            del c[k]                               # nbdev's processing marks (has_sd, idx_, ...) are not nbformat
        new.append(c)
    nb.cells = new
    nb.metadata['kernelspec'] = {'name': 'python3', 'display_name': 'Python 3', 'language': 'python'}
    nb.metadata['language_info'] = {'name': 'python', 'pygments_lexer': 'ipython3'}   # nbdev_clean removes it
    nbformat.write(nb, dst_dir / f'{name}.ipynb')
    return name

def site():
    subprocess.run([str(Path(sys.executable).with_name('nbdev_proc_nbs'))], cwd=ROOT, check=True)
    src = ROOT / '_build' / 'src'
    shutil.rmtree(src, ignore_errors=True); src.mkdir(parents=True)
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
    print(f'docs: {len(names) + 1} pages in {ROOT / "_build" / "html"}')

if __name__ == '__main__':
    {'readme': readme, 'site': site}[sys.argv[1]]()

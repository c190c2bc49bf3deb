"""nbdev_test, run so that coverage.py can see which lines of mlpipe/ the notebook tests execute.

nbdev_test runs each notebook's exported cells as notebook code, so their lines are never attributed to mlpipe/*.py.
Here every `#| export` cell binds the names it defines from the exported module instead: `nbdev_export` wrote that
module from the very same cells (the check verifies that mlpipe/ is in sync before the tests run), so the tests run
the code users import. Import statements of an exported cell still run in the notebook's namespace. Everything else
(flags, `#| eval: false`, parallel workers, the summary) is nbdev_test's own. Run it under `coverage run`."""
import ast, sys
from execnb.shell import CaptureShell

_EXPORT = {'export', 'exports', 'exporti'}

def _bound_names(tree) -> list:
    "Names a cell's top level binds (assignments, defs, classes, imports), not those inside function or class bodies."
    names = []
    def visit(node):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.append(child.name)
            elif isinstance(child, ast.Name) and isinstance(child.ctx, ast.Store):
                names.append(child.id)
            elif isinstance(child, (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
                continue
            else:
                visit(child)
    visit(tree)
    return list(dict.fromkeys(names))

def _is_import_only(stmt) -> bool:
    "An import, or a compound statement (try/if) made only of imports and `pass`."
    if isinstance(stmt, (ast.Import, ast.ImportFrom, ast.Pass)): return True
    if isinstance(stmt, ast.Try):
        parts = stmt.body + stmt.orelse + stmt.finalbody + [s for h in stmt.handlers for s in h.body]
        return all(_is_import_only(s) for s in parts)
    return False

def rewrite_export_cell(source:str, module:str) -> str:
    "The code that binds what `source` defines from `module`, keeping its imports."
    tree = ast.parse(source)
    imports = [ast.get_source_segment(source, s) for s in tree.body if _is_import_only(s)]
    names = _bound_names(ast.Module([s for s in tree.body if not _is_import_only(s)], []))
    lines = [*imports, f'import importlib as _nbcov_il', f'_nbcov_m = _nbcov_il.import_module({module!r})']
    lines.append(f'globals().update({{_n: getattr(_nbcov_m, _n) for _n in {names!r} if hasattr(_nbcov_m, _n)}})')
    return '\n'.join(lines)

_run_all = CaptureShell.run_all

def run_all(self, nb, exc_stop=False, preproc=None, postproc=None, **kw):
    "CaptureShell.run_all with exported cells bound from their module."
    default = next((c.directives_['default_exp'][0] for c in nb.cells if 'default_exp' in (getattr(c, 'directives_', None) or {})), None)
    def pre(cell):
        skip = preproc(cell) if preproc else False
        d = getattr(cell, 'directives_', None) or {}
        exp = _EXPORT & d.keys()
        if skip or cell.cell_type != 'code' or not exp: return skip
        args = d[exp.pop()]
        module = args[0] if args else default
        if module: cell.source = rewrite_export_cell(cell.source, f'mlpipe.{module}')
        return skip
    kwargs = dict(exc_stop=exc_stop, preproc=pre, **kw)
    if postproc: kwargs['postproc'] = postproc
    return _run_all(self, nb, **kwargs)

CaptureShell.run_all = run_all

if __name__ == '__main__':
    from nbdev.test import nbdev_test
    nbdev_test()

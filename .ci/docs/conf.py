# Sphinx configuration for the offline docs site (CI and machines without Quarto); see .ci/docs.py.
# Sphinx + MyST-NB: the scientific Python ecosystem's notebook-to-site tool (used by Jupyter Book, SciPy-adjacent
# projects); it renders stored notebook outputs (plots, tables, markdown from nbdev's show_doc) without executing,
# has full-text search built in, and Furo gives a sidebar by page.
project = 'mlpipe'
author = 'mlpipe developers'
extensions = ['myst_nb']
nb_execution_mode = 'off'              # the notebooks carry their outputs; nbdev_test is what runs them
nb_render_markdown_format = 'myst'     # show_doc tables and markdown outputs
myst_enable_extensions = ['dollarmath', 'colon_fence']
myst_heading_anchors = 3
suppress_warnings = ['myst.header', 'mystnb.unknown_mime_type', 'misc.highlighting_failure']
html_theme = 'furo'
html_title = 'mlpipe'
exclude_patterns = ['_build', '**.ipynb_checkpoints']
root_doc = 'index'
copyright = '2026 onwards, mlpipe developers'   # the footer names who made it
html_static_path = ['_static']
html_css_files = ['mlpipe.css']
nb_ipywidgets_js = {}                  # no require.js / widget manager from CDNs: the site loads nothing from the network
html_theme_options = {'footer_icons': []}   # furo's default footer icon links to GitHub

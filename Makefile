# The README's two commands, `make demo` and `make test`, plus developer helpers.
# Every target creates .venv when needed and installs mlpipe with its pinned dependencies from this repository's
# files (settings.ini); re-running reuses what is installed (re-installing only when settings.ini or setup.py change).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
STAMP  := $(VENV)/.mlpipe-installed

.PHONY: install demo test sync hooks docs
install: $(STAMP)

$(STAMP): settings.ini setup.py
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install -q --upgrade pip "setuptools>=70" wheel
	$(VENV)/bin/python -m pip install -q -e ".[dev]"
	touch $(STAMP)

demo: $(STAMP)          ## run the main job on embedded data; prints where the report is
	$(VENV)/bin/mlpipe demo

test: $(STAMP)          ## the whole check (what CI runs): sync, clean, notebook tests, docs site
	bash .ci/check

sync: $(STAMP)          ## before committing: export the library, clean the notebooks, regenerate README.md
	$(VENV)/bin/nbdev_export && $(VENV)/bin/nbdev_clean && $(VENV)/bin/python .ci/docs.py readme

hooks: $(STAMP)         ## once after cloning: nbdev's git clean hook and notebook merge driver
	$(VENV)/bin/nbdev_install_hooks

docs: $(STAMP)          ## the static docs site in _build/html/ (nbdev_docs builds the Quarto site where Quarto is installed)
	$(VENV)/bin/python .ci/docs.py site

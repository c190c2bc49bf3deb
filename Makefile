# The README's two commands, `make demo` and `make test`, plus developer helpers.
# All set-up lives in one script, .ci/setup: it creates .venv when needed and installs mlpipe (editable) with its
# pinned dependencies from settings.ini, and, for the browser checks of `make test`, Debian's chromium (apt-get when
# run as root, otherwise it stops at once with the command that fixes it). Re-running reuses what is installed
# (re-installing only when settings.ini, setup.py or .ci/setup change).
VENV   := .venv
STAMP  := $(VENV)/.mlpipe-installed

.PHONY: install browser demo test sync hooks docs
install: $(STAMP)

$(STAMP): settings.ini setup.py .ci/setup
	bash .ci/setup python
	touch $(STAMP)

browser:                ## Chromium for the headless-browser checks (make test)
	bash .ci/setup browser

demo: $(STAMP)          ## about 15 s: the main job on embedded data; prints where the report is
	$(VENV)/bin/mlpipe demo

test: $(STAMP) browser  ## the developers' whole check, what CI runs (5-10 min on 2 cores): sync, notebook tests, docs site, browser
	bash .ci/check

sync: $(STAMP)          ## before committing: export the library, clean the notebooks, regenerate README.md
	$(VENV)/bin/nbdev_export && $(VENV)/bin/nbdev_clean && $(VENV)/bin/python .ci/docs.py readme

hooks: $(STAMP)         ## once after cloning: nbdev's git clean hook and notebook merge driver
	$(VENV)/bin/nbdev_install_hooks

docs: $(STAMP)          ## the static docs site in _build/html/ (nothing is installed: no Quarto, no pip)
	$(VENV)/bin/python .ci/docs.py site

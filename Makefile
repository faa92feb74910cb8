# Two commands: `make run` (the demo on http://127.0.0.1:5000) and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
FLASK  := $(BIN)/flask --app wsgi
HOST   ?= 127.0.0.1
PORT   ?= 5000

.PHONY: run test bench soak load system-run system-test translations clean
.DELETE_ON_ERROR:

# A .venv that an earlier, failed or interrupted run left half-made is made
# again instead of breaking every later run (see scripts/venv-check.sh).
ifneq ($(filter-out clean,$(or $(MAKECMDGOALS),run)),)
ifeq ($(findstring n,$(firstword -$(MAKEFLAGS))),)
$(shell scripts/venv-check.sh $(VENV) >&2)
endif
endif

run: system-run $(VENV)/.installed translations
	$(FLASK) init-db
	$(FLASK) seed-demo --if-empty
	$(FLASK) run --host $(HOST) --port $(PORT)

test: system-test $(VENV)/.installed-test translations
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: system-test $(VENV)/.installed-test translations
	$(BIN)/python -m bench $(BENCH_ARGS)

# Two gunicorn processes and two workers on one PostgreSQL and one Redis, SOAK_SECONDS (default 60) of load.
soak: system-test $(VENV)/.installed-test translations
	$(BIN)/python -m bench.soak $(SOAK_ARGS)

# The portal through gunicorn as deployed under wrk and Locust, on PostgreSQL and SQLite (bench/load.py).
load: system-test $(VENV)/.installed-test translations
	$(BIN)/python -m bench.load $(LOAD_ARGS)

system-run:
	@scripts/system-packages.sh run

system-test:
	@scripts/system-packages.sh test

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); exit 1; }

$(VENV)/.installed: $(VENV)/bin/python pyproject.toml
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(BIN)/pip install -q -e '.[test]'
	touch $@

# Compiled catalogs are build output, never committed. Babel names zh_CN
# "zh_Hans_CN", hence the folder name.
translations: $(VENV)/.installed
	@$(BIN)/pybabel compile -d portal/translations >/dev/null 2>&1

# New strings: `python scripts/catalog.py missing` lists them; add their Chinese
# with `python scripts/catalog.py set < file.tsv` (msgid TAB msgstr per line).
clean:
	rm -rf $(VENV) .pytest_cache

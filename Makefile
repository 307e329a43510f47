# Two entry points: `make run` starts the bot (sandbox when BOT_TOKEN is not set),
# `make test` runs the whole test suite; `make check` is the everyday loop: lint and every test
# that starts no process (no kill -9, e2e, browser or benchmark runs), under a minute. Both create .venv and install on first use:
# `make run` only what running needs, `make test` also the test tools (the dev extras).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
RUN_STAMP := $(VENV)/.installed-run
STAMP := $(VENV)/.installed
PIP_INSTALL := $(PY) -m pip install --quiet --disable-pip-version-check

.PHONY: run test check lint bench check-content golden clean

$(PY):
	$(PYTHON) -c 'import sys; sys.exit("Python 3.11+ is required") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)

# What running needs: the package and its dependencies.
$(RUN_STAMP): pyproject.toml | $(PY)
	$(PIP_INSTALL) -e .
	touch $(RUN_STAMP)

# Everything: the package with the dev extras (pytest, ruff, playwright, ...).
$(STAMP): pyproject.toml | $(PY)
	$(PIP_INSTALL) -e '.[dev]'
	touch $(RUN_STAMP) $(STAMP)

run: $(RUN_STAMP)
	$(PY) -m bot

test: $(STAMP)
	$(PY) -m ruff check bot tests bench
	$(PY) -m pytest

# The everyday loop, on CHECK_WORKERS processes (pytest-xdist; 0 runs in this one). Bytecode
# is cached (__pycache__, ignored by git) even where PYTHONDONTWRITEBYTECODE is set: compiling
# the bot, the tests and their assertion rewrites again costs seconds per run.
CHECK_WORKERS ?= 2
check: $(STAMP)
	$(PY) -m ruff check bot tests bench
	PYTHONDONTWRITEBYTECODE= $(PY) -m pytest -q -n $(CHECK_WORKERS) \
		-m "not process and not browser and not reliability"

check-content: $(RUN_STAMP)
	$(PY) -m bot check-content

# Rewrite tests/golden/renders/ from the current texts; review the diff before committing.
golden: $(RUN_STAMP)
	$(PY) -m tests.golden

bench: $(STAMP)
	$(PY) -m bench.run $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache

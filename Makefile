# Two entry points: `make run` (the bot; sandbox without a token) and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test install translations sandbox bench outdated

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

translations: $(STAMP)
	$(PY) -m bot compile-translations

# `make run ARGS=--fresh` starts the sandbox over (demo union seeded anew).
run: translations
	$(PY) -m bot run $(ARGS)

test: translations
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(PY) -m pytest -q

bench: translations
	$(PY) -m benchmarks all

# The project's own dependencies (pyproject.toml) that have a newer release than installed.
outdated: $(STAMP)
	$(PY) -m bot.outdated

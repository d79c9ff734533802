# Two entry points: `make run` (the bot; sandbox without a token) and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PYBABEL := $(VENV)/bin/pybabel
# One gettext catalog per language: bot/locales/<locale>/LC_MESSAGES/messages.po.
LOCALES := bot/locales
POT := $(LOCALES)/messages.pot
# The keywords the code marks strings with (bot/i18n.py KEYWORDS): _("…"), N_("…")
# and _.ngettext("one …", "many …", n).
KEYWORDS := --no-default-keywords -k _ -k N_ -k ngettext:1,2

.PHONY: run test install translations extract update-catalogs sandbox bench outdated

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# Compile the catalogs to .mo (run and test depend on it).
translations: $(STAMP)
	$(PYBABEL) compile -d $(LOCALES) -D messages --statistics

# Every string the code marks, into a template (not committed).
extract: $(STAMP)
	$(PYBABEL) extract $(KEYWORDS) --no-location --no-wrap --sort-output \
		--project unionbot -o $(POT) bot handlers surveys storage

# Bring both catalogs in line with the code: new msgids arrive with an empty msgstr to
# fill in (zh_CN and en; tests/bot/test_i18n.py fails until they are), unused ones go.
update-catalogs: extract
	$(PYBABEL) update -i $(POT) -d $(LOCALES) -D messages \
		--no-wrap --no-fuzzy-matching --ignore-obsolete

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

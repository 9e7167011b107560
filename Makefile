# Two commands for a fresh machine: `make demo` and `make test`.
# Both create .venv and install the project on first use; catalogues (.mo) are
# compiled from locales/*.po by the bot at start and by the test session.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test lint

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

demo: $(BIN)/.installed
	$(BIN)/cpc-bot demo

test: $(BIN)/.installed
	$(BIN)/ruff check cpc_bot tests bench
	@# Catalogues: GNU gettext's own check where it is installed, then ours (missing, fuzzy, placeholders).
	@if command -v msgfmt >/dev/null; then for po in locales/*/LC_MESSAGES/*.po; do msgfmt --check -o /dev/null $$po || exit 1; done; fi
	$(BIN)/python -m cpc_bot.i18n.catalog check
	@# One test process per core; tests that share the PostgreSQL and Redis servers stay in one.
	$(BIN)/pytest -n auto --dist loadgroup
	@# The bot's own tests again on PostgreSQL + Redis: a fresh database and key prefix per test.
	CPC_TEST_BACKEND=postgres $(BIN)/pytest -n auto --dist loadgroup tests/parents tests/children \
		tests/professionals tests/store/test_privacy.py tests/i18n/test_languages_journey.py \
		tests/safety/test_safety_bot.py

lint: $(BIN)/.installed
	$(BIN)/ruff check cpc_bot tests bench

# duban: the two set-up commands are `make run` (main job) and `make test` (whole suite).
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
SEEDS := examples/corpus
SHARED ?= ../shared

.PHONY: setup system-packages run test lint typecheck score bench clean

# Debian packages the project needs: a CJK font (tests render scanned pages for OCR; charts in reports),
# chromium (browser tests), LibreOffice Writer and poppler (tests turn a generated .docx into PDF and PNG).
SYSTEM_PACKAGES := fonts-wqy-zenhei fontconfig chromium libreoffice-writer-nogui poppler-utils

system-packages:
	@missing=""; for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  else echo "install with sudo apt-get install$$missing"; fi; \
	fi

$(BIN)/duban: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[dev]"
	@touch $@

setup: system-packages $(BIN)/duban

# The main job: a SQLite ledger in var/ with the demo corpus ingested (idempotent: rerunning adds nothing),
# then the web app on http://127.0.0.1:8000/ with one demo account per role printed.
run: setup
	$(BIN)/duban db upgrade
	$(BIN)/duban ingest $(SEEDS)
	$(BIN)/duban serve --demo

lint: setup
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/lint-imports

typecheck: setup
	$(BIN)/mypy

score: setup
	@if [ -f $(SHARED)/eval/score.py ]; then \
	  rm -rf var/pred && $(BIN)/duban extract $(SHARED)/corpus/seeds/*.txt --format json --out var/pred && \
	  $(BIN)/python bench/check_score.py --pred var/pred --scorer $(SHARED)/eval/score.py; \
	else echo "no $(SHARED)/eval: scorer check skipped"; fi

test: lint typecheck
	$(BIN)/pytest -q -n 2
	$(MAKE) --no-print-directory score

bench: setup
	$(BIN)/python bench/extract.py
	$(BIN)/python bench/ledger.py
	$(BIN)/python bench/web.py
	$(BIN)/python bench/search.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache

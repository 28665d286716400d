# Two commands set everything up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo test lint eval bench bench-quick system-packages clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

## Serve the bundled sample clinic sites on 127.0.0.1, crawl and score them, then serve Datasette.
demo: $(STAMP)
	$(BIN)/clinicscout demo

## System packages the tests need (a headless Chromium); installed when we are root.
system-packages:
	@if command -v chromium >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing Debian chromium for the browser tests…"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else \
		echo "chromium is missing: browser tests will skip. Install it with: sudo apt-get install chromium"; \
	fi

lint: $(STAMP)
	$(BIN)/ruff check .

test: $(STAMP) system-packages
	$(BIN)/ruff check .
	$(BIN)/pytest -q

## Precision/recall of the scorer on the real clinic sites of ../shared/corpus.
eval: $(STAMP)
	$(BIN)/python -m clinicscout.evaluate --corpus ../shared/corpus --report eval/report.txt

bench: $(STAMP)
	$(BIN)/python -m bench.run

bench-quick: $(STAMP)
	$(BIN)/python -m bench.run --quick

clean:
	rm -rf $(VENV) data/clinics.db* tests/artifacts .pytest_cache

# Renkou: two commands on a fresh machine — `make demo` and `make test` (see README).
PYTHON ?= python3
UV_VERSION := 0.13.8
VENV := .venv
UV := .tools/bin/uv

.PHONY: demo test install system-deps lint bench clean

demo: install system-deps
	$(VENV)/bin/renkou demo

test: install system-deps
	$(VENV)/bin/pytest $(PYTEST_ARGS)

install: $(VENV)/.synced

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.synced: uv.lock pyproject.toml $(UV)
	$(UV) sync --frozen --python $(PYTHON)
	touch $@

system-deps:
	@bash scripts/system-deps.sh

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy renkou

bench: install
	$(VENV)/bin/python bench/run_all.py

clean:
	rm -rf $(VENV) .tools var

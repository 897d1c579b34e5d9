# Two commands do all the set-up on a fresh machine: `make demo` and `make test`.
# Both depend on `make install`, which creates .venv and installs the project with its dev tools.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install demo test unit-test integration-test bench lint clean lock

install: $(STAMP)

# The dev tooling (notion_emulator, testkit, bench, demo, the tests) is not in the source-notion wheel: the
# repository root on the venv's path (devtools.pth) makes it importable from anywhere, as an installed package is.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	$(PY) -c 'import pathlib, sysconfig; pathlib.Path(sysconfig.get_paths()["purelib"], "devtools.pth").write_text(str(pathlib.Path.cwd()) + "\n")'
	touch $(STAMP)

demo: install
	$(PY) -m demo

# make lint first: a style, type or layering finding fails the run (and CI, which runs make test) before a test runs.
# The tests run on PYTEST_WORKERS processes (pytest-xdist): most of their time is the connector's subprocesses and
# the emulator, so two workers keep both cores busy (25:45 -> 14:09 on the 2-core machine). The image tests stay on
# one worker (docker_harness.py: one build). PYTEST_WORKERS=0 runs them in this process, one at a time.
PYTEST_WORKERS ?= 2
PYTEST_PARALLEL = $(if $(filter 0,$(PYTEST_WORKERS)),,-n $(PYTEST_WORKERS) --dist loadgroup)
test: lint
	$(PY) -m pytest $(PYTEST_PARALLEL)

unit-test: install
	$(PY) -m pytest unit_tests

integration-test: install
	$(PY) -m pytest $(PYTEST_PARALLEL) integration_tests

# requirements.lock: the runtime dependencies, pinned with hashes, that the Docker image installs.
lock: install
	$(PY) -m pip install --quiet uv
	$(VENV)/bin/uv pip compile pyproject.toml --native-tls --generate-hashes --python-version 3.11 \
		--python-platform x86_64-manylinux_2_28 --quiet -o requirements.lock

# make bench BENCH_ARGS="--skip-peer --scenarios full": any option of `python -m bench --help`.
bench: install
	$(PY) -m bench $(BENCH_ARGS)

# Style (ruff), types (mypy: strict for source_notion) and the layering contract (import-linter), all configured
# in pyproject.toml. `make lint LINT_PATHS="bench testkit"` checks part of the tree.
LINT_PATHS ?= conftest.py source_notion notion_emulator testkit bench demo integration_tests unit_tests
lint: install
	$(VENV)/bin/ruff check $(LINT_PATHS)
	$(VENV)/bin/ruff format --check $(LINT_PATHS)
	$(VENV)/bin/mypy $(LINT_PATHS)
	$(VENV)/bin/lint-imports

clean:
	rm -rf $(VENV) demo-output bench-output .pytest_cache

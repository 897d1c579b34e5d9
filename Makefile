# Two commands do all the set-up on a fresh machine: `make demo` and `make test`.
# Both depend on `make install`, which creates .venv and installs the project with its dev tools.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install demo test unit-test integration-test bench clean lock

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: install
	$(PY) -m demo

test: install
	$(PY) -m pytest

unit-test: install
	$(PY) -m pytest unit_tests

integration-test: install
	$(PY) -m pytest integration_tests

# requirements.lock: the runtime dependencies, pinned with hashes, that the Docker image installs.
lock: install
	$(PY) -m pip install --quiet uv
	$(VENV)/bin/uv pip compile pyproject.toml --native-tls --generate-hashes --python-version 3.11 \
		--python-platform x86_64-manylinux_2_28 --quiet -o requirements.lock

# make bench BENCH_ARGS="--skip-peer --scenarios full": any option of `python -m bench --help`.
bench: install
	$(PY) -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) demo-output bench-output .pytest_cache

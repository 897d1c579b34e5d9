# The source-notion connector image, built the Airbyte way: `docker build .`, with BASE_IMAGE defaulting to
# Airbyte's Python connector base (Python 3.11). Where Docker Hub is unreachable, build with
# `--build-arg BASE_IMAGE=local/python-base:3.11-bookworm` (made by .ci/ensure-docker.sh, same Python).
ARG BASE_IMAGE=docker.io/airbyte/python-connector-base:4.0.2@sha256:9fdb1888c4264cf6fee473649ecb593f56f58e5d0096a87ee0b231777e2e3e73

# ---- build: install the locked dependencies and the package into a virtual environment ----------------
FROM ${BASE_IMAGE} AS build
# A virtual environment keeps our packages apart from the base image's own and is one directory to copy.
RUN python3 -m venv /opt/source-notion
ENV PATH=/opt/source-notion/bin:$PATH PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /build
# Dependencies first (their layer is reused while only the package changes), exactly as locked: every
# distribution is pinned and hash-checked, nothing else is resolved.
COPY requirements.lock ./
RUN pip install --no-compile --require-hashes --no-deps -r requirements.lock
COPY pyproject.toml README.md ./
COPY source_notion ./source_notion
# No build isolation: the package is built with the locked setuptools already installed, so the build
# itself fetches nothing unpinned.
RUN pip install --no-compile --no-deps --no-build-isolation . \
    && pip check
# What the connector never runs: pip and setuptools (airbyte-cdk declares setuptools but never imports it
# or pkg_resources), and the test suites that pandas, numpy and others ship inside their packages.
RUN pip uninstall --yes --quiet pip setuptools \
    && find /opt/source-notion -depth -type d \( -name tests -o -name __pycache__ \) -exec rm -rf {} + \
    && rm -f /opt/source-notion/bin/activate* /opt/source-notion/bin/Activate.ps1
# Bytecode only for what the connector imports, written by running `spec` once (which also stops a build
# whose connector cannot even start): it starts faster (the image's user cannot write bytecode at run time:
# measured 1.9 s -> 1.3 s for `docker run IMAGE spec`) for about 10 MB, while the never-imported bulk of the
# dependencies (most of pandas, numpy, nltk, ...) stays source only.
RUN source-notion spec >/dev/null

# ---- final: the base image plus the environment, run as airbyte (uid 1000) ---------------------------
FROM ${BASE_IMAGE}
# Airbyte's base image has the airbyte user; a plain Debian base does not.
RUN id -u airbyte >/dev/null 2>&1 || useradd --uid 1000 --user-group --create-home --shell /bin/sh airbyte
COPY --from=build /opt/source-notion /opt/source-notion
ENV PATH=/opt/source-notion/bin:$PATH \
    AIRBYTE_ENTRYPOINT=source-notion \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1
LABEL io.airbyte.name=source-notion/source-notion \
      io.airbyte.version=0.4.1
WORKDIR /airbyte
USER airbyte
ENTRYPOINT ["source-notion"]

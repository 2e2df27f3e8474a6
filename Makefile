# Pennydesk: `make dev` runs the whole product locally on moto; `make test` runs every check.
# Everything is installed into this folder (.venv for the app, .tools for uv, sam and cfn-lint),
# each from a pinned version, and each step is skipped when its inputs have not changed.

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON_VERSION := 3.13
PYTHON ?= $(shell command -v python$(PYTHON_VERSION) 2>/dev/null || echo python$(PYTHON_VERSION))
UV_VERSION := 0.13.8
SAM_VERSION := 1.170.0
CFN_LINT_VERSION := 1.58.0
CHECKOV_VERSION := 3.3.30

TOOLS := .tools
UV := $(TOOLS)/bootstrap/bin/uv
SAM := $(TOOLS)/bin/sam
CFN_LINT := $(TOOLS)/bin/cfn-lint
CHECKOV := $(TOOLS)/bin/checkov
# apt-get needs root; on a workstation that means sudo.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
VENV_STAMP := .venv/.synced-$(UV_VERSION)
PY := .venv/bin/python

export UV_PYTHON_DOWNLOADS := never
export UV_TOOL_DIR := $(abspath $(TOOLS)/uv-tools)
export UV_TOOL_BIN_DIR := $(abspath $(TOOLS)/bin)
export SAM_CLI_TELEMETRY := 0
export SAM_CLI_CONTAINER_CONNECTION_TIMEOUT := 1

.PHONY: help setup tools browser dev test test-fast lint check-layer layer-requirements sam-validate cfn-lint checkov sam-build bench upload-site clean

help:
	@echo "make dev     set up and start the local stack on http://127.0.0.1:$${PORT:-3000} (PORT overrides)"
	@echo "make test    set up and run every check: lint, pytest (unit, integration, e2e), sam validate, cfn-lint, sam build"
	@echo "make bench   sam build, then cold start, latency, DynamoDB-call, flat-as-data-grows and cost figures (ARGS=--quick: short run)"
	@echo "make clean   remove .venv, .tools and build output"

$(UV):
	@echo "==> bootstrapping uv $(UV_VERSION) with $(PYTHON)"
	@$(PYTHON) -m venv $(TOOLS)/bootstrap
	@$(TOOLS)/bootstrap/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV_STAMP): uv.lock pyproject.toml | $(UV)
	@echo "==> syncing .venv from uv.lock"
	@$(UV) sync --frozen --python $(PYTHON) --quiet
	@touch $@

setup: $(VENV_STAMP)

$(SAM): | $(UV)
	@echo "==> installing aws-sam-cli $(SAM_VERSION) in its own tool environment"
	@$(UV) tool install --quiet --python $(PYTHON) aws-sam-cli==$(SAM_VERSION)

$(CFN_LINT): | $(UV)
	@echo "==> installing cfn-lint $(CFN_LINT_VERSION) in its own tool environment"
	@$(UV) tool install --quiet --python $(PYTHON) cfn-lint==$(CFN_LINT_VERSION)

$(CHECKOV): | $(UV)
	@echo "==> installing checkov $(CHECKOV_VERSION) in its own tool environment"
	@$(UV) tool install --quiet --python $(PYTHON) checkov==$(CHECKOV_VERSION)

tools: $(SAM) $(CFN_LINT) $(CHECKOV)

# The browser tests drive Debian's chromium through Playwright (Playwright's own browser download is
# not reachable from CI), so the project installs it from the Debian archive when it is missing.
browser:
	@command -v chromium >/dev/null || { \
		echo "==> installing Debian's chromium for the browser tests"; \
		$(SUDO) apt-get update -qq && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null; }

dev: setup
	@$(PY) -m infra.local

# The layer's requirements.txt is what `sam build` installs; it is exported from uv.lock so the
# deployed versions are exactly the ones the tests ran against.
layer-requirements: | $(UV)
	@$(UV) export --frozen --no-dev --no-emit-project --no-hashes --no-header --quiet \
		| sed -e '1i # Exported from uv.lock by `make layer-requirements`; do not edit by hand.' \
		> layers/shared/requirements.txt

check-layer: | $(UV)
	@diff <($(UV) export --frozen --no-dev --no-emit-project --no-hashes --no-header --quiet) \
		<(grep -v '^#' layers/shared/requirements.txt) >/dev/null \
		|| { echo "layers/shared/requirements.txt is stale: run make layer-requirements"; exit 1; }
	@echo "==> layer requirements match uv.lock"

lint: setup
	@echo "==> ruff"
	@.venv/bin/ruff check .

sam-validate: $(SAM)
	@echo "==> sam validate --lint"
	@$(SAM) validate --lint --region us-east-1

cfn-lint: $(CFN_LINT)
	@echo "==> cfn-lint"
	@$(CFN_LINT) template.yaml

# Skipped checks and the reason for each live in .checkov.yaml, nowhere else.
checkov: $(CHECKOV)
	@echo "==> checkov"
	@$(CHECKOV) --config-file .checkov.yaml --quiet --compact

sam-build: $(SAM)
	@echo "==> sam build (python$(PYTHON_VERSION), arm64, no Docker)"
	@$(SAM) build --cached --parallel > .aws-sam-build.log 2>&1 \
		|| { cat .aws-sam-build.log; exit 1; }
	@grep -m1 "Build Succeeded" .aws-sam-build.log

test-fast: setup
	@$(PY) -m pytest -q -n 2 --dist loadfile

test: setup tools browser check-layer lint sam-validate cfn-lint checkov
	@echo "==> pytest"
	@$(PY) -m pytest -q -n 2 --dist loadfile
	@$(MAKE) --no-print-directory sam-build

bench: setup sam-build
	@$(PY) -m bench $(ARGS)

# After `sam deploy`: put infra/site in the stack's bucket and invalidate CloudFront (docs/operations.md).
# STACK defaults to samconfig.toml's default stack; REGION to your AWS configuration's.
upload-site: setup
	@$(PY) -m infra.upload_site --stack-name $(or $(STACK),pennydesk) $(if $(REGION),--region $(REGION))

clean:
	rm -rf .venv $(TOOLS) .aws-sam .aws-sam-build.log .pytest_cache .ruff_cache

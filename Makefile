# The two commands of the course (see README.md):
#   make lab    set up (first time only) and open the course in JupyterLab
#   make test   set up (first time only) and run every test, in fast mode and offline
# Other targets: make setup | execute [NB=01] | lint | benchmark | checkpoint | clean

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
# Colab runs ipywidgets 7.7.1: the widget tests run a second time with it, from a small overlay
# folder put in front of the virtualenv's ipywidgets 8 (PYTHONPATH), so no second env is needed.
W7     := $(VENV)/ipywidgets7
TORCH_CPU_INDEX := https://download.pytorch.org/whl/cpu
TEST_ENV := COURSE_FAST=1 COURSE_OFFLINE_GUARD=1 HF_HUB_OFFLINE=1 MPLBACKEND=Agg

.PHONY: setup lab test test-unit test-widgets7 test-notebooks execute lint benchmark browser-test checkpoint clean

setup: $(STAMP)

$(STAMP): pyproject.toml Makefile
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@# A CPU build of torch first: 2.13.0 from a local wheel where there is one, else PyTorch's
	@# CPU index; if neither works, the next step lets pip choose torch (any 2.x satisfies us).
	@$(PY) -c "import torch" 2>/dev/null \
	  || $(PY) -m pip install -q "torch==2.13.0" 2>/dev/null \
	  || $(PY) -m pip install -q torch --index-url $(TORCH_CPU_INDEX) \
	  || echo "note: no CPU torch wheel found; pip will pick torch itself"
	$(PY) -m pip install -q -e ".[course,dev]"
	$(PY) -m pip install -q --upgrade --no-deps --target $(W7) "ipywidgets==7.7.1" "ipython_genutils==0.2.0"
	$(PY) -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (nn-course)" >/dev/null
	@touch $(STAMP)
	@echo "setup done: $(VENV) is ready"

lab: setup
	$(VENV)/bin/jupyter lab --notebook-dir=notebooks $(LAB_ARGS)

test: setup lint test-unit test-widgets7 test-notebooks

test-unit:
	$(TEST_ENV) $(PY) -m pytest tests

# The widget tests again, on Colab's ipywidgets 7.7.1.
test-widgets7:
	$(TEST_ENV) PYTHONPATH=$(W7) EXPECT_IPYWIDGETS=7.7.1 $(PY) -m pytest -m widgets tests

test-notebooks:
	$(TEST_ENV) $(PY) -m pytest notebooks

execute: setup
	$(PY) tools/build_notebooks.py $(NB)

lint: setup
	$(VENV)/bin/ruff check utils tests tools benchmarks images notebooks/src

benchmark: setup
	$(PY) benchmarks/widget_latency.py
	$(PY) benchmarks/widget_latency_02_03.py
	$(PY) benchmarks/sequence_widgets.py
	$(PY) benchmarks/gpt_widget_latency.py
	$(PY) benchmarks/generate.py
	$(PY) benchmarks/train_gpt.py
	$(PY) benchmarks/training_widgets.py

# Runs notebooks in a real JupyterLab in headless Chromium and checks every widget renders and
# reacts (NB=01 for one notebook). Needs Debian's chromium; installed here when run as root.
browser-test: setup
	@test -x /usr/bin/chromium || (command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ] \
	  && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) \
	  || { echo "install Debian's chromium (/usr/bin/chromium) first"; exit 2; }
	$(PY) -m pip install -q -e ".[course,dev,browser]"
	$(PY) tools/browser_test.py $(if $(NB),$(NB),--all)

# Rebuild the shipped Shakespeare GPT (data/shakespeare_gpt.pt, ~10 min on 2 cores); notebooks 07-10 load it.
checkpoint: setup
	$(PY) tools/train_checkpoint.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache

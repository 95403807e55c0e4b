"""utils.lazy: the packages that load their modules on first use."""

import subprocess
import sys

import pytest


def test_a_view_loads_only_its_own_module():
    code = ("import sys, utils.widgets as w; w.PerceptronPlayground; "
            "print('utils.widgets.perceptron' in sys.modules, 'utils.widgets.attention' in sys.modules, "
            "'utils.models' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["True", "False", "False"]


def test_unknown_names_and_dir():
    import utils.diagrams
    import utils.widgets

    with pytest.raises(AttributeError, match="'utils.widgets' has no attribute 'NoSuchView'"):
        utils.widgets.NoSuchView  # noqa: B018
    assert {"PerceptronPlayground", "LossCurves"} <= set(dir(utils.widgets))
    assert "gpt_architecture" in dir(utils.diagrams)
    assert utils.diagrams.gpt_architecture is sys.modules["utils.diagrams.gpt"].gpt_architecture

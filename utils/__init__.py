"""The shared package of the course "How neural networks work — from a perceptron to ChatGPT".

Notebooks start with ``import utils; utils.setup()``. The modules come in layers, one per
notebook that introduces them (each says so in ``INTRODUCED_IN``); ``utils/README.md`` lists them
and ``tests/test_layering.py`` checks that no module or notebook reaches up to a later layer.
``import utils`` itself loads only the bottom layer (config, checks, setup): no torch model code.
"""

from .checks import assert_close, assert_decreased
from .config import fast, get_device, is_fast, seed_everything
from .notebook_setup import setup

INTRODUCED_IN = "00"

__all__ = ["assert_close", "assert_decreased", "fast", "get_device", "is_fast", "seed_everything", "setup"]
__version__ = "0.1.0"

"""How many torch threads should ``utils.setup()`` choose? Measured, idle and with a busy core.

For 1 and 2 threads: the median time of a training step of notebook 04's digit MLP, notebook 05's
character LSTM and notebook 08's demo GPT, and of a widget update that runs a model (notebook 05's
temperature sampler), first as the machine is, then with a busy-loop process holding one core,
as a browser or a video call does on a laptop (at the same priority: ``--nice`` lowers it).

Measured 2026-11-25 on the course's shared 2-core build machine (several jobs running; medians, ms):

    load average ~2       threads  MLP   LSTM   GPT   widget
      as is                   1    0.39    45    72     89
      as is                   2    0.48    24    46     99
    load average ~12 (notebook builds and tests of other jobs beside it)
      as is                   1    0.62   349   576    747
      as is                   2    2.47  4277  2773   8875
      one core busy           1    0.69   573   926   1732
      one core busy           2     169  8768  7160  12919

Two threads win up to 2x on a nearly idle machine and lose 4-250x on a busy one, so the
default is one thread (``utils.config.DEFAULT_THREADS``); ``COURSE_THREADS=2`` opts in. Run: ``.venv/bin/python benchmarks/threads.py`` (about a minute).
"""

from __future__ import annotations

import subprocess
import sys
import time

import torch

sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parent))
from timing import median_ms  # noqa: E402

from utils.data import CharTokenizer, shakespeare  # noqa: E402
from utils.models import GPT, GPTConfig  # noqa: E402
from utils.rnn import CharLSTM  # noqa: E402
from utils.widgets import TemperatureSampler  # noqa: E402


def gpt_step_ms(repeats: int) -> float:
    torch.manual_seed(0)
    model = GPT(GPTConfig(vocab_size=76, block_size=64, n_layer=3, n_head=4, n_embd=128))
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
    x = torch.randint(76, (16, 64))

    def step(_):
        _, loss = model(x, x)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    return median_ms(step, [0], repeats)


def lstm_step_ms(repeats: int) -> float:
    torch.manual_seed(0)
    model = CharLSTM(76)
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    x = torch.randint(76, (32, 64))

    def step(_):
        loss = torch.nn.functional.cross_entropy(model(x).flatten(0, 1), x.flatten())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    return median_ms(step, [0], repeats)


def mlp_step_ms(repeats: int) -> float:
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(64, 32), torch.nn.ReLU(), torch.nn.Linear(32, 10))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    x, y = torch.randn(64, 64), torch.randint(10, (64,))

    def step(_):
        loss = torch.nn.functional.cross_entropy(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    return median_ms(step, [0] * 4, repeats * 10)


def widget_ms(view: TemperatureSampler, repeats: int) -> float:
    return median_ms(lambda t: setattr(view.temperature, "value", t), [0.5, 0.8, 1.1, 1.4], repeats)


NICE = int(sys.argv[sys.argv.index("--nice") + 1]) if "--nice" in sys.argv else 0


def main() -> None:
    tokenizer = CharTokenizer(shakespeare("full"))
    torch.manual_seed(0)
    view = TemperatureSampler(CharLSTM(tokenizer.vocab_size), tokenizer)
    print(f"{'load':<14}{'threads':>8}{'MLP step ms':>13}{'LSTM step ms':>14}{'GPT step ms':>13}{'widget ms':>11}")
    for load in ("as is", "one core busy"):
        busy = None
        if load != "as is":
            busy = subprocess.Popen(["nice", "-n", str(NICE), sys.executable, "-c", "while True: pass"])
            time.sleep(0.5)
        try:
            for threads in (1, 2):
                torch.set_num_threads(threads)
                print(f"{load:<14}{threads:>8}{mlp_step_ms(15):>13.2f}{lstm_step_ms(8):>14.1f}{gpt_step_ms(12):>13.1f}"
                      f"{widget_ms(view, 12):>11.1f}", flush=True)
        finally:
            if busy is not None:
                busy.kill()
                busy.wait()


if __name__ == "__main__":
    main()

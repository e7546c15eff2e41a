"""Unit tests of tools/python/neurolens_export.py (issue 18 steps 1-2): wrap, the trace check at other
lengths, attention lowering, the newer-operator scan, from_cebra (when cebra is importable), from_poyo's
PoyoEncoder on a stand-in with POYO's layout (torch_brain itself needs PyTorch 2.x: from_poyo against the real
POYO runs only where torch_brain imports), and the committed POYO file (tests/data/models/poyo_m1.pt).

Run: python tests/cli/python/test_neurolens_export.py   (exit 77 without torch: CTest skips)
"""
import contextlib
import io
import json
import math
import os
import subprocess
import sys
import tempfile
import unittest
import warnings
import zipfile

try:
    import torch
    import torch.nn.functional as F
except ImportError as error:  # pragma: no cover
    print(f"no torch: {error}", file=sys.stderr)
    sys.exit(77)

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "tools", "python"))
import neurolens_export as nx  # noqa: E402

try:
    import cebra  # noqa: F401
    HAVE_CEBRA = True
except ImportError:
    HAVE_CEBRA = False

try:
    from torch_brain.models import POYO
    HAVE_TORCH_BRAIN = True
except Exception:  # ImportError, or torch_brain failing over torch 1.13
    HAVE_TORCH_BRAIN = False

POYO_FILE = os.path.join(HERE, "..", "..", "data", "models", "poyo_m1.pt")


class GRUEncoder(torch.nn.Module):
    def __init__(self, units: int = 5):
        super().__init__()
        self.gru = torch.nn.GRU(units, 8, batch_first=True)
        self.readout = torch.nn.Linear(8, units)

    def forward(self, x: torch.Tensor):
        hidden, _ = self.gru(torch.log1p(x))
        return {"latents": hidden, "log_rates": self.readout(hidden)}


class LengthBaked(torch.nn.Module):
    """Divides by the number of bins as a Python float: a trace freezes the example's length."""

    def __init__(self):
        super().__init__()
        self.proj = torch.nn.Linear(5, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cumsum(self.proj(x), dim=1) / float(x.shape[1])


class AttentionEncoder(torch.nn.Module):
    def __init__(self, batch_first: bool = True):
        super().__init__()
        self.batch_first = batch_first
        self.embed = torch.nn.Linear(5, 16)
        self.attention = torch.nn.MultiheadAttention(16, 4, batch_first=batch_first)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.embed(torch.log1p(x))
        if not self.batch_first:
            h = h.transpose(0, 1)
        out = self.attention(h, h, h, need_weights=False)[0]
        return out if self.batch_first else out.transpose(0, 1)


def _fake_newer_sdpa(query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None):
    """Stands in for PyTorch 2.x's F.scaled_dot_product_attention in this 1.13: eager calls compute
    attention; TorchScript sees the builtin aten::scaled_dot_product_attention (registered below), which
    1.13 lacks, exactly as 2.x scripts the real one."""
    weights = torch.softmax(query @ key.transpose(-2, -1) / math.sqrt(float(query.shape[-1])), dim=-1)
    return weights @ value


torch.jit._builtins._register_builtin(_fake_newer_sdpa, "aten::scaled_dot_product_attention")


class SdpaEncoder(torch.nn.Module):
    """Attention as POYO writes it: a direct call of F.scaled_dot_product_attention."""

    def __init__(self):
        super().__init__()
        self.qkv = torch.nn.Linear(5, 24)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        qkv = self.qkv(torch.log1p(x)).reshape(x.shape[0], x.shape[1], 3, 2, 4).permute(2, 0, 3, 1, 4)
        out = F.scaled_dot_product_attention(qkv[0], qkv[1], qkv[2])
        return out.transpose(1, 2).reshape(x.shape[0], x.shape[1], 8)


class SdpaEncoderKept(SdpaEncoder):
    """The same, scripted without lowering (a class of its own: TorchScript caches per class)."""


class TransformerLayerEncoder(torch.nn.Module):
    """nn.TransformerEncoderLayer: PyTorch 2.x scripts its fast path, which calls self_attn.merge_masks."""

    def __init__(self):
        super().__init__()
        self.embed = torch.nn.Linear(5, 16)
        self.layer = torch.nn.TransformerEncoderLayer(16, 4, 32, batch_first=True, dropout=0.0)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.layer(self.embed(torch.log1p(x)))


class _StandInAttention(torch.nn.Module):
    """The attributes PoyoEncoder reads from torch_brain's RotaryCrossAttention / RotarySelfAttention."""

    def __init__(self, dim: int, heads: int, dim_head: int, cross: bool, rotate_value: bool):
        super().__init__()
        inner = heads * dim_head
        self.heads, self.rotate_value = heads, rotate_value
        self.norm = torch.nn.LayerNorm(dim)
        if cross:
            self.norm_context = torch.nn.LayerNorm(dim)
            self.to_q = torch.nn.Linear(dim, inner, bias=False)
            self.to_kv = torch.nn.Linear(dim, 2 * inner, bias=False)
        else:
            self.to_qkv = torch.nn.Linear(dim, 3 * inner, bias=False)
        self.to_out = torch.nn.Linear(inner, dim)


class StandInPoyo(torch.nn.Module):
    """torch_brain POYO's layout (names, shapes, vocabularies with index 0 for padding), random weights."""

    def __init__(self, units: int = 4, dim: int = 8, dim_head: int = 4):
        super().__init__()
        self.unit_emb = torch.nn.Embedding(units + 1, dim)
        self.session_emb = torch.nn.Embedding(3, dim)
        self.token_type_emb = torch.nn.Embedding(4, dim)
        self.latent_emb = torch.nn.Embedding(2, dim)
        self.rotary_emb = torch.nn.Module()
        omega = torch.zeros(dim_head // 2)
        omega[:1] = 2 * math.pi / 0.3
        self.rotary_emb.register_buffer("omega", omega)
        ffn = lambda: torch.nn.Sequential(torch.nn.LayerNorm(dim), torch.nn.Linear(dim, dim))  # noqa: E731
        self.enc_atn = _StandInAttention(dim, 1, dim_head, cross=True, rotate_value=True)
        self.enc_ffn = ffn()
        self.proc_layers = torch.nn.ModuleList(
            [torch.nn.Sequential(_StandInAttention(dim, 2, dim_head, cross=False, rotate_value=True), ffn())])
        self.dec_atn = _StandInAttention(dim, 1, dim_head, cross=True, rotate_value=False)
        self.dec_ffn = ffn()
        self.readout = torch.nn.Linear(dim, 2)
        self.latent_step, self.num_latents_per_step, self.dim = 0.1, 2, dim


def stand_in_encoder(window_bins: int = 5):
    torch.manual_seed(3)
    poyo = StandInPoyo().eval()
    unit_index = torch.tensor([[4, 2, 1, 3], [1, 2, 0, 0]])  # session 1 has two units
    return poyo, nx.PoyoEncoder(poyo, unit_index, torch.tensor([4, 2]), torch.tensor([1, 2]), 0.05,
                                window_bins).eval()


class ExportTests(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        torch.manual_seed(0)

    def tearDown(self):
        self.dir.cleanup()

    def path(self, name: str) -> str:
        return os.path.join(self.dir.name, name)

    def test_wrap_scripts_writes_metadata_and_compares_at_three_lengths(self):
        model = GRUEncoder()
        metadata = nx.wrap(model, self.path("gru.pt"), units=5, bins=20, bin_ms=20, name="GRU",
                           trained_on="demo", outputs={"latents": "latents", "log_rates": "log_rates"})
        self.assertEqual(metadata["units"], 5)
        self.assertEqual(metadata["latents"], 8)
        self.assertEqual(metadata["bin_ms"], 20)
        files = {nx.METADATA_FILE: ""}
        torch.jit.load(self.path("gru.pt"), _extra_files=files)
        self.assertEqual(json.loads(files[nx.METADATA_FILE])["name"], "GRU")
        checked = nx.check_file(self.path("gru.pt"), 5, 20, reference=model)
        self.assertEqual(checked["bins_compared"], [20, 10, 40])
        self.assertFalse(os.path.exists(self.path("gru.pt.partial")))

    def test_trace_that_bakes_the_length_in_is_refused_with_the_reason(self):
        with self.assertRaises(nx.ExportError) as caught:
            nx.wrap(LengthBaked(), self.path("baked.pt"), units=5, bins=20, method="trace")
        message = str(caught.exception)
        self.assertIn("torch.jit.trace", message)
        self.assertIn("at 10 bins", message)
        self.assertIn("baked.pt", message)
        self.assertNotIn(".partial", message)
        self.assertFalse(os.path.exists(self.path("baked.pt")))
        self.assertFalse(os.path.exists(self.path("baked.pt.partial")))
        nx.wrap(LengthBaked(), self.path("scripted.pt"), units=5, bins=20)  # scripting keeps the length

    def test_math_multihead_attention_equals_torch(self):
        for batch_first in (True, False):
            attention = torch.nn.MultiheadAttention(16, 4, batch_first=batch_first).eval()
            lowered = nx.MathMultiheadAttention(attention).eval()
            scripted = torch.jit.script(lowered)
            x = torch.randn(3, 7, 16) if batch_first else torch.randn(7, 3, 16)
            causal = torch.ones(7, 7, dtype=torch.bool).triu(1)
            padding = torch.zeros(3, 7, dtype=torch.bool)
            padding[1, 5:] = True
            for kwargs in ({}, {"attn_mask": causal}, {"key_padding_mask": padding},
                           {"attn_mask": torch.randn(7, 7)}, {"average_attn_weights": False}):
                with torch.no_grad():
                    want = attention(x, x, x, **kwargs)
                    for got in (lowered(x, x, x, **kwargs), scripted(x, x, x, **kwargs)):
                        self.assertLess(float((got[0] - want[0]).abs().max()), 1e-5, kwargs)
                        self.assertLess(float((got[1] - want[1]).abs().max()), 1e-5, kwargs)
        unbatched = torch.randn(7, 16)
        attention = torch.nn.MultiheadAttention(16, 4).eval()
        with torch.no_grad():
            want = attention(unbatched, unbatched, unbatched)
            got = nx.MathMultiheadAttention(attention)(unbatched, unbatched, unbatched)
        self.assertLess(float((got[0] - want[0]).abs().max()), 1e-5)

    def test_wrap_lowers_multihead_attention_and_says_so(self):
        for batch_first in (True, False):
            said = io.StringIO()
            with contextlib.redirect_stderr(said):
                metadata = nx.wrap(AttentionEncoder(batch_first), self.path("mha.pt"), units=5, bins=12,
                                   lower=True)
            self.assertEqual(metadata["lowered"], ["attention"])
            self.assertIn("lowered attention to matmul + softmax", said.getvalue())
            code = "".join(zipfile.ZipFile(self.path("mha.pt")).read(name).decode()
                           for name in zipfile.ZipFile(self.path("mha.pt")).namelist() if name.endswith(".py"))
            self.assertNotIn("multi_head_attention", code)
            self.assertEqual(nx.operators_newer_than_1_13(self.path("mha.pt")), [])

    def test_wrap_lowers_scaled_dot_product_attention_where_torch_has_it(self):
        # Simulates PyTorch 2.x in this 1.13: F.scaled_dot_product_attention exists and calls the operator.
        had = hasattr(F, "scaled_dot_product_attention")
        original = getattr(F, "scaled_dot_product_attention", None)
        if not had:
            F.scaled_dot_product_attention = _fake_newer_sdpa
        try:
            model = SdpaEncoder().eval()
            x = nx.example_counts(2, 9, 5)
            if not had:
                kept = SdpaEncoderKept().eval()
                with self.assertRaises(Exception) as caught:
                    torch.jit.script(kept)  # what scripting without lowering gives
                self.assertIn("aten::scaled_dot_product_attention", str(caught.exception))
                with self.assertRaises(Exception), warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    nx.wrap(kept, self.path("kept.pt"), units=5, bins=9, lower=False, method="script")
            said = io.StringIO()
            with contextlib.redirect_stderr(said):
                metadata = nx.wrap(model, self.path("sdpa.pt"), units=5, bins=9)
            self.assertIn("torch.nn.functional.scaled_dot_product_attention", metadata["lowered"])
            self.assertNotIn("traced", metadata["exported_with"])  # scripted, the call lowered
            self.assertNotIn("lowered", nx.wrap(GRUEncoder(), self.path("gru.pt"), units=5, bins=9,
                                                outputs={"latents": "latents"}))  # nothing to lower
            self.assertIn("lowered", said.getvalue())
            self.assertIs(F.scaled_dot_product_attention, _fake_newer_sdpa if not had else original)
            # The file computes softmax(q k^T / sqrt(d)) v.
            q, k, v = model.qkv(torch.log1p(x)).reshape(2, 9, 3, 2, 4).permute(2, 0, 3, 1, 4)
            weights = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(4.0), dim=-1)
            want = (weights @ v).transpose(1, 2).reshape(2, 9, 8)
            with torch.no_grad():
                got = torch.jit.load(self.path("sdpa.pt"))(x)
            self.assertLess(float((got - want).abs().max()), 1e-5)
        finally:
            if had:
                F.scaled_dot_product_attention = original
            else:
                del F.scaled_dot_product_attention

    def test_newer_operator_found_in_a_file_and_by_the_command_line(self):
        newer = self.path("newer.pt")
        subprocess.run([sys.executable, os.path.join(HERE, "make_newer_operator_model.py"), newer], check=True)
        self.assertEqual(nx.operators_newer_than_1_13(newer), ["aten::scaled_dot_product_attention"])
        result = subprocess.run([sys.executable, nx.__file__, newer], capture_output=True, text=True)
        self.assertEqual(result.returncode, 3)
        self.assertIn("scaled_dot_product_attention", result.stderr)
        self.assertTrue(result.stderr.startswith("error: "))

    @unittest.skipUnless(HAVE_CEBRA, "cebra is not importable")
    def test_from_cebra_equals_transform(self):
        import numpy as np
        torch.set_num_threads(1)
        rng = np.random.default_rng(0)
        counts = rng.poisson(1.0, size=(400, 12)).astype(np.float32)
        for architecture, field in (("offset10-model", [-5, 4]), ("offset5-model", [-2, 2]),
                                    ("offset1-model", [0, 0])):
            estimator = cebra.CEBRA(model_architecture=architecture, batch_size=64, output_dimension=3,
                                    max_iterations=5, device="cpu", verbose=False)
            estimator.fit(counts)
            path = self.path(f"{architecture}.pt")
            metadata = nx.from_cebra(estimator, path, bin_ms=50, counts=counts)
            self.assertEqual(metadata["cebra"]["receptive_field"], field)
            self.assertEqual((metadata["units"], metadata["latents"]), (12, 3))
            with torch.no_grad():
                got = torch.jit.load(path)(torch.from_numpy(counts)[None])[0].numpy()
            self.assertLess(float(np.abs(got - estimator.transform(counts)).max()), 1e-5, architecture)
        with self.assertRaises(nx.ExportError):
            nx.from_cebra(cebra.CEBRA(), self.path("unfitted.pt"))

    def test_transformer_encoder_layer_lowered_scripts(self):
        # Found with PyTorch 2.5.1: its TransformerEncoderLayer calls self_attn.merge_masks (scripting failed).
        mha = torch.nn.MultiheadAttention(16, 4, batch_first=True)
        lowered = nx.MathMultiheadAttention(mha)
        query = torch.randn(3, 5, 16)
        merged, kind = lowered.merge_masks(torch.zeros(5, 5), torch.zeros(3, 5), query)
        self.assertEqual((kind, list(merged.shape)), (2, [3, 4, 5, 5]))
        if hasattr(mha, "merge_masks"):
            want, want_kind = mha.merge_masks(torch.zeros(5, 5), torch.zeros(3, 5), query)
            self.assertEqual(kind, want_kind)
            self.assertTrue(torch.equal(merged, want))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            metadata = nx.wrap(TransformerLayerEncoder().eval(), self.path("layer.pt"), units=5, bins=12,
                               lower=True, quiet=True)
        self.assertNotIn("traced", metadata["exported_with"])  # scripted, not traced after a failed script
        self.assertIn("layer.self_attn", metadata["lowered"])
        self.assertEqual(nx.operators_newer_than_1_13(self.path("layer.pt")), [])

    def test_poyo_count_weight_equals_repeated_spike_tokens(self):
        # A token with count c attends as c identical tokens (POYO reading c spikes at the bin centre).
        _, encoder = stand_in_encoder()
        attention = encoder.enc_atn
        latents = torch.randn(1, 3, 8)
        latent_pos = nx._rotary_embedding(torch.tensor([[0.05, 0.15, 0.2]]), encoder.omega)
        tokens = torch.randn(1, 3, 8)
        token_pos = nx._rotary_embedding(torch.tensor([[0.0, 0.025, 0.075]]), encoder.omega)
        with torch.no_grad():
            weighted = attention(latents, tokens, torch.tensor([[1.0, 3.0, 0.0]]), latent_pos, token_pos)
            repeated = attention(latents, tokens[:, [0, 1, 1, 1]], torch.ones(1, 4), latent_pos,
                                 token_pos[:, [0, 1, 1, 1]])
        self.assertLess(float((weighted - repeated).abs().max()), 1e-6)

    def test_poyo_encoder_windows_scripts_and_exports(self):
        poyo, encoder = stand_in_encoder(window_bins=5)
        x = nx.example_counts(2, 13, 4)
        with torch.no_grad():
            whole = encoder(x)
            # Bins 0-9 are two windows of their own; bins 10-12 the end of the window 8-12.
            first = encoder(x[:, :5])["latents"]
            tail = encoder(x[:, 8:13])["latents"][:, 2:]
        self.assertEqual(list(whole["latents"].shape), [2, 13, 8])
        self.assertEqual(list(whole["readout"].shape), [2, 13, 2])
        self.assertLess(float((whole["latents"][:, :5] - first).abs().max()), 1e-6)
        self.assertLess(float((whole["latents"][:, 10:] - tail).abs().max()), 1e-6)
        # Zero counts still have a gradient (the token weight, not log(count), carries the count).
        zero = torch.zeros(1, 5, 4, requires_grad=True)
        (gradient,) = torch.autograd.grad(encoder(zero)["latents"].sum(), zero)
        self.assertTrue(torch.isfinite(gradient).all() and gradient.abs().sum() > 0)
        metadata = nx.wrap(encoder, self.path("poyo.pt"), units=4, bins=5, bin_ms=50, method="script",
                           check_bins=[5, 2, 13], quiet=True)
        self.assertEqual(metadata["latents"], 8)
        loaded = torch.jit.load(self.path("poyo.pt"))
        self.assertEqual(loaded.unit_index.dtype, torch.long)
        self.assertTrue(torch.equal(loaded.unit_embeddings(0), poyo.unit_emb.weight[[4, 2, 1, 3]]))
        self.assertTrue(torch.equal(loaded.unit_embeddings(1), poyo.unit_emb.weight[[1, 2]]))
        with torch.no_grad():
            other = loaded.forward_session(nx.example_counts(1, 7, 2), 1)["latents"]
        self.assertEqual(list(other.shape), [1, 7, 8])
        with self.assertRaises(Exception):
            loaded.forward_session(nx.example_counts(1, 7, 4), 1)  # session 1 has 2 units
        self.assertEqual(nx.operators_newer_than_1_13(self.path("poyo.pt")), [])

    @unittest.skipUnless(HAVE_TORCH_BRAIN, "torch_brain does not import here (it needs PyTorch 2.x)")
    def test_from_poyo_equals_torch_brain_poyo(self):
        model = POYO(sequence_length=1.0, latent_step=0.25, num_latents_per_step=2, dim_out=2, dim=16, depth=1,
                     dim_head=8, cross_heads=1, self_heads=2)
        words = [f"s/{i}" for i in range(6)]
        model.unit_emb.initialize_vocab(words + ["t/0", "t/1"])
        model.session_emb.initialize_vocab(["s", "t"])
        said = io.StringIO()
        with contextlib.redirect_stderr(said):
            metadata = nx.from_poyo(model.eval(), words, "s", self.path("poyo.pt"), bin_ms=50,
                                    sessions=[("t", ["t/1", "t/0"])])
        self.assertEqual([s["id"] for s in metadata["sessions"]], ["s", "t"])
        self.assertIn("torch.nn.functional.scaled_dot_product_attention", metadata["lowered"])
        self.assertEqual(nx.operators_newer_than_1_13(self.path("poyo.pt")), [])
        x = nx.example_counts(2, 27, 6, seed=5)
        reference = nx.PoyoReference(model, nx.PoyoEncoder(model, torch.tensor([model.unit_emb.tokenizer(words)]),
                                                            torch.tensor([6]), torch.tensor([1]), 0.05, 20))
        with torch.no_grad():
            got = torch.jit.load(self.path("poyo.pt"))(x)["latents"]
        self.assertLess(float((got - reference(x)["latents"]).abs().max()), 1e-4)

    @unittest.skipUnless(os.path.exists(POYO_FILE), "tests/data/models/poyo_m1.pt is missing")
    def test_committed_poyo_file(self):
        files = {nx.METADATA_FILE: ""}
        loaded = torch.jit.load(POYO_FILE, _extra_files=files)
        metadata = json.loads(files[nx.METADATA_FILE])
        self.assertEqual((metadata["units"], metadata["latents"], metadata["bin_ms"]), (171, 32, 50.0))
        self.assertIn("torch_brain", metadata["poyo"])
        self.assertEqual(loaded.unit_index.dtype, torch.long)
        self.assertEqual(list(loaded.unit_embeddings(0).shape), [171, 32])
        self.assertEqual(nx.operators_newer_than_1_13(POYO_FILE), [])
        result = nx.check_file(POYO_FILE, 171, 20, lengths=[20, 7, 45])
        self.assertEqual(result["bins_compared"], [20, 7, 45])


if __name__ == "__main__":
    unittest.main()

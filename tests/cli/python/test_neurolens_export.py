"""Unit tests of tools/python/neurolens_export.py (issue 18 steps 1-2): wrap, the trace check at other
lengths, attention lowering, the newer-operator scan, from_cebra (when cebra is importable).

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


if __name__ == "__main__":
    unittest.main()

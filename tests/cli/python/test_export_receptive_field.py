"""`receptive_field_bins` in tools/python/neurolens_export.py (issue 18): wrap writes it and checks the promise
`--stream-ms` relies on (bin t's latents from bins t-before..t+after only, wherever the input starts);
from_cebra writes CEBRA's get_offset(); POYO exports state none (fixed windows tiled from the input's start).
Runs under Debian's torch 1.13 (NEUROLENS_TEST_PYTHON) and PyTorch 2.x; the CEBRA part needs cebra."""
import json
import os
import sys
import tempfile
import unittest

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..", "..")
sys.path.insert(0, os.path.join(ROOT, "tools", "python"))
import neurolens_export as nx  # noqa: E402

try:
    import cebra  # noqa: F401
    HAVE_CEBRA = True
except Exception:  # cebra or its numpy missing
    HAVE_CEBRA = False


class Convolution(torch.nn.Module):
    """bins t-5..t+4 (kernel 10, input replicate-padded 5 before and 4 after, as CEBRA's offset10)."""

    def __init__(self, units: int = 6):
        super().__init__()
        torch.manual_seed(0)
        self.conv = torch.nn.Conv1d(units, 3, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv(F.pad(x.transpose(1, 2), (5, 4), mode="replicate")).transpose(1, 2)


class Blocks(torch.nn.Module):
    """Fixed windows of 4 bins tiled from the input's first bin, each reduced to its mean (as POYO's windows):
    bin t depends on at most 3 bins either side, but on where the input starts too."""

    def __init__(self, units: int = 6):
        super().__init__()
        torch.manual_seed(0)
        self.proj = torch.nn.Linear(units, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        batch, bins, units = x.shape
        whole = bins // 4 * 4
        parts = [x[:, :whole].reshape(batch, bins // 4, 4, units).mean(dim=2).repeat_interleave(4, dim=1)]
        if whole < bins:
            parts.append(x[:, whole:].mean(dim=1, keepdim=True).expand(batch, bins - whole, units))
        return self.proj(torch.cat(parts, dim=1))


class ReceptiveFieldTests(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()

    def tearDown(self):
        self.dir.cleanup()

    def path(self, name):
        return os.path.join(self.dir.name, name)

    def metadata(self, path):
        files = {nx.METADATA_FILE: ""}
        torch.jit.load(path, _extra_files=files)
        return json.loads(files[nx.METADATA_FILE])

    def test_wrap_writes_a_true_field(self):
        metadata = nx.wrap(Convolution(), self.path("conv.pt"), units=6, bins=20, receptive_field_bins=[5, 4])
        self.assertEqual(metadata["receptive_field_bins"], [5, 4])
        self.assertEqual(self.metadata(self.path("conv.pt"))["receptive_field_bins"], [5, 4])
        # A larger field is true too (only slower); one number means both sides.
        self.assertEqual(nx.wrap(Convolution(), self.path("wide.pt"), units=6, bins=20,
                                 receptive_field_bins=7)["receptive_field_bins"], [7, 7])

    def test_wrap_refuses_a_field_too_small(self):
        for field in ([4, 4], [5, 3], 0):
            with self.assertRaises(nx.ExportError) as caught:
                nx.wrap(Convolution(), self.path("small.pt"), units=6, bins=20, receptive_field_bins=field)
            self.assertIn("receptive_field_bins", str(caught.exception))
            self.assertIn("is wrong", str(caught.exception))
            self.assertFalse(os.path.exists(self.path("small.pt")))
            self.assertFalse(os.path.exists(self.path("small.pt.partial")))

    def test_wrap_refuses_a_field_for_fixed_windows(self):
        # Every output depends on bins within 3 of it, yet a cut input moves the windows: no field is true.
        with self.assertRaises(nx.ExportError) as caught:
            nx.wrap(Blocks(), self.path("blocks.pt"), units=6, bins=16, receptive_field_bins=[3, 3])
        self.assertIn("is wrong", str(caught.exception))
        nx.wrap(Blocks(), self.path("blocks.pt"), units=6, bins=16)  # without a field: fine, the program probes
        self.assertNotIn("receptive_field_bins", self.metadata(self.path("blocks.pt")))

    def test_malformed_field_is_refused(self):
        for field in ([1, 2, 3], [-1, 2], "5", [1.5, 2], True):
            with self.assertRaises(nx.ExportError):
                nx.wrap(Convolution(), self.path("bad.pt"), units=6, bins=20, receptive_field_bins=field)
        with self.assertRaises(nx.ExportError):  # the same value through extra_metadata
            nx.wrap(Convolution(), self.path("bad.pt"), units=6, bins=20,
                    extra_metadata={"receptive_field_bins": [5]})

    def test_committed_poyo_files_state_no_field(self):
        for name in ("poyo_m1.pt", "poyo_pmd_sessions.pt"):
            metadata = self.metadata(os.path.join(ROOT, "tests", "data", "models", name))
            self.assertNotIn("receptive_field_bins", metadata, name)
            self.assertGreater(metadata["poyo"]["window_bins"], 0, name)  # what bounds its context instead

    @unittest.skipUnless(HAVE_CEBRA, "cebra is not importable")
    def test_from_cebra_writes_get_offset(self):
        import numpy as np
        torch.set_num_threads(1)
        counts = np.random.default_rng(0).poisson(1.0, size=(300, 12)).astype(np.float32)
        for architecture in ("offset10-model", "offset5-model", "offset1-model"):
            estimator = cebra.CEBRA(model_architecture=architecture, batch_size=64, output_dimension=3,
                                    max_iterations=3, device="cpu", verbose=False)
            estimator.fit(counts)
            offset = estimator.solver_.model.get_offset()
            metadata = nx.from_cebra(estimator, self.path(f"{architecture}.pt"), bin_ms=50, counts=counts)
            self.assertEqual(metadata["receptive_field_bins"], [offset.left, max(offset.right - 1, 0)])
        self.assertEqual(metadata["receptive_field_bins"], [0, 0])  # offset1: bin t alone


if __name__ == "__main__":
    unittest.main()

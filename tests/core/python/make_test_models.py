"""Tiny TorchScript models for the model-runner tests (tests/core/test_model.cpp).

Writes into OUT_DIR one model per output form of the model contract, models that
break the contract in each way the runner must report, an input array and the
outputs PyTorch itself computes for it (the reference the C++ runner must match).

Run with a Python that has torch (Debian's python3-torch or the test venv):
    python make_test_models.py OUT_DIR
Arrays are raw little-endian float32 files; manifest.json gives their shapes.
"""
import json
import sys
from pathlib import Path
from typing import Dict, Tuple

import torch
from torch import nn

UNITS = 5
LATENTS = 3
BINS = 7
TRIALS = 11


class Encoder(nn.Module):
    """A small GRU encoder with a linear latent readout and a log-rate readout."""

    def __init__(self):
        super().__init__()
        self.gru = nn.GRU(UNITS, 8, batch_first=True)
        self.to_latents = nn.Linear(8, LATENTS)
        self.to_log_rates = nn.Linear(LATENTS, UNITS)

    def encode(self, x: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        hidden, _ = self.gru(torch.log1p(x))
        latents = self.to_latents(hidden)
        return latents, self.to_log_rates(latents)


class LatentsOnly(Encoder):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.encode(x)[0]


class TupleRates(Encoder):
    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        latents, log_rates = self.encode(x)
        return latents, torch.exp(log_rates)


class DictRates(Encoder):
    def forward(self, x: torch.Tensor) -> Dict[str, torch.Tensor]:
        latents, log_rates = self.encode(x)
        return {"latents": latents, "rates": torch.exp(log_rates), "latent_energy": (latents * latents).sum(dim=-1)}


class DictLogRates(Encoder):
    def forward(self, x: torch.Tensor) -> Dict[str, torch.Tensor]:
        latents, log_rates = self.encode(x)
        return {"latents": latents, "log_rates": log_rates}


class DictRenamed(Encoder):
    def forward(self, x: torch.Tensor) -> Dict[str, torch.Tensor]:
        latents, log_rates = self.encode(x)
        return {"z": latents, "lam": torch.exp(log_rates)}


class WantsMatrix(nn.Module):
    """Expects [bins, units] (rank 2): breaks on the contract's rank-3 input."""

    def __init__(self):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(UNITS, LATENTS))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.mm(x, self.weight)


class Throws(nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.size(1) > 0:
            raise RuntimeError("this model refuses to run")
        return x


class PerTrial(Encoder):
    """Returns one vector per trial [batch, latents] instead of one per bin."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.encode(x)[0].mean(dim=1)


class WrongRates(Encoder):
    """Rates with the wrong unit count."""

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        latents, log_rates = self.encode(x)
        return latents, torch.exp(log_rates[:, :, :2])


class MakesNaN(Encoder):
    """Finite on an all-zero probe, NaN as soon as a bin holds many spikes."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        latents = self.encode(x)[0]
        return latents + torch.log(3.0 - x.amax(dim=-1, keepdim=True))


class OutOfMemoryAbove(Encoder):
    """Behaves like a device that holds at most `limit` trials: a larger batch raises what CUDA raises."""

    def __init__(self, limit: int):
        super().__init__()
        self.limit = limit

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        if x.size(0) > self.limit:
            raise RuntimeError("CUDA out of memory. Tried to allocate 2.00 GiB")
        latents, log_rates = self.encode(x)
        return latents, torch.exp(log_rates)


class OutOfMemoryOnSpikes(TupleRates):
    """Runs the loader's all-zero probe, then fails like a device too small for even one trial."""

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        if bool(x.sum() > 0):
            raise RuntimeError("CUDA out of memory. Tried to allocate 2.00 GiB")
        latents, log_rates = self.encode(x)
        return latents, torch.exp(log_rates)


class MultiSession(nn.Module):
    """A multi-session model (model contract): each session's own input map (5 and 4 units) into one shared GRU;
    forward(x) is session 0."""

    def __init__(self):
        super().__init__()
        self.session_a = nn.Linear(UNITS, 6)
        self.session_b = nn.Linear(UNITS - 1, 6)
        self.gru = nn.GRU(6, 8, batch_first=True)
        self.readout = nn.Linear(8, LATENTS)

    @torch.jit.export
    def forward_session(self, x: torch.Tensor, session: int) -> torch.Tensor:
        h = self.session_a(x) if session == 0 else self.session_b(x)
        return self.readout(self.gru(h)[0])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.forward_session(x, 0)


class SessionsWithoutMethod(nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x[:, :, :3]


def metadata(**extra):
    meta = {"name": "test", "bin_ms": 20, "units": UNITS, "latents": LATENTS}
    meta.update(extra)
    return meta


def save(module, path: Path, meta=None, trace_input=None):
    module.eval()
    scripted = torch.jit.trace(module, trace_input, strict=False) if trace_input is not None \
        else torch.jit.script(module)
    files = {"neurolens.json": json.dumps(meta)} if meta is not None else {}
    torch.jit.save(scripted, str(path), _extra_files=files)
    return scripted


def write_array(out: Path, name: str, tensor: torch.Tensor, manifest: dict):
    array = tensor.detach().to(torch.float32).contiguous().numpy()
    (out / f"{name}.f32").write_bytes(array.astype("<f4").tobytes())
    manifest["arrays"][name] = list(array.shape)


def main():
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(1234)
    manifest = {"torch": torch.__version__, "units": UNITS, "latents": LATENTS, "bins": BINS,
                "trials": TRIALS, "arrays": {}}

    counts = torch.poisson(torch.full((TRIALS, BINS, UNITS), 1.5))
    counts[0, 0, 0] = 2.0  # keep every count < 3 so MakesNaN stays finite here ...
    counts = counts.clamp(max=2.0)
    write_array(out, "counts", counts, manifest)
    spiky = counts.clone()
    spiky[4, 3, 2] = 5.0  # ... and this input makes it NaN (trial 4)
    write_array(out, "counts_spiky", spiky, manifest)

    def reference(name, model):
        with torch.no_grad():
            result = model(counts)
        if isinstance(result, dict):
            latents = result.get("latents", result.get("z"))
            rates = result.get("rates", result.get("lam"))
            if rates is None and "log_rates" in result:
                rates = torch.exp(result["log_rates"])
        elif isinstance(result, tuple):
            latents, rates = result
        else:
            latents, rates = result, None
        write_array(out, f"{name}.latents", latents, manifest)
        if rates is not None:
            write_array(out, f"{name}.rates", rates, manifest)

    good = {
        "tensor": (LatentsOnly(), metadata()),
        "tuple": (TupleRates(), metadata()),
        "dict": (DictRates(), metadata()),
        "dict_log_rates": (DictLogRates(), metadata()),
        "dict_renamed": (DictRenamed(), metadata(outputs={"latents": "z", "rates": "lam"})),
        "no_metadata": (TupleRates(), None),
    }
    for name, (module, meta) in good.items():
        reference(name, save(module, out / f"{name}.pt", meta))
    # torch.jit.trace as well as torch.jit.script
    traced = save(DictRates(), out / "traced.pt", metadata(), trace_input=counts[:2])
    reference("traced", traced)

    # Out-of-memory fallbacks, testable without a GPU: PyTorch's outputs in passes of 3 trials are the reference.
    fits_three = save(OutOfMemoryAbove(3), out / "oom_above_3.pt", metadata())
    with torch.no_grad():
        passes = [fits_three(counts[first:first + 3]) for first in range(0, TRIALS, 3)]
    write_array(out, "oom_above_3.latents", torch.cat([p[0] for p in passes]), manifest)
    write_array(out, "oom_above_3.rates", torch.cat([p[1] for p in passes]), manifest)
    save(OutOfMemoryOnSpikes(), out / "oom_always.pt", metadata())

    # Multi-session: session "sess_a" (5 units) and "sess_b" (4 units, ids 10-13); the references run each.
    sessions = [{"id": "sess_a", "units": UNITS}, {"id": "sess_b", "unit_ids": [10, 11, 12, 13]}]
    multi = save(MultiSession(), out / "multi_session.pt",
                 {"name": "multi", "bin_ms": 20, "latents": LATENTS, "sessions": sessions})
    with torch.no_grad():
        write_array(out, "multi_session.sess_a.latents", multi.forward_session(counts, 0), manifest)
        write_array(out, "multi_session.sess_b.latents", multi.forward_session(counts[:, :, :UNITS - 1], 1), manifest)
    write_array(out, "counts_4_units", counts[:, :, :UNITS - 1], manifest)
    save(SessionsWithoutMethod(), out / "sessions_without_method.pt", metadata(sessions=sessions))
    save(TupleRates(), out / "wrong_units.pt", metadata(units=UNITS + 2))
    save(TupleRates(), out / "wrong_bin.pt", metadata(bin_ms=10))
    save(TupleRates(), out / "wrong_latents.pt", metadata(latents=LATENTS + 1))
    save(WantsMatrix(), out / "wrong_input_rank.pt", metadata())
    save(Throws(), out / "throws.pt", metadata())
    save(PerTrial(), out / "per_trial.pt", metadata())
    save(WrongRates(), out / "wrong_rates.pt", metadata())
    save(MakesNaN(), out / "nan.pt", metadata())
    torch.save(TupleRates().state_dict(), out / "state_dict.pt")
    (out / "not_torchscript.pt").write_bytes(b"this is not a TorchScript archive\n" * 10)
    scripted = torch.jit.script(TupleRates().eval())
    torch.jit.save(scripted, str(out / "bad_metadata.pt"), _extra_files={"neurolens.json": "{units: 5"})

    (out / "manifest.json").write_text(json.dumps(manifest, indent=1))


if __name__ == "__main__":
    main()

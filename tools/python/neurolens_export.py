"""Export a PyTorch model to the NeuroLens model contract (docs/models.md).

A NeuroLens model is a TorchScript file whose ``forward(x)`` takes spike counts
``x`` float32 [batch, bins, units] and returns the latents [batch, bins, latents]
as a Tensor, a tuple ``(latents, rates)`` or a ``Dict[str, Tensor]`` with
``"latents"`` and optionally ``"rates"`` (expected counts per bin) or
``"log_rates"``. Metadata travels inside the file as ``neurolens.json``.

    from neurolens_export import export_model
    export_model(my_model, "model.pt", units=61, bins=20, bin_ms=20, name="my GRU")

export_model scripts the model (or traces it when scripting fails or
``method="trace"``), writes the metadata, then reloads the saved file and checks
it against the contract: output form and shapes, rates >= 0, the reloaded file
reproduces the original model, determinism in eval mode, differentiability with
respect to x (attribution needs gradients), and other batch sizes and lengths.
Any failure raises ExportError saying what to change.

Check an existing file:  python neurolens_export.py MODEL.pt --units 61 --bins 20
Works with PyTorch 1.13 (Debian's python3-torch) and 2.x.
"""
import argparse
import json
import sys
import warnings
from pathlib import Path
from typing import Any, Dict, Optional, Tuple

import torch

METADATA_FILE = "neurolens.json"


class ExportError(RuntimeError):
    """The model does not meet the NeuroLens model contract."""


def _unpack(output: Any, keys: Dict[str, str]) -> Tuple[torch.Tensor, Optional[torch.Tensor], str]:
    """(latents, rates or None, form) from any allowed output form; log_rates -> rates."""
    if isinstance(output, torch.Tensor):
        return output, None, "tensor"
    if isinstance(output, (tuple, list)):
        if not 1 <= len(output) <= 2 or not all(isinstance(t, torch.Tensor) for t in output):
            raise ExportError(f"forward returns a tuple of {len(output)} items; use latents or (latents, rates)")
        return output[0], (output[1] if len(output) == 2 else None), "tuple"
    if isinstance(output, dict):
        latents_key = keys.get("latents", "latents")
        if latents_key not in output:
            raise ExportError(f"forward returns a dict without {latents_key!r} (keys: {sorted(output)}); "
                              "name the latents key with outputs={'latents': KEY}")
        if "log_rates" in keys:
            return output[latents_key], torch.exp(output[keys["log_rates"]]), "dict"
        rates_key = keys.get("rates", "rates")
        if rates_key in output:
            return output[latents_key], output[rates_key], "dict"
        if "log_rates" in output:
            return output[latents_key], torch.exp(output["log_rates"]), "dict"
        return output[latents_key], None, "dict"
    raise ExportError(f"forward returns {type(output).__name__}; the contract allows a Tensor, a tuple "
                      "(latents, rates) or a Dict[str, Tensor]")


def example_counts(batch: int, bins: int, units: int, seed: int = 0) -> torch.Tensor:
    """Poisson spike counts (mean 1 per bin) as a model would see them."""
    generator = torch.Generator().manual_seed(seed)
    return torch.poisson(torch.ones(batch, bins, units), generator=generator)


def _check_shapes(x: torch.Tensor, latents: torch.Tensor, rates: Optional[torch.Tensor], where: str):
    b, t, u = x.shape
    if latents.dim() != 3 or latents.shape[0] != b or latents.shape[1] != t:
        raise ExportError(f"{where}: for input [{b}, {t}, {u}] the latents have shape {list(latents.shape)}, "
                          f"expected [{b}, {t}, latents] (one latent vector per bin)")
    if rates is not None:
        if list(rates.shape) != [b, t, u]:
            raise ExportError(f"{where}: rates have shape {list(rates.shape)}, expected [{b}, {t}, {u}]")
        if not torch.isfinite(rates).all() or (rates < 0).any():
            raise ExportError(f"{where}: rates must be finite and >= 0 (expected counts per bin); "
                              "return 'log_rates' or apply exp/softplus")
    if not torch.isfinite(latents).all():
        raise ExportError(f"{where}: latents contain NaN or infinity")


def check_file(path, units: int, bins: int, reference: Optional[torch.nn.Module] = None,
               keys: Optional[Dict[str, str]] = None, tolerance: float = 1e-5) -> Dict[str, Any]:
    """Reloads a saved model and checks it against the contract. Returns what it learned."""
    files = {METADATA_FILE: ""}
    try:
        loaded = torch.jit.load(str(path), _extra_files=files)
    except Exception as error:  # the loader's own reason is the useful part
        raise ExportError(f"{path}: torch.jit.load failed: {error}") from error
    metadata = json.loads(files[METADATA_FILE]) if files[METADATA_FILE] else {}
    keys = keys or metadata.get("outputs", {})
    loaded.eval()
    x = example_counts(2, bins, units)
    with torch.no_grad():
        first = _unpack(loaded(x), keys)
        second = _unpack(loaded(x), keys)
    latents, rates, form = first
    _check_shapes(x, latents, rates, str(path))
    if not torch.equal(latents, second[0]) or (rates is not None and not torch.equal(rates, second[1])):
        raise ExportError(f"{path}: two forward passes on the same input differ; call model.eval() and remove "
                          "randomness (dropout, sampling) from forward in eval mode")
    if reference is not None:
        with torch.no_grad():
            ref_latents, ref_rates, _ = _unpack(reference(x), keys)
        if not torch.allclose(latents, ref_latents, atol=tolerance, rtol=tolerance):
            raise ExportError(f"{path}: the saved model's latents differ from the original model's "
                              f"(max difference {float((latents - ref_latents).abs().max()):.3g})")
        if rates is not None and not torch.allclose(rates, ref_rates, atol=tolerance, rtol=tolerance):
            raise ExportError(f"{path}: the saved model's rates differ from the original model's")

    # Attribution needs d latents / d x.
    x_grad = x.clone().requires_grad_(True)
    grad_latents, _, _ = _unpack(loaded(x_grad), keys)
    try:
        (gradient,) = torch.autograd.grad(grad_latents.sum(), x_grad, allow_unused=True)
    except RuntimeError as error:
        raise ExportError(f"{path}: the latents are not differentiable with respect to x ({error}); remove "
                          "detach(), no_grad() or integer casts of x from forward") from error
    if gradient is None or not torch.isfinite(gradient).all() or not gradient.abs().sum() > 0:
        raise ExportError(f"{path}: the gradient of the latents with respect to x is missing, zero or not "
                          "finite; attribution would be meaningless")

    # Other batch sizes and lengths (a traced model can freeze the example's shape).
    for batch, length in ((1, bins), (3, max(bins // 2, 1))):
        other = example_counts(batch, length, units, seed=1)
        try:
            with torch.no_grad():
                o_latents, o_rates, _ = _unpack(loaded(other), keys)
            _check_shapes(other, o_latents, o_rates, f"{path} on input [{batch}, {length}, {units}]")
        except ExportError:
            raise
        except Exception as error:
            if length == bins:
                raise ExportError(f"{path}: fails on a batch of {batch}: {error}") from error
            warnings.warn(f"{path}: does not run on {length} bins ({str(error).splitlines()[0]}); NeuroLens "
                          f"will only be able to use it with {bins} bins")
    return {"metadata": metadata, "form": form, "latents": int(latents.shape[-1]), "rates": rates is not None}


def export_model(model: torch.nn.Module, path, *, units: int, bins: int, bin_ms: Optional[float] = None,
                 name: str = "", trained_on: str = "", unit_ids=None, outputs: Optional[Dict[str, str]] = None,
                 method: str = "auto", extra_metadata: Optional[Dict[str, Any]] = None,
                 tolerance: float = 1e-5) -> Dict[str, Any]:
    """Saves `model` as a NeuroLens TorchScript file at `path` and checks the result.

    units, bins: the input shape the model expects (used for the example input and
    the checks); bin_ms, name, trained_on, unit_ids go into neurolens.json;
    outputs renames dict keys, e.g. {"latents": "factors", "log_rates": "lograte"};
    method: "script", "trace" or "auto" (script, else trace).
    Returns the metadata written.
    """
    if method not in ("auto", "script", "trace"):
        raise ValueError("method must be 'auto', 'script' or 'trace'")
    model = model.eval()
    x = example_counts(2, bins, units)
    keys = dict(outputs or {})
    with torch.no_grad():
        latents, rates, form = _unpack(model(x), keys)
    _check_shapes(x, latents, rates, type(model).__name__)

    module = None
    if method in ("auto", "script"):
        try:
            module = torch.jit.script(model)
        except Exception as error:
            if method == "script":
                raise ExportError(f"torch.jit.script failed: {error}") from error
            warnings.warn(f"torch.jit.script failed ({str(error).splitlines()[0]}); tracing instead: control "
                          "flow that depends on the input's values will be frozen")
    if module is None:
        with torch.no_grad():
            module = torch.jit.trace(model, (x,), strict=False, check_trace=False)

    metadata: Dict[str, Any] = {"units": int(units), "latents": int(latents.shape[-1])}
    if name:
        metadata["name"] = name
    if bin_ms is not None:
        metadata["bin_ms"] = bin_ms
    if trained_on:
        metadata["trained_on"] = trained_on
    if unit_ids is not None:
        metadata["unit_ids"] = [int(u) for u in unit_ids]
        if len(metadata["unit_ids"]) != units:
            raise ExportError(f"{len(metadata['unit_ids'])} unit_ids for {units} units")
    if form == "dict" and keys:
        metadata["outputs"] = keys
    metadata.update(extra_metadata or {})
    metadata["exported_with"] = f"torch {torch.__version__}"

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".partial")
    torch.jit.save(module, str(temporary), _extra_files={METADATA_FILE: json.dumps(metadata)})
    try:
        check_file(temporary, units, bins, reference=model, keys=keys, tolerance=tolerance)
    except Exception:
        temporary.unlink(missing_ok=True)
        raise
    temporary.replace(path)
    return metadata


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Check a TorchScript file against the NeuroLens model contract")
    parser.add_argument("model")
    parser.add_argument("--units", type=int, help="input units (default: the metadata's)")
    parser.add_argument("--bins", type=int, default=20)
    args = parser.parse_args(argv)
    files = {METADATA_FILE: ""}
    try:
        torch.jit.load(args.model, _extra_files=files)
    except Exception as error:
        print(f"error: {args.model}: not loadable TorchScript: {str(error).splitlines()[0]}", file=sys.stderr)
        return 3
    metadata = json.loads(files[METADATA_FILE]) if files[METADATA_FILE] else {}
    units = args.units or metadata.get("units")
    if not units:
        print("error: the file has no unit count in its metadata: pass --units", file=sys.stderr)
        return 2
    try:
        result = check_file(args.model, units, args.bins)
    except ExportError as error:
        print(f"error: {error}", file=sys.stderr)
        return 3
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())

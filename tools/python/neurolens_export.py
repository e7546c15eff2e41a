"""Export a PyTorch model to the NeuroLens model contract (docs/models.md).

A NeuroLens model is a TorchScript file whose ``forward(x)`` takes spike counts
``x`` float32 [batch, bins, units] and returns the latents [batch, bins, latents]
as a Tensor, a tuple ``(latents, rates)`` or a ``Dict[str, Tensor]`` with
``"latents"`` and optionally ``"rates"`` (expected counts per bin) or
``"log_rates"``. Metadata travels inside the file as ``neurolens.json``.

    from neurolens_export import wrap, from_cebra
    wrap(my_model, "model.pt", units=61, bins=20, bin_ms=20, name="my GRU")
    from_cebra(cebra_estimator, "cebra.pt", bin_ms=50, trained_on="m1_stevenson2011")

wrap (alias export_model) lowers attention that LibTorch 1.13 cannot run
(``scaled_dot_product_attention``, ``nn.MultiheadAttention``) to plain matmul /
softmax when the running PyTorch has it, scripts the model (or traces it when
scripting fails or ``method="trace"``), writes the metadata, then reloads the
saved file and checks it against the contract: output form and shapes, rates
>= 0, the reloaded file reproduces the eager module at two or more numbers of
bins (a trace that bakes the example's length in is refused), determinism in
eval mode, differentiability with respect to x (attribution needs gradients).
Any failure raises ExportError saying what to change, and no file is left.

Check an existing file:  python neurolens_export.py MODEL.pt --units 61 --bins 20
Works with PyTorch 1.13 (Debian's python3-torch) and 2.x.
"""
import argparse
import contextlib
import copy
import json
import math
import sys
import warnings
import zipfile
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple

import torch
import torch.nn.functional as F

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


def _first_line(error: BaseException) -> str:
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return lines[0] if lines else type(error).__name__


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


def _lengths_to_compare(bins: int, lengths: Optional[Sequence[int]]) -> List[int]:
    chosen = list(lengths) if lengths else [bins, max(bins // 2, 1), 2 * bins]
    return list(dict.fromkeys(int(length) for length in chosen))  # unique, in order


def check_file(path, units: int, bins: int, reference: Optional[torch.nn.Module] = None,
               keys: Optional[Dict[str, str]] = None, tolerance: float = 1e-5, traced: bool = False,
               lengths: Optional[Sequence[int]] = None, shown_as: Any = None) -> Dict[str, Any]:
    """Reloads a saved model and checks it against the contract. Returns what it learned.

    With `reference` (the eager module), the file must reproduce it at every length in
    `lengths` where the eager module runs (default: bins, bins // 2 and 2 * bins).
    `traced`: the file came from torch.jit.trace (a disagreement is explained as such);
    `shown_as`: the name messages give the file (default `path`)."""
    files = {METADATA_FILE: ""}
    source, path = path, (shown_as if shown_as is not None else path)
    try:
        loaded = torch.jit.load(str(source), _extra_files=files)
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

    compared: List[int] = []
    for index, length in enumerate(_lengths_to_compare(bins, lengths)):
        batch = 2 if length == bins else 3
        other = example_counts(batch, length, units, seed=index)
        where = f"{path} on input [{batch}, {length}, {units}]"
        if reference is None:
            try:
                with torch.no_grad():
                    o_latents, o_rates, _ = _unpack(loaded(other), keys)
            except Exception as error:
                if length == bins:
                    raise ExportError(f"{where}: fails: {error}") from error
                warnings.warn(f"{path}: does not run on {length} bins ({_first_line(error)}); NeuroLens "
                              f"will only be able to use it with {bins} bins")
                continue
            _check_shapes(other, o_latents, o_rates, where)
            compared.append(length)
            continue
        try:
            with torch.no_grad():
                r_latents, r_rates, _ = _unpack(reference(other), keys)
        except Exception as error:
            if length == bins:
                raise ExportError(f"{where}: the module itself fails: {error}") from error
            continue  # the eager module does not run at this length either: nothing to compare
        try:
            with torch.no_grad():
                o_latents, o_rates, _ = _unpack(loaded(other), keys)
        except Exception as error:
            how = ("torch.jit.trace baked the example's shapes into the file" if traced
                   else "the saved file fails")
            raise ExportError(f"{where}: {how}: the module runs on {length} bins but the saved file fails "
                              f"({_first_line(error)}); make the module scriptable (method='script')"
                              ) from error
        _check_shapes(other, o_latents, o_rates, where)
        for what, saved, eager in (("latents", o_latents, r_latents), ("rates", o_rates, r_rates)):
            if saved is None or eager is None:
                continue
            if not torch.allclose(saved, eager, atol=tolerance, rtol=tolerance):
                difference = float((saved - eager).abs().max())
                if traced:
                    raise ExportError(
                        f"{where}: refused: the file was made by torch.jit.trace, which bakes shapes into the "
                        f"program, and at {length} bins its {what} differ from the module's by {difference:.3g} "
                        f"(traced at {bins} bins; right shape, wrong values). Make the module scriptable "
                        "(method='script') or remove the length-dependent Python code (x.shape used as a "
                        "number, Python loops over time)")
                raise ExportError(f"{where}: the saved model's {what} differ from the original module's "
                                  f"(max difference {difference:.3g})")
        compared.append(length)
    if reference is not None and len(compared) < 2:
        warnings.warn(f"{path}: compared with the module at {compared} bins only (the module runs at no other "
                      "tested length)")

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
    return {"metadata": metadata, "form": form, "latents": int(latents.shape[-1]), "rates": rates is not None,
            "bins_compared": compared}


# Operators that files saved by PyTorch 2.x call and LibTorch 1.13 (the program's) lacks.
NEWER_OPERATORS = ("scaled_dot_product_attention",)


def operators_newer_than_1_13(path) -> List[str]:
    """Operators in a saved file's TorchScript code that LibTorch 1.13 does not know."""
    found = set()
    with zipfile.ZipFile(str(path)) as archive:
        for entry in archive.namelist():
            if "/code/" in entry and entry.endswith(".py"):
                code = archive.read(entry).decode("utf-8", errors="replace")
                for name in NEWER_OPERATORS:
                    # `torch._scaled_dot_product_attention` (1.13's own, private) is not this operator.
                    for part in code.split(name)[:-1]:
                        if part.endswith(".") and not part.endswith("._"):
                            found.add(f"aten::{name}")
    return sorted(found)


def _sdpa_math(query: torch.Tensor, key: torch.Tensor, value: torch.Tensor,
               attn_mask: Optional[torch.Tensor] = None, dropout_p: float = 0.0, is_causal: bool = False,
               scale: Optional[float] = None, enable_gqa: bool = False) -> torch.Tensor:
    """torch.nn.functional.scaled_dot_product_attention with matmul + softmax (LibTorch 1.13 has these)."""
    if enable_gqa and key.size(-3) != query.size(-3):  # grouped-query attention: share key/value heads
        key = key.repeat_interleave(query.size(-3) // key.size(-3), dim=-3)
        value = value.repeat_interleave(query.size(-3) // value.size(-3), dim=-3)
    length = query.size(-2)
    source = key.size(-2)
    factor = 1.0 / math.sqrt(float(query.size(-1))) if scale is None else scale
    scores = torch.matmul(query * factor, key.transpose(-2, -1))
    if is_causal:
        allowed = torch.ones(length, source, dtype=torch.bool, device=query.device).tril()
        scores = scores.masked_fill(allowed.logical_not(), float("-inf"))
    if attn_mask is not None:
        if attn_mask.dtype == torch.bool:
            scores = scores.masked_fill(attn_mask.logical_not(), float("-inf"))
        else:
            scores = scores + attn_mask
    weights = torch.softmax(scores, dim=-1)
    if dropout_p > 0.0:
        weights = F.dropout(weights, p=dropout_p)
    return torch.matmul(weights, value)


class MathMultiheadAttention(torch.nn.Module):
    """torch.nn.MultiheadAttention computed with linear / bmm / softmax only: scripts to operations that
    LibTorch 1.13 has, whatever PyTorch runs the export (2.x scripts MultiheadAttention to
    aten::scaled_dot_product_attention). Same parameters, same call signature, same results."""

    def __init__(self, attention: torch.nn.MultiheadAttention):
        super().__init__()
        if attention.bias_k is not None or attention.add_zero_attn:
            raise ExportError("nn.MultiheadAttention with add_bias_kv or add_zero_attn cannot be lowered yet")
        self.embed_dim = attention.embed_dim
        self.num_heads = attention.num_heads
        self.head_dim = attention.embed_dim // attention.num_heads
        self.dropout = float(attention.dropout)
        self.batch_first = bool(getattr(attention, "batch_first", False))
        self._qkv_same_embed_dim = bool(attention._qkv_same_embed_dim)
        if self._qkv_same_embed_dim:
            weight = attention.in_proj_weight
        else:
            weight = torch.cat([attention.q_proj_weight, attention.k_proj_weight, attention.v_proj_weight])
            if attention.kdim != attention.embed_dim or attention.vdim != attention.embed_dim:
                raise ExportError("nn.MultiheadAttention with kdim/vdim != embed_dim cannot be lowered yet")
        self.in_proj_weight = torch.nn.Parameter(weight.detach().clone())
        self.in_proj_bias = (None if attention.in_proj_bias is None
                             else torch.nn.Parameter(attention.in_proj_bias.detach().clone()))
        self.out_proj = attention.out_proj
        self.bias_k = None
        self.bias_v = None
        self.add_zero_attn = False
        self.training = attention.training

    def forward(self, query: torch.Tensor, key: torch.Tensor, value: torch.Tensor,
                key_padding_mask: Optional[torch.Tensor] = None, need_weights: bool = True,
                attn_mask: Optional[torch.Tensor] = None, average_attn_weights: bool = True,
                is_causal: bool = False) -> Tuple[torch.Tensor, Optional[torch.Tensor]]:
        unbatched = query.dim() == 2
        if unbatched:  # [length, embed]: one sequence
            query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
            if key_padding_mask is not None:
                key_padding_mask = key_padding_mask.unsqueeze(0)
        elif self.batch_first:
            query, key, value = query.transpose(0, 1), key.transpose(0, 1), value.transpose(0, 1)
        length, batch, embed = query.shape
        source = key.shape[0]
        heads, head_dim = self.num_heads, self.head_dim
        w_q, w_k, w_v = self.in_proj_weight.chunk(3)
        b_q: Optional[torch.Tensor] = None
        b_k: Optional[torch.Tensor] = None
        b_v: Optional[torch.Tensor] = None
        bias = self.in_proj_bias
        if bias is not None:
            b_q, b_k, b_v = bias.chunk(3)
        q = F.linear(query, w_q, b_q).reshape(length, batch * heads, head_dim).transpose(0, 1)
        k = F.linear(key, w_k, b_k).reshape(source, batch * heads, head_dim).transpose(0, 1)
        v = F.linear(value, w_v, b_v).reshape(source, batch * heads, head_dim).transpose(0, 1)
        scores = torch.bmm(q * (1.0 / math.sqrt(float(head_dim))), k.transpose(1, 2))  # [batch*heads, L, S]
        if is_causal and attn_mask is None:
            causal = torch.ones(length, source, dtype=torch.bool, device=query.device).triu(1)
            scores = scores.masked_fill(causal, float("-inf"))
        if attn_mask is not None:
            mask = attn_mask if attn_mask.dim() == 3 else attn_mask.unsqueeze(0)
            if mask.dtype == torch.bool:
                scores = scores.masked_fill(mask, float("-inf"))
            else:
                scores = scores + mask
        if key_padding_mask is not None:
            padding = key_padding_mask.reshape(batch, 1, 1, source)
            scores = scores.reshape(batch, heads, length, source)
            if padding.dtype == torch.bool:
                scores = scores.masked_fill(padding, float("-inf"))
            else:
                scores = scores + padding
            scores = scores.reshape(batch * heads, length, source)
        weights = torch.softmax(scores, dim=-1)
        if self.training and self.dropout > 0.0:
            weights = F.dropout(weights, p=self.dropout)
        out = torch.bmm(weights, v).transpose(0, 1).reshape(length, batch, embed)
        out = self.out_proj(out)
        if unbatched:
            out = out.squeeze(1)
        elif self.batch_first:
            out = out.transpose(0, 1)
        if not need_weights:
            return out, None
        per_head = weights.reshape(batch, heads, length, source)
        averaged = per_head.mean(dim=1) if average_attn_weights else per_head
        if unbatched:
            averaged = averaged.squeeze(0)
        return out, averaged


def lower_attention(model: torch.nn.Module) -> Tuple[torch.nn.Module, List[str]]:
    """A copy of `model` whose nn.MultiheadAttention modules are MathMultiheadAttention; returns it and
    the dotted names replaced. The copy's results equal the original's (checked by wrap)."""
    lowered = copy.deepcopy(model)
    replaced: List[str] = []
    for parent_name, parent in list(lowered.named_modules()):
        for child_name, child in list(parent.named_children()):
            if isinstance(child, torch.nn.MultiheadAttention):
                setattr(parent, child_name, MathMultiheadAttention(child))
                replaced.append(f"{parent_name}.{child_name}" if parent_name else child_name)
    return lowered, replaced


@contextlib.contextmanager
def _math_attention_functions(model: torch.nn.Module) -> Iterator[None]:
    """While scripting / tracing: torch.nn.functional.scaled_dot_product_attention (where this PyTorch has
    it), and any module global bound to it, is _sdpa_math, so the saved code uses matmul + softmax."""
    original = getattr(F, "scaled_dot_product_attention", None)
    if original is None:  # PyTorch 1.13: nothing to lower
        yield
        return
    patched: List[Tuple[Dict[str, Any], str]] = [(vars(F), "scaled_dot_product_attention")]
    for module in model.modules():
        namespace = vars(sys.modules[type(module).__module__]) if type(module).__module__ in sys.modules else {}
        for name, value in list(namespace.items()):
            if value is original and not any(space is namespace and key == name for space, key in patched):
                patched.append((namespace, name))
    for namespace, name in patched:
        namespace[name] = _sdpa_math
    try:
        yield
    finally:
        for namespace, name in patched:
            namespace[name] = original


def _calls_sdpa(model: torch.nn.Module, x: torch.Tensor) -> bool:
    """Whether an eager forward pass calls F.scaled_dot_product_attention (to say what was lowered)."""
    original = getattr(F, "scaled_dot_product_attention", None)
    if original is None:
        return False
    calls = [0]

    def counting(*args: Any, **kwargs: Any) -> torch.Tensor:
        calls[0] += 1
        return _sdpa_math(*args, **kwargs)

    with contextlib.ExitStack() as stack:
        stack.enter_context(_math_attention_functions(model))
        for module in model.modules():  # _math_attention_functions bound _sdpa_math: count instead
            namespace = vars(sys.modules.get(type(module).__module__, F))
            for name, value in list(namespace.items()):
                if value is _sdpa_math:
                    namespace[name] = counting
                    stack.callback(namespace.__setitem__, name, _sdpa_math)
        if vars(F).get("scaled_dot_product_attention") is _sdpa_math:
            vars(F)["scaled_dot_product_attention"] = counting
            stack.callback(vars(F).__setitem__, "scaled_dot_product_attention", _sdpa_math)
        with torch.no_grad():
            model(x)
    return calls[0] > 0


def wrap(model: torch.nn.Module, path, *, units: int, bins: int, bin_ms: Optional[float] = None,
         name: str = "", trained_on: str = "", unit_ids=None, outputs: Optional[Dict[str, str]] = None,
         method: str = "auto", extra_metadata: Optional[Dict[str, Any]] = None, tolerance: float = 1e-5,
         lower: Any = "auto", check_bins: Optional[Sequence[int]] = None, quiet: bool = False) -> Dict[str, Any]:
    """Saves `model` as a NeuroLens TorchScript file at `path` and checks the result.

    units, bins: the input shape the model expects (used for the example input and
    the checks); bin_ms, name, trained_on, unit_ids go into neurolens.json;
    outputs renames dict keys, e.g. {"latents": "factors", "log_rates": "lograte"};
    method: "script", "trace" or "auto" (script, else trace);
    lower: attention to matmul + softmax so LibTorch 1.13 runs the file: "auto" (when this
    PyTorch has scaled_dot_product_attention, i.e. 2.x), True (always) or False;
    check_bins: the lengths at which the saved file must reproduce the module
    (default bins, bins // 2, 2 * bins; lengths the module itself cannot run are skipped).
    Returns the metadata written.
    """
    if method not in ("auto", "script", "trace"):
        raise ValueError("method must be 'auto', 'script' or 'trace'")
    if lower not in ("auto", True, False):
        raise ValueError("lower must be 'auto', True or False")
    model = model.eval()
    x = example_counts(2, bins, units)
    keys = dict(outputs or {})
    with torch.no_grad():
        latents, rates, form = _unpack(model(x), keys)
    _check_shapes(x, latents, rates, type(model).__name__)

    lowered: List[str] = []
    source = model
    if lower is True or (lower == "auto" and hasattr(F, "scaled_dot_product_attention")):
        source, lowered = lower_attention(model)
        source.eval()
    module = None
    traced = False
    with _math_attention_functions(source) if lower is not False else contextlib.nullcontext():
        if method in ("auto", "script"):
            try:
                module = torch.jit.script(source)
            except Exception as error:
                if method == "script":
                    raise ExportError(f"torch.jit.script failed: {error}") from error
                warnings.warn(f"torch.jit.script failed ({_first_line(error)}); tracing instead: control "
                              "flow that depends on the input's values or length will be frozen (checked below)")
        if module is None:
            traced = True
            with torch.no_grad():
                module = torch.jit.trace(source, (x,), strict=False, check_trace=False)
    if lower is not False and _calls_sdpa(source, x):
        lowered.append("torch.nn.functional.scaled_dot_product_attention")
    if lowered and not quiet:
        print(f"neurolens_export: lowered {', '.join(lowered)} to matmul + softmax (LibTorch 1.13, which "
              "NeuroLens is built with, has no aten::scaled_dot_product_attention)", file=sys.stderr)

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
    metadata["exported_with"] = f"torch {torch.__version__}" + (" (traced)" if traced else "")
    if lowered:
        metadata["lowered"] = lowered

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".partial")
    torch.jit.save(module, str(temporary), _extra_files={METADATA_FILE: json.dumps(metadata)})
    try:
        newer = operators_newer_than_1_13(temporary)
        if newer:
            raise ExportError(f"{path}: the saved code calls {', '.join(newer)}, which LibTorch 1.13 (NeuroLens's) "
                              "does not have; export with lower=True")
        check_file(temporary, units, bins, reference=model, keys=keys, tolerance=tolerance, traced=traced,
                   lengths=check_bins, shown_as=path)
    except Exception:
        temporary.unlink(missing_ok=True)
        raise
    temporary.replace(path)
    return metadata


export_model = wrap  # the helper's first name


class CebraEncoder(torch.nn.Module):
    """A CEBRA encoder under the contract: counts [batch, bins, units] -> latents [batch, bins, output_dim],
    the time axis padded as CEBRA.transform pads it (the first bin repeated `left` times, the last
    `right` times), so that bin t's latent is the encoder's output for its receptive field around t."""

    def __init__(self, encoder: torch.nn.Module, left: int, right: int, convolutional: bool):
        super().__init__()
        self.encoder = encoder
        self.left = left
        self.right = right
        self.convolutional = convolutional

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.convolutional:  # a per-bin (offset 1) feed-forward model
            batch, bins, units = x.shape
            return self.encoder(x.reshape(batch * bins, units)).reshape(batch, bins, -1)
        h = x.transpose(1, 2)  # [batch, units, bins]
        if self.left > 0 or self.right > 0:
            h = F.pad(h, (self.left, self.right), mode="replicate")
        return self.encoder(h).transpose(1, 2)


def from_cebra(estimator: Any, path, *, bin_ms: Optional[float] = None, name: str = "", trained_on: str = "",
               unit_ids=None, counts: Any = None, session_id: Optional[int] = None, bins: Optional[int] = None,
               extra_metadata: Optional[Dict[str, Any]] = None, tolerance: float = 1e-5,
               method: str = "trace") -> Dict[str, Any]:
    """Exports a fitted cebra.CEBRA estimator (single-session, or one session of a multi-session one with
    `session_id`) as a NeuroLens model whose latents equal CEBRA.transform(counts).

    counts: optionally a recording's counts [bins, units] (numpy or tensor, the array the estimator was
    fitted on, binned at bin_ms): the saved file's latents are compared with estimator.transform(counts)
    to `tolerance`. Without it the comparison runs on Poisson example counts.
    method: "trace" by default (CEBRA's encoders are convolutions, which trace exactly; their skip
    modules hold slices that torch.jit.script rejects); wrap checks the trace at three lengths.
    Returns the metadata written."""
    try:
        import cebra
        import cebra.models
    except ImportError as error:
        raise ExportError(f"from_cebra needs the cebra package ({error})") from error
    solver = getattr(estimator, "solver_", None)
    if solver is None:
        raise ExportError(f"{type(estimator).__name__} is not fitted (no solver_): call estimator.fit(...) "
                          "first")
    encoder = solver.model
    if isinstance(encoder, torch.nn.ModuleList):
        if session_id is None:
            raise ExportError(f"this CEBRA model has {len(encoder)} sessions: pass session_id= (0 to "
                              f"{len(encoder) - 1}); one file per session")
        encoder = encoder[session_id]
    elif session_id not in (None, 0):
        raise ExportError("session_id given for a single-session CEBRA model")
    if isinstance(encoder, cebra.models.ResampleModelMixin):
        raise ExportError(f"{type(encoder).__name__} resamples time (its output has fewer bins than its "
                          "input); NeuroLens needs one latent per bin: train with a model without resampling")
    offset = encoder.get_offset()
    convolutional = isinstance(encoder, cebra.models.ConvolutionalModelMixin)
    pad = bool(getattr(estimator, "pad_before_transform", True)) and len(offset) >= 2
    if len(offset) >= 2 and not pad:
        raise ExportError("pad_before_transform=False: CEBRA.transform returns fewer bins than it is given "
                          f"({len(offset) - 1} fewer); NeuroLens needs one latent per bin")
    left, right = (int(offset.left), int(offset.right) - 1) if pad else (0, 0)
    units = int(encoder.num_input)
    wrapper = CebraEncoder(copy.deepcopy(encoder).cpu().eval(), left, right, convolutional).eval()
    bins = bins or max(2 * len(offset), 20)

    metadata_extra = {"cebra": {"version": getattr(cebra, "__version__", "?"),
                                "model_architecture": str(getattr(estimator, "model_architecture", "")),
                                "receptive_field": [-left, right], "padding": "replicate"}}
    metadata_extra.update(extra_metadata or {})
    metadata = wrap(wrapper, path, units=units, bins=bins, bin_ms=bin_ms,
                    name=name or f"CEBRA {metadata_extra['cebra']['model_architecture']}".strip(),
                    trained_on=trained_on, unit_ids=unit_ids, method=method, extra_metadata=metadata_extra,
                    tolerance=tolerance)

    # The promise: the file's latents are CEBRA.transform's.
    reference_counts = (example_counts(1, max(bins, len(offset)), units)[0] if counts is None
                        else torch.as_tensor(counts))
    try:
        expected = torch.as_tensor(estimator.transform(reference_counts.numpy(), session_id=session_id))
        with torch.no_grad():
            got = torch.jit.load(str(path))(reference_counts.float().unsqueeze(0))[0]
        if got.shape != expected.shape or not torch.allclose(got, expected.to(got.dtype), atol=tolerance,
                                                             rtol=tolerance):
            difference = float((got - expected).abs().max()) if got.shape == expected.shape else float("nan")
            raise ExportError(f"{path}: the saved model's latents differ from CEBRA.transform's (shapes "
                              f"{list(got.shape)} and {list(expected.shape)}, max difference {difference:.3g})")
    except Exception:
        Path(path).unlink(missing_ok=True)
        raise
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
        print(f"error: {args.model}: not loadable TorchScript: {_first_line(error)}", file=sys.stderr)
        return 3
    try:
        newer = operators_newer_than_1_13(args.model)
    except zipfile.BadZipFile:
        newer = []
    if newer:
        print(f"error: {args.model}: calls {', '.join(newer)}, which LibTorch 1.13 (NeuroLens's) does not have: "
              "re-export the model with wrap() or from_cebra() (they lower it), or rebuild NeuroLens against "
              "your PyTorch (README)", file=sys.stderr)
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

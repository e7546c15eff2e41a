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

    if metadata.get("receptive_field_bins") is not None:
        before, after = receptive_field(metadata["receptive_field_bins"])
        _check_receptive_field(loaded, keys, units, bins, before, after, tolerance, str(path))

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


def receptive_field(value: Any) -> Tuple[int, int]:
    """(before, after) from a `receptive_field_bins` value: [before, after] or one number for both, whole
    numbers >= 0 (as the program reads it: docs/models.md, "Long recordings")."""
    pair = list(value) if isinstance(value, (list, tuple)) else [value, value]
    if len(pair) != 2 or not all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in pair):
        raise ExportError(f"receptive_field_bins must be [before, after] (whole numbers of bins >= 0) or one "
                          f"such number, not {value!r}")
    return int(pair[0]), int(pair[1])


def _check_receptive_field(loaded: torch.nn.Module, keys: Dict[str, str], units: int, bins: int, before: int,
                           after: int, tolerance: float, path: str) -> None:
    """The promise `receptive_field_bins` makes to `--stream-ms`: the latents at bin t of any input equal those
    at the same bin of the input cut to bins t-before..t+after (clipped at the ends), i.e. they depend on
    those bins only and not on where the input starts. Checked at the ends and in the middle of an input
    longer than twice the field."""
    length = max(bins, 2 * (before + after + 1) + 3)
    x = example_counts(1, length, units, seed=11)
    with torch.no_grad():
        whole, _, _ = _unpack(loaded(x), keys)
        scale = max(1.0, float(whole.abs().max()))
        for t in sorted({0, min(before, length - 1), length // 2, max(length - 1 - after, 0), length - 1}):
            first, last = max(t - before, 0), min(t + after + 1, length)
            try:
                cut, _, _ = _unpack(loaded(x[:, first:last]), keys)
            except Exception as error:
                raise ExportError(f"{path}: receptive_field_bins [{before}, {after}]: the model fails on the "
                                  f"{last - first} bins around bin {t} ({_first_line(error)}); --stream-ms "
                                  "could not use it") from error
            difference = float((cut[0, t - first] - whole[0, t]).abs().max())
            if not difference <= tolerance * scale:
                raise ExportError(
                    f"{path}: receptive_field_bins [{before}, {after}] is wrong: the latents at bin {t} of "
                    f"[1, {length}, {units}] counts change by {difference:.3g} when the input is cut to bins "
                    f"{first}..{last - 1}; state a larger field, or none (the program then measures it)")


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


    def merge_masks(self, attn_mask: Optional[torch.Tensor], key_padding_mask: Optional[torch.Tensor],
                    query: torch.Tensor) -> Tuple[Optional[torch.Tensor], Optional[int]]:
        """nn.MultiheadAttention.merge_masks (PyTorch 2.x): nn.TransformerEncoderLayer's scripted fast path calls
        it on its self_attn, so a lowered layer must have it to script."""
        mask_type: Optional[int] = None
        merged_mask: Optional[torch.Tensor] = None
        if key_padding_mask is not None:
            mask_type = 1
            merged_mask = key_padding_mask
        if attn_mask is not None:
            batch_size, seq_len, _ = query.shape
            mask_type = 2
            if attn_mask.dim() == 3:
                attn_mask_expanded = attn_mask.view(batch_size, -1, seq_len, seq_len)
            else:
                attn_mask_expanded = attn_mask.view(1, 1, seq_len, seq_len).expand(batch_size, self.num_heads, -1, -1)
            merged_mask = attn_mask_expanded
            if key_padding_mask is not None:
                key_padding_mask_expanded = key_padding_mask.view(batch_size, 1, 1, seq_len).expand(
                    -1, self.num_heads, -1, -1)
                merged_mask = attn_mask_expanded + key_padding_mask_expanded
        return merged_mask, mask_type


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
    math_form = _sdpa_math  # this module's own `_sdpa_math` name is never rebound below
    calls = [0]

    def counting(*args: Any, **kwargs: Any) -> torch.Tensor:
        calls[0] += 1
        return math_form(*args, **kwargs)

    # Names of this module bound to the math form already (`_sdpa` under 1.13) call no operator.
    native = {name for name, value in globals().items() if value is math_form}
    with contextlib.ExitStack() as stack:
        stack.enter_context(_math_attention_functions(model))
        namespaces = {id(vars(F)): vars(F)}
        for module in model.modules():  # _math_attention_functions bound _sdpa_math: count instead
            namespace = vars(sys.modules.get(type(module).__module__, F))
            namespaces[id(namespace)] = namespace
        for namespace in namespaces.values():
            for name, value in list(namespace.items()):
                if value is math_form and not (namespace is globals() and name in native):
                    namespace[name] = counting
                    stack.callback(namespace.__setitem__, name, math_form)
        with torch.no_grad():
            model(x)
    return calls[0] > 0


def wrap(model: torch.nn.Module, path, *, units: int, bins: int, bin_ms: Optional[float] = None,
         name: str = "", trained_on: str = "", unit_ids=None, outputs: Optional[Dict[str, str]] = None,
         method: str = "auto", extra_metadata: Optional[Dict[str, Any]] = None, tolerance: float = 1e-5,
         lower: Any = "auto", check_bins: Optional[Sequence[int]] = None, quiet: bool = False,
         reference: Optional[torch.nn.Module] = None,
         receptive_field_bins: Any = None) -> Dict[str, Any]:
    """Saves `model` as a NeuroLens TorchScript file at `path` and checks the result.

    units, bins: the input shape the model expects (used for the example input and
    the checks); bin_ms, name, trained_on, unit_ids go into neurolens.json;
    outputs renames dict keys, e.g. {"latents": "factors", "log_rates": "lograte"};
    method: "script", "trace" or "auto" (script, else trace);
    lower: attention to matmul + softmax so LibTorch 1.13 runs the file: "auto" (when this
    PyTorch has scaled_dot_product_attention, i.e. 2.x), True (always) or False;
    check_bins: the lengths at which the saved file must reproduce the module
    (default bins, bins // 2, 2 * bins; lengths the module itself cannot run are skipped);
    reference: the eager module the saved file must reproduce there (default: model itself), e.g. the
    original library's module when `model` is a scriptable re-implementation of it (from_poyo).
    receptive_field_bins: [before, after] (or one number for both) when the latents at bin t depend on bins
    t-before..t+after only and not on where the input starts (convolutions): written to the metadata, where
    `--stream-ms` and the GUI's cursor windows read it instead of probing; the saved file is checked to
    keep that promise. Leave it None when it is not known or not shift-invariant (recurrent models, models
    that cut the input into fixed windows such as POYO).
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
    if receptive_field_bins is not None:
        metadata["receptive_field_bins"] = list(receptive_field(receptive_field_bins))
    metadata.update(extra_metadata or {})
    if metadata.get("receptive_field_bins") is not None:
        receptive_field(metadata["receptive_field_bins"])  # a malformed value in extra_metadata: say so now
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
        check_file(temporary, units, bins, reference=model if reference is None else reference, keys=keys, tolerance=tolerance, traced=traced,
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
    The metadata gets `receptive_field_bins` [left, right - 1] from the encoder's get_offset() (offset10:
    [5, 4], bins t-5..t+4), checked on the saved file, so `--stream-ms` needs no probe.
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
    # The encoder's own field (CEBRA's get_offset(): bins t-left..t+right-1), whatever the padding.
    field = [int(offset.left), max(int(offset.right) - 1, 0)]
    metadata = wrap(wrapper, path, units=units, bins=bins, bin_ms=bin_ms,
                    name=name or f"CEBRA {metadata_extra['cebra']['model_architecture']}".strip(),
                    trained_on=trained_on, unit_ids=unit_ids, method=method, extra_metadata=metadata_extra,
                    tolerance=tolerance, receptive_field_bins=field)

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


# --- POYO (torch_brain) ----------------------------------------------------------------------------------------
# torch_brain's POYO reads spikes as tokens (unit embedding + token type, a timestamp), compresses them by
# cross-attention into latent tokens on a time grid, processes those by self-attention and decodes by
# cross-attention from output queries (the session embedding at the output timestamps). Its modules are not
# scriptable (xformers dispatch, @torch.no_grad helpers, keyword-only forward), so from_poyo builds PoyoEncoder:
# the same weights and the same computation in TorchScript-friendly code, binned counts in. A bin's count c of
# unit u is one token (u, bin centre) whose attention weight is multiplied by c: exactly POYO on c spikes of u
# at the bin centre (softmax over c identical keys), and differentiable in c (c = 0 gives the token no weight).
# The saved file is checked against torch_brain's own POYO.forward on those spikes.

_sdpa = getattr(F, "scaled_dot_product_attention", _sdpa_math)  # 2.x: lowered by wrap(); 1.13: the math form


def _rotary_embedding(timestamps: torch.Tensor, omega: torch.Tensor) -> torch.Tensor:
    """torch_brain RotaryTimeEmbedding.forward: timestamps [..., N] -> [..., N, 2 * head_dim]."""
    angles = timestamps.unsqueeze(-1) * omega
    angles = angles.repeat_interleave(2, dim=-1)
    return torch.cat((angles.cos(), angles.sin()), dim=-1)


def _rotate_half(x: torch.Tensor) -> torch.Tensor:
    pairs = x.reshape(list(x.shape[:-1]) + [x.size(-1) // 2, 2])
    return torch.stack((-pairs[..., 1], pairs[..., 0]), dim=-1).reshape(x.shape)


def _rotate(x: torch.Tensor, embedding: torch.Tensor) -> torch.Tensor:
    """torch_brain RotaryTimeEmbedding.rotate for x [B, heads, N, D] and embedding [B, N, 2D]."""
    cos, sin = embedding.unsqueeze(1).to(x.dtype).chunk(2, dim=-1)
    return x * cos + _rotate_half(x) * sin


def _invert(embedding: torch.Tensor) -> torch.Tensor:
    cos, sin = embedding.chunk(2, dim=-1)
    return torch.cat((cos, -sin), dim=-1)


def _heads(x: torch.Tensor, heads: int) -> torch.Tensor:
    """[B, N, heads * D] -> [B, heads, N, D]."""
    return x.reshape(list(x.shape[:-1]) + [heads, x.size(-1) // heads]).permute(0, 2, 1, 3)


def _merge_heads(x: torch.Tensor) -> torch.Tensor:
    """[B, heads, N, D] -> [B, N, heads * D]."""
    out = x.permute(0, 2, 1, 3)
    return out.reshape(list(out.shape[:-2]) + [out.size(-2) * out.size(-1)])


class _PoyoCrossAttention(torch.nn.Module):
    """torch_brain RotaryCrossAttention (eval mode, no mask) with the same weights."""

    def __init__(self, attention: torch.nn.Module):
        super().__init__()
        self.norm = attention.norm
        self.norm_context = attention.norm_context
        self.to_q = attention.to_q
        self.to_kv = attention.to_kv
        self.to_out = attention.to_out
        self.heads = int(attention.heads)
        self.rotate_value = bool(attention.rotate_value)

    def forward(self, x: torch.Tensor, context: torch.Tensor, x_pos: torch.Tensor,
                context_pos: torch.Tensor) -> torch.Tensor:
        q = _rotate(_heads(self.to_q(self.norm(x)), self.heads), x_pos)
        k, v = self.to_kv(self.norm_context(context)).chunk(2, dim=-1)
        k = _rotate(_heads(k, self.heads), context_pos)
        v = _heads(v, self.heads)
        if self.rotate_value:
            v = _rotate(v, context_pos)
        out = _sdpa(q, k, v)
        if self.rotate_value:
            out = _rotate(out, _invert(x_pos))
        return self.to_out(_merge_heads(out))


class _PoyoSelfAttention(torch.nn.Module):
    """torch_brain RotarySelfAttention (eval mode, no mask) with the same weights."""

    def __init__(self, attention: torch.nn.Module):
        super().__init__()
        self.norm = attention.norm
        self.to_qkv = attention.to_qkv
        self.to_out = attention.to_out
        self.heads = int(attention.heads)
        self.rotate_value = bool(attention.rotate_value)

    def forward(self, x: torch.Tensor, pos: torch.Tensor) -> torch.Tensor:
        q, k, v = self.to_qkv(self.norm(x)).chunk(3, dim=-1)
        q = _rotate(_heads(q, self.heads), pos)
        k = _rotate(_heads(k, self.heads), pos)
        v = _heads(v, self.heads)
        if self.rotate_value:
            v = _rotate(v, pos)
        out = _sdpa(q, k, v)
        if self.rotate_value:
            out = _rotate(out, _invert(pos))
        return self.to_out(_merge_heads(out))


class _PoyoCountAttention(torch.nn.Module):
    """The encoder's RotaryCrossAttention over count-weighted tokens: latents [B, L, d] attend to the U * bins
    tokens (unit u at bin b's centre) and the 2U start / end tokens; a token's softmax weight is multiplied by
    its count (1 for start / end), which equals attending to that many identical spike tokens."""

    def __init__(self, attention: torch.nn.Module):
        super().__init__()
        self.norm = attention.norm
        self.norm_context = attention.norm_context
        self.to_q = attention.to_q
        self.to_kv = attention.to_kv
        self.to_out = attention.to_out
        self.heads = int(attention.heads)
        self.rotate_value = bool(attention.rotate_value)

    def forward(self, x: torch.Tensor, tokens: torch.Tensor, weights: torch.Tensor, x_pos: torch.Tensor,
                token_pos: torch.Tensor) -> torch.Tensor:
        # tokens [1, N, d] and token_pos [1, N, 2D] are shared by the windows; weights [B, N].
        q = _rotate(_heads(self.to_q(self.norm(x)), self.heads), x_pos)
        k, v = self.to_kv(self.norm_context(tokens)).chunk(2, dim=-1)
        k = _rotate(_heads(k, self.heads), token_pos)
        v = _heads(v, self.heads)
        if self.rotate_value:
            v = _rotate(v, token_pos)
        scale = 1.0 / math.sqrt(float(q.size(-1)))
        scores = torch.matmul(q * scale, k.transpose(-2, -1))  # [B, heads, L, N]
        scores = scores - scores.max(dim=-1, keepdim=True)[0].detach()
        weighted = torch.exp(scores) * weights.unsqueeze(1).unsqueeze(2)
        out = torch.matmul(weighted / weighted.sum(dim=-1, keepdim=True), v)
        if self.rotate_value:
            out = _rotate(out, _invert(x_pos))
        return self.to_out(_merge_heads(out))


class PoyoEncoder(torch.nn.Module):
    """torch_brain's POYO under the NeuroLens contract (see from_poyo): counts [batch, bins, units] ->
    {"latents": the decoder's output tokens [batch, bins, dim] (one query per bin, before the readout),
    "readout": POYO's task readout [batch, bins, dim_out]}. The recording is cut into windows of the training
    context (`window_bins` bins, POYO's sequence_length; a shorter input is one window), each read as POYO
    reads a context window (start / end tokens at 0 and the window's end, latent tokens every latent_step);
    the last partial window is the recording's last `window_bins` bins, of which its own bins are kept."""

    def __init__(self, poyo: torch.nn.Module, unit_index: torch.Tensor, unit_count: torch.Tensor,
                 session_index: torch.Tensor, bin_s: float, window_bins: int, windows_per_pass: int = 64):
        super().__init__()
        poyo = copy.deepcopy(poyo).cpu().eval()
        self.unit_weight = torch.nn.Parameter(poyo.unit_emb.weight.detach().clone())
        self.session_weight = torch.nn.Parameter(poyo.session_emb.weight.detach().clone())
        self.token_type_emb = poyo.token_type_emb
        self.latent_emb = poyo.latent_emb
        self.register_buffer("omega", poyo.rotary_emb.omega.detach().clone())
        # The unit vocabulary indices of each session's units, in the columns' order (row s, first
        # unit_count[s] entries), and each session's session-vocabulary index: integer buffers.
        self.register_buffer("unit_index", unit_index.to(torch.long))
        self.register_buffer("unit_count", unit_count.to(torch.long))
        self.register_buffer("session_index", session_index.to(torch.long))
        self.enc_atn = _PoyoCountAttention(poyo.enc_atn)
        self.enc_ffn = poyo.enc_ffn
        self.proc_atn = torch.nn.ModuleList([_PoyoSelfAttention(layer[0]) for layer in poyo.proc_layers])
        self.proc_ffn = torch.nn.ModuleList([layer[1] for layer in poyo.proc_layers])
        self.dec_atn = _PoyoCrossAttention(poyo.dec_atn)
        self.dec_ffn = poyo.dec_ffn
        self.readout = poyo.readout
        self.bin_s = float(bin_s)
        self.window_bins = int(window_bins)
        self.latent_step = float(poyo.latent_step)
        self.latents_per_step = int(poyo.num_latents_per_step)
        self.windows_per_pass = int(windows_per_pass)

    @torch.jit.export
    def unit_embeddings(self, session: int) -> torch.Tensor:
        """The session's units' learned embeddings [units, dim] (POYO's unit vocabulary)."""
        count = int(self.unit_count[session].item())
        return F.embedding(self.unit_index[session, :count], self.unit_weight)

    def _windows(self, x: torch.Tensor, session: int) -> Tuple[torch.Tensor, torch.Tensor]:
        """x [windows, bins, units], each a context window of its own -> (latents, readout) per bin."""
        windows, bins, units = x.shape
        count = int(self.unit_count[session].item())
        if units != count:
            raise RuntimeError(f"POYO session {session} has {count} units, the input has {units}")
        length = bins * self.bin_s
        # Times in float64, then float32 (as torch_brain's numpy timestamps): high-frequency rotary angles
        # (periods down to 0.1 ms) amplify a float32 rounding of the time itself.
        centres = ((torch.arange(bins, dtype=torch.float64, device=x.device) + 0.5) * self.bin_s).to(torch.float32)
        unit_emb = F.embedding(self.unit_index[session, :count], self.unit_weight)  # [U, d]
        types = self.token_type_emb.weight
        # Tokens: bin-major spikes (bin b, unit u) then each unit's start and end token (as POYO.tokenize).
        spikes = (unit_emb + types[0]).unsqueeze(0).expand(bins, count, unit_emb.size(-1))
        edges = torch.stack((unit_emb + types[1], unit_emb + types[2]), dim=1)  # [U, 2, d]
        tokens = torch.cat((spikes.reshape(bins * count, -1), edges.reshape(2 * count, -1)), dim=0).unsqueeze(0)
        edge_times = torch.tensor([0.0, length], dtype=torch.float32, device=x.device).repeat(count)
        token_times = torch.cat((centres.repeat_interleave(count), edge_times)).unsqueeze(0)
        token_pos = _rotary_embedding(token_times, self.omega)
        steps = torch.arange(0.0, length, self.latent_step, dtype=torch.float64, device=x.device)
        latent_times = (steps + self.latent_step / 2).to(torch.float32).repeat_interleave(self.latents_per_step)
        latent_index = torch.arange(self.latents_per_step, device=x.device).repeat(steps.size(0))
        latent_pos = _rotary_embedding(latent_times.unsqueeze(0), self.omega)
        output_pos = _rotary_embedding(centres.unsqueeze(0), self.omega)
        query = F.embedding(self.session_index[session].reshape(1), self.session_weight)  # [1, d]
        latent_parts: List[torch.Tensor] = []
        readout_parts: List[torch.Tensor] = []
        for start in range(0, windows, self.windows_per_pass):
            part = x[start:start + self.windows_per_pass]
            n = part.size(0)
            weights = torch.cat((part.reshape(n, bins * count), torch.ones(n, 2 * count, dtype=x.dtype,
                                                                           device=x.device)), dim=1)
            latents = self.latent_emb(latent_index).unsqueeze(0).expand(n, -1, -1)
            latents = latents + self.enc_atn(latents, tokens, weights, latent_pos, token_pos)
            latents = latents + self.enc_ffn(latents)
            for attention, ffn in zip(self.proc_atn, self.proc_ffn):
                latents = latents + attention(latents, latent_pos)
                latents = latents + ffn(latents)
            queries = query.unsqueeze(1).expand(n, bins, query.size(-1))
            queries = queries + self.dec_atn(queries, latents, output_pos, latent_pos)
            output = queries + self.dec_ffn(queries)
            latent_parts.append(output)
            readout_parts.append(self.readout(output))
        return torch.cat(latent_parts, dim=0), torch.cat(readout_parts, dim=0)

    @torch.jit.export
    def forward_session(self, x: torch.Tensor, session: int) -> Dict[str, torch.Tensor]:
        batch, bins, units = x.shape
        window = self.window_bins
        if bins <= window:
            latents, readout = self._windows(x, session)
            return {"latents": latents, "readout": readout}
        whole = bins // window
        latents, readout = self._windows(x[:, :whole * window].reshape(batch * whole, window, units), session)
        latents = latents.reshape(batch, whole * window, -1)
        readout = readout.reshape(batch, whole * window, -1)
        rest = bins - whole * window
        if rest > 0:
            tail_latents, tail_readout = self._windows(x[:, bins - window:], session)
            latents = torch.cat((latents, tail_latents[:, window - rest:]), dim=1)
            readout = torch.cat((readout, tail_readout[:, window - rest:]), dim=1)
        return {"latents": latents, "readout": readout}

    def forward(self, x: torch.Tensor) -> Dict[str, torch.Tensor]:
        return self.forward_session(x, 0)


def poyo_spike_tokens(counts: torch.Tensor, unit_index: torch.Tensor, bin_s: float
                      ) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """POYO's input tokens for windows of integer counts [windows, bins, units]: count c of unit u in bin b
    becomes c spike tokens (unit_index[u], the bin centre), after each unit's start (time 0) and end (time
    bins * bin_s) tokens, as torch_brain's POYO.tokenize makes them. Returns the padded input_unit_index,
    input_timestamps (float32), input_token_type and input_mask [windows, longest]."""
    import numpy as np
    from torch_brain.models.poyo import create_start_end_unit_tokens
    if not torch.equal(counts, counts.round()) or (counts < 0).any():
        raise ExportError("POYO spike tokens need integer counts >= 0 (spikes)")
    windows, bins, units = counts.shape
    vocab = unit_index.cpu().numpy()
    array = counts.detach().cpu().numpy().astype(np.int64)
    se_type, se_unit, se_time = create_start_end_unit_tokens(np.arange(units), 0.0, bins * bin_s)
    sequences = []
    for w in range(windows):
        b, u = np.nonzero(array[w])
        repeats = array[w][b, u]
        spike_unit = np.repeat(u, repeats)
        spike_time = (np.repeat(b, repeats).astype(np.float64) + 0.5) * bin_s
        sequences.append((np.concatenate([vocab[se_unit], vocab[spike_unit]]),
                          np.concatenate([se_time, spike_time]),
                          np.concatenate([se_type, np.zeros(len(spike_unit), dtype=np.int64)])))
    longest = max(len(sequence[0]) for sequence in sequences)
    tokens = torch.zeros(windows, longest, dtype=torch.long)
    timestamps = torch.zeros(windows, longest)
    token_type = torch.zeros(windows, longest, dtype=torch.long)
    mask = torch.zeros(windows, longest, dtype=torch.bool)
    for w, (units_w, times_w, types_w) in enumerate(sequences):
        n = len(units_w)
        tokens[w, :n] = torch.from_numpy(units_w)
        timestamps[w, :n] = torch.from_numpy(times_w).float()
        token_type[w, :n] = torch.from_numpy(types_w)
        mask[w, :n] = True
    return tokens, timestamps, token_type, mask


class PoyoReference(torch.nn.Module):
    """torch_brain's own POYO.forward on binned counts, for checking PoyoEncoder: count c of unit u in bin b
    becomes c spike tokens at the bin centre, with POYO.tokenize's start / end tokens and latent grid, the same
    windows. Integer counts only; no gradients (eager, Python loops). Same outputs as PoyoEncoder."""

    def __init__(self, poyo: torch.nn.Module, encoder: PoyoEncoder, session: int = 0):
        super().__init__()
        self.poyo = copy.deepcopy(poyo).cpu().eval()
        self.encoder = encoder
        self.session = session

    def _windows(self, x: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        from torch_brain.models.poyo import create_linspace_latent_tokens
        windows, bins, units = x.shape
        enc = self.encoder
        count = int(enc.unit_count[self.session])
        length = bins * enc.bin_s
        unit_index, timestamps, token_type, mask = poyo_spike_tokens(
            x, enc.unit_index[self.session, :count], enc.bin_s)
        latent_index, latent_times = create_linspace_latent_tokens(0.0, length, self.poyo.latent_step,
                                                                   self.poyo.num_latents_per_step)
        captured: List[torch.Tensor] = []
        hook = self.poyo.dec_ffn.register_forward_hook(lambda m, i, o: captured.append(i[0] + o))
        try:
            readout = self.poyo(
                input_unit_index=unit_index, input_timestamps=timestamps, input_token_type=token_type,
                input_mask=mask, latent_index=torch.from_numpy(latent_index).unsqueeze(0).expand(windows, -1),
                latent_timestamps=torch.from_numpy(latent_times).float().unsqueeze(0).expand(windows, -1),
                session_index=enc.session_index[self.session].repeat(windows),
                output_timestamps=((torch.arange(bins, dtype=torch.float64) + 0.5) * enc.bin_s).float().unsqueeze(0)
                .expand(windows, -1))
        finally:
            hook.remove()
        return captured[0], readout

    def forward(self, x: torch.Tensor) -> Dict[str, torch.Tensor]:
        batch, bins, units = x.shape
        window = self.encoder.window_bins
        with torch.no_grad():
            if bins <= window:
                latents, readout = self._windows(x)
                return {"latents": latents, "readout": readout}
            whole = bins // window
            latents, readout = self._windows(x[:, :whole * window].reshape(batch * whole, window, units))
            latents = latents.reshape(batch, whole * window, -1)
            readout = readout.reshape(batch, whole * window, -1)
            rest = bins - whole * window
            if rest > 0:
                tail_latents, tail_readout = self._windows(x[:, bins - window:])
                latents = torch.cat((latents, tail_latents[:, window - rest:]), dim=1)
                readout = torch.cat((readout, tail_readout[:, window - rest:]), dim=1)
        return {"latents": latents, "readout": readout}


def from_poyo(model: torch.nn.Module, unit_ids: Sequence[Any], session: Any, path, *, bin_ms: float,
              window_ms: Optional[float] = None, sessions: Optional[Sequence[Tuple[Any, ...]]] = None,
              recording_unit_ids: Optional[Sequence[int]] = None, name: str = "POYO", trained_on: str = "",
              extra_metadata: Optional[Dict[str, Any]] = None, tolerance: float = 1e-4,
              check_bins: Optional[Sequence[int]] = None, check_reference: bool = True) -> Dict[str, Any]:
    """Exports a torch_brain POYO (torch_brain.models.POYO, vocabularies initialised) as a NeuroLens model.

    unit_ids: the POYO unit-vocabulary words of the recording's units, in the recording's unit order (the
    columns of the counts); session: its session-vocabulary word. sessions: more sessions as (session word,
    unit words) pairs, or (session word, unit words, NWB unit ids) triples, after the first: the file then has
    metadata `sessions` (ids: the session words, which NeuroLens matches against the NWB identifier) and
    forward_session(x, s).
    bin_ms: the bins NeuroLens will give the model; window_ms: the context window (default POYO's
    sequence_length). recording_unit_ids: the NWB unit ids for the metadata (default 0..units-1).
    The forward pass takes counts [batch, bins, units] (model contract), returns {"latents": the decoder's
    per-bin output [batch, bins, dim], "readout": POYO's readout}; unit_embeddings(s) gives the session's
    unit embeddings. The saved file is checked (wrap) against torch_brain's own POYO.forward on the spikes
    the counts stand for (check_reference=False: against PoyoEncoder in eager mode only).
    No `receptive_field_bins` is written: POYO reads fixed context windows (window_ms) tiled from the
    input's first bin, so bin t depends on the other bins of its window (at most window_bins - 1 on either
    side) and on where the input starts; no shift-invariant field exists (metadata `poyo.window_bins` says
    the window). `--stream-ms` then probes; a streamed run equals one pass only where its windows start on
    the model's window grid."""
    vocabulary = getattr(getattr(model, "unit_emb", None), "vocab", None)
    if vocabulary is None or getattr(model.session_emb, "vocab", None) is None:
        raise ExportError("the POYO's unit or session vocabulary is not initialised (unit_emb.initialize_vocab, "
                          "session_emb.initialize_vocab)")
    all_sessions = [(session, list(unit_ids))] + [(entry[0], list(entry[1])) for entry in (sessions or [])]
    # Each session's NWB unit ids for the metadata: the third item of a `sessions` entry, else 0..units-1.
    session_unit_ids = [None if recording_unit_ids is None else [int(i) for i in recording_unit_ids]] + [
        [int(i) for i in entry[2]] if len(entry) > 2 else None for entry in (sessions or [])]
    for (word, units), ids in zip(all_sessions, session_unit_ids):
        if ids is not None and len(ids) != len(units):
            raise ExportError(f"session {word}: {len(ids)} NWB unit ids for {len(units)} unit words")
    for word, units in all_sessions:
        missing = [u for u in units if u not in model.unit_emb.vocab]
        if missing:
            raise ExportError(f"session {word}: {len(missing)} unit ids not in the POYO's unit vocabulary "
                              f"(first: {missing[0]!r})")
        if word not in model.session_emb.vocab:
            raise ExportError(f"session {word!r} is not in the POYO's session vocabulary "
                              f"({list(model.session_emb.vocab)[:5]} ...)")
    widest = max(len(units) for _, units in all_sessions)
    unit_index = torch.zeros(len(all_sessions), widest, dtype=torch.long)
    for row, (_, units) in enumerate(all_sessions):
        unit_index[row, :len(units)] = torch.tensor(model.unit_emb.tokenizer(units), dtype=torch.long)
    unit_count = torch.tensor([len(units) for _, units in all_sessions], dtype=torch.long)
    session_index = torch.tensor([model.session_emb.tokenizer(word) for word, _ in all_sessions], dtype=torch.long)
    window_ms = float(window_ms if window_ms is not None else model.sequence_length * 1000.0)
    window_bins = int(round(window_ms / bin_ms))
    if window_bins < 1 or abs(window_bins * bin_ms - window_ms) > 1e-6:
        raise ExportError(f"the context window ({window_ms} ms) is not a whole number of {bin_ms} ms bins")
    encoder = PoyoEncoder(model, unit_index, unit_count, session_index, bin_ms / 1000.0, window_bins).eval()
    units = len(unit_ids)
    reference = PoyoReference(model, encoder).eval() if check_reference else None
    metadata_extra: Dict[str, Any] = {
        "poyo": {"torch_brain": _version("torch_brain"), "dim": int(model.dim),
                 "window_bins": window_bins, "latent_step_s": float(model.latent_step),
                 "latents_per_step": int(model.num_latents_per_step),
                 "tokens": "one per unit and bin at the bin centre, attention weight x count (= count spikes)",
                 "readout_dims": int(model.readout.out_features)}}
    if len(all_sessions) > 1:
        metadata_extra["sessions"] = [
            {"id": str(word), "units": len(u), "unit_ids": ids if ids is not None else list(range(len(u)))}
            for (word, u), ids in zip(all_sessions, session_unit_ids)]
    metadata_extra.update(extra_metadata or {})
    bins = window_bins
    metadata = wrap(encoder, path, units=units, bins=bins, bin_ms=bin_ms, name=name, trained_on=trained_on,
                    unit_ids=recording_unit_ids if recording_unit_ids is not None else None, method="script",
                    extra_metadata=metadata_extra, tolerance=tolerance, reference=reference,
                    check_bins=check_bins or [bins, max(bins // 2, 1), 2 * bins + bins // 3])
    if len(all_sessions) > 1:  # the other sessions: forward_session against torch_brain too
        loaded = torch.jit.load(str(path))
        for row in range(1, len(all_sessions)):
            x = example_counts(2, bins + bins // 3, len(all_sessions[row][1]), seed=row)
            with torch.no_grad():
                got = loaded.forward_session(x, row)
            with torch.no_grad():
                expected = (PoyoReference(model, encoder, row)(x) if check_reference
                            else encoder.forward_session(x, row))
            for key in ("latents", "readout"):
                if not torch.allclose(got[key], expected[key], atol=tolerance, rtol=tolerance):
                    Path(path).unlink(missing_ok=True)
                    raise ExportError(f"{path}: session {row}: the saved {key} differ from POYO's by "
                                      f"{float((got[key] - expected[key]).abs().max()):.3g}")
    return metadata


def _version(package: str) -> str:
    try:
        from importlib.metadata import version
        return version(package)
    except Exception:
        return "?"


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

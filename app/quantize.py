"""Making a derived model file on the terminal: int8 static quantisation with onnxruntime.

The recipe is data in the manifest entry (``recipe``), so the file a terminal makes is the one
the manifest describes:

- ``opset``: the source graph is converted to this opset first (per-channel QDQ needs 13);
- ``op_types``: node types quantised (``Conv``: the PReLU of the TFLite original is written as
  Relu/Abs/Sub/Mul and loses most when quantised);
- ``per_channel``: one weight scale per output channel;
- ``calibration``: ``minmax``, ``percentile`` or ``entropy`` activation ranges;
- ``float_first`` / ``float_last``: the first and last quantisable nodes stay in float (the
  stem and the embedding head are where int8 costs the most fidelity, see README).

Calibration data are aligned 112x112 BGR crops, fed as the manifest's ``input`` spec says.
``onnx`` is needed (the ``quantize`` extra); without it :class:`QuantizeError` says so. This
lives in the composition root, not in ``models/``: ``models`` never imports onnxruntime.
"""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from models import ModelError, ModelSpec

__all__ = ["QuantizeError", "quantize_model"]

log = logging.getLogger(__name__)

_METHODS = ("minmax", "percentile", "entropy")


class QuantizeError(ModelError):
    """A derived model cannot be made (missing tools, bad recipe, no calibration data)."""


def _feed(crops: NDArray[np.uint8], spec: ModelSpec) -> NDArray[np.float32]:
    """Crops (N x 112 x 112 x 3 BGR) as the model's input tensor."""
    batch = crops[..., ::-1] if str(spec.input.get("colour", "RGB")).upper() == "RGB" else crops
    mean, std = float(spec.input.get("mean", 127.5)), float(spec.input.get("std", 128.0))
    out: NDArray[np.float32] = np.ascontiguousarray(
        ((batch.astype(np.float32) - mean) / std).transpose(0, 3, 1, 2)
    )
    return out


def _tools() -> tuple[Any, Any, Any]:
    try:
        import onnx
        from onnx import version_converter
        from onnxruntime import quantization
    except ImportError as exc:
        raise QuantizeError(
            f"quantisation needs the onnx package ({exc}): pip install 'facepay[quantize]'"
        ) from exc
    return onnx, version_converter, quantization


def quantize_model(
    source: Path, out: Path, spec: ModelSpec, crops: NDArray[np.uint8], *, source_spec: ModelSpec
) -> Path:
    """Write ``spec``'s derived file to ``out`` from ``source`` (the file of ``source_spec``),
    calibrated on ``crops``; returns ``out``. Written to a temporary name and renamed."""
    recipe = spec.recipe
    method = str(recipe.get("calibration", "percentile")).lower()
    if method not in _METHODS:
        raise QuantizeError(f"{spec.id}: calibration {method!r} is not one of {', '.join(_METHODS)}")
    if crops.ndim != 4 or len(crops) == 0:
        raise QuantizeError(f"{spec.id}: no calibration faces (got an array of shape {crops.shape})")
    onnx, version_converter, q = _tools()
    feed = _feed(crops, source_spec)
    with tempfile.TemporaryDirectory(prefix="facepay-quantize-") as tmp:
        staged = Path(tmp) / "opset.onnx"
        try:
            model = onnx.load(str(source))
            model = version_converter.convert_version(model, int(recipe.get("opset", 13)))
            onnx.save(model, str(staged))
            prepared = Path(tmp) / "prepared.onnx"
            q.shape_inference.quant_pre_process(str(staged), str(prepared), skip_symbolic_shape=True)
            graph = onnx.load(str(prepared)).graph
        except Exception as exc:  # onnx raises its own exception types
            raise QuantizeError(f"{spec.id}: cannot prepare {source}: {exc}") from exc
        op_types = [str(t) for t in recipe.get("op_types", ["Conv"])]
        nodes = [n.name for n in graph.node if n.op_type in op_types]
        first, last = int(recipe.get("float_first", 0)), int(recipe.get("float_last", 0))
        keep_float = nodes[:first] + (nodes[len(nodes) - last :] if last else [])
        input_name = graph.input[0].name

        class Reader(q.CalibrationDataReader):  # type: ignore[misc,name-defined]
            def __init__(self) -> None:
                self._rows = iter(range(len(feed)))

            def get_next(self) -> dict[str, NDArray[np.float32]] | None:
                i = next(self._rows, None)
                return None if i is None else {input_name: feed[i : i + 1]}

        partial = out.with_name(out.name + ".partial")
        out.parent.mkdir(parents=True, exist_ok=True)
        calibrate = {
            "minmax": q.CalibrationMethod.MinMax,
            "percentile": q.CalibrationMethod.Percentile,
            "entropy": q.CalibrationMethod.Entropy,
        }[method]
        try:
            q.quantize_static(
                str(prepared),
                str(partial),
                Reader(),
                quant_format=q.QuantFormat.QDQ,
                op_types_to_quantize=op_types,
                per_channel=bool(recipe.get("per_channel", True)),
                activation_type=q.QuantType.QUInt8,
                weight_type=q.QuantType.QInt8,
                nodes_to_exclude=keep_float,
                calibrate_method=calibrate,
            )
        except Exception as exc:  # onnxruntime raises its own exception types
            partial.unlink(missing_ok=True)
            raise QuantizeError(f"{spec.id}: quantisation failed: {exc}") from exc
    partial.replace(out)
    log.info(
        "%s: %d of %d %s nodes int8 (%d kept in float), calibrated on %d faces",
        spec.id,
        len(nodes) - len(keep_float),
        len(nodes),
        "/".join(op_types),
        len(keep_float),
        len(feed),
    )
    return out

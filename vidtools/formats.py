"""Model file formats: which runtime runs each, which extra installs it, what a file says about
its input (batch, size) and classes — read without loading the model through ultralytics.

Formats follow ultralytics' own naming (``yolo export format=...``): a ``.pt`` checkpoint, an
``*_openvino_model/`` folder, an ``.onnx`` or ``.tflite`` file, a TensorRT ``.engine`` and so on.
Only ``.pt`` files are Python pickles (loading one runs code stored in it); the exported formats
are not.
"""

from __future__ import annotations

import importlib.util
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vidtools.errors import ModelLoadError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ModelFormat:
    """One model format and what it needs.

    Attributes:
        key: ultralytics' format argument (``pt``, ``onnx``, ``openvino``, ``litert``, ...).
        label: Human name (``ONNX``, ``TFLite``, ...).
        module: Import name of the runtime package (None: nothing beyond vidtools' own dependencies).
        package: PyPI name of the runtime.
        extra: The ``vidtools[...]`` extra that installs it (None: install the package yourself).
        pickle: True when loading the file unpickles Python objects (runs code stored in it).
    """

    key: str
    label: str
    module: str | None
    package: str | None
    extra: str | None
    pickle: bool = False

    @property
    def name(self) -> str:
        """How reports and listings name the format (``pytorch``, ``tensorrt``, ``tflite``, or the key)."""
        return {"pt": "pytorch", "engine": "tensorrt", "litert": "tflite"}.get(self.key, self.key)

    def runtime_installed(self) -> bool:
        """True when this format's runtime can be imported here (nothing is imported)."""
        return self.module is None or importlib.util.find_spec(self.module) is not None

    def install_hint(self) -> str:
        """How to install the runtime, as a shell command."""
        if self.extra:
            return f"pip install 'vidtools[{self.extra}]'"
        return f"pip install {self.package}" if self.package else "see the ultralytics export documentation"


PYTORCH = ModelFormat("pt", "PyTorch", "torch", "torch", None, pickle=True)
TORCHSCRIPT = ModelFormat("torchscript", "TorchScript", "torch", "torch", None)
ONNX = ModelFormat("onnx", "ONNX", "onnxruntime", "onnxruntime", "onnx")
OPENVINO = ModelFormat("openvino", "OpenVINO", "openvino", "openvino", "openvino")
TFLITE = ModelFormat("litert", "TFLite", "ai_edge_litert", "ai-edge-litert", "tflite")
EDGETPU = ModelFormat("edgetpu", "TFLite Edge TPU", "tflite_runtime", "tflite-runtime", None)
TENSORRT = ModelFormat("engine", "TensorRT", "tensorrt", "tensorrt", None)
SAVED_MODEL = ModelFormat("saved_model", "TensorFlow SavedModel", "tensorflow", "tensorflow", None)
GRAPHDEF = ModelFormat("pb", "TensorFlow GraphDef", "tensorflow", "tensorflow", None)
COREML = ModelFormat("coreml", "CoreML", "coremltools", "coremltools", None)
PADDLE = ModelFormat("paddle", "PaddlePaddle", "paddle", "paddlepaddle", None)
MNN = ModelFormat("mnn", "MNN", "MNN", "MNN", None)
NCNN = ModelFormat("ncnn", "NCNN", "ncnn", "ncnn", None)
UNKNOWN = ModelFormat("unknown", "unknown", None, None, None)

# (how the path ends, format); the longest match wins (``x_edgetpu.tflite`` is Edge TPU, not TFLite)
_ENDINGS: tuple[tuple[str, ModelFormat], ...] = (
    (".pt", PYTORCH),
    (".torchscript", TORCHSCRIPT),
    (".onnx", ONNX),
    ("_openvino_model", OPENVINO),
    (".xml", OPENVINO),
    (".tflite", TFLITE),
    ("_edgetpu.tflite", EDGETPU),
    (".engine", TENSORRT),
    ("_saved_model", SAVED_MODEL),
    (".pb", GRAPHDEF),
    (".mlpackage", COREML),
    ("_paddle_model", PADDLE),
    (".mnn", MNN),
    ("_ncnn_model", NCNN),
)
MODEL_ENDINGS = tuple(e for e, _ in _ENDINGS)
"""Every file or folder ending that names a model format vidtools knows."""


def format_of(path: str | Path) -> ModelFormat:
    """The format of a model path, from its name (``UNKNOWN`` when no ending matches)."""
    name = Path(path).name.lower()
    matches = [(len(e), f) for e, f in _ENDINGS if name.endswith(e)]
    return max(matches, key=lambda m: m[0])[1] if matches else UNKNOWN


def require_runtime(fmt: ModelFormat, path: str | Path) -> None:
    """Raise one clear line when the runtime of ``fmt`` is not installed.

    Raises:
        ModelLoadError: names the model file, the missing package and the extra that installs it.
    """
    if not fmt.runtime_installed():
        raise ModelLoadError(
            f"{path}: {fmt.label} models need the {fmt.package} package, which is not installed; "
            f"install it with: {fmt.install_hint()}"
        )


@dataclass(frozen=True)
class ExportMetadata:
    """What an Ultralytics export records about itself (all optional).

    Attributes:
        names: Class id -> name, or None when absent.
        imgsz: ``(height, width)`` the model was exported at.
        batch: Export batch size.
        dynamic: True when exported with dynamic shapes, False when static, None when unknown.
        end2end: True when NMS is inside the graph.
        task: ``detect``, ``segment``, ...
        stride: Model stride in pixels.
        source: Where it was read from (``embedded`` or the metadata.yaml path); "" when absent.
        beside: True when read from a ``metadata.yaml`` next to a single-file model, which
            ultralytics itself does not read.
    """

    names: dict[int, str] | None = None
    imgsz: tuple[int, int] | None = None
    batch: int | None = None
    dynamic: bool | None = None
    end2end: bool = False
    task: str | None = None
    stride: int | None = None
    source: str = ""
    beside: bool = False

    @classmethod
    def from_dict(cls, raw: dict[str, Any], source: str, *, beside: bool = False) -> ExportMetadata:
        """Parse ultralytics' metadata dict (values may be strings, as ONNX stores them)."""
        import ast

        def lit(v: Any) -> Any:
            if isinstance(v, str):
                try:
                    return ast.literal_eval(v)
                except (ValueError, SyntaxError):
                    return v
            return v

        names = lit(raw.get("names"))
        if isinstance(names, list):
            names = dict(enumerate(names))
        parsed_names = {int(k): str(v) for k, v in names.items()} if isinstance(names, dict) and names else None
        imgsz = lit(raw.get("imgsz"))
        if isinstance(imgsz, int):
            imgsz = (imgsz, imgsz)
        args = lit(raw.get("args")) or {}
        args = args if isinstance(args, dict) else {}
        dynamic = args.get("dynamic", raw.get("dynamic"))
        batch = raw.get("batch", args.get("batch"))
        stride = raw.get("stride")
        return cls(
            names=parsed_names,
            imgsz=(int(imgsz[0]), int(imgsz[1])) if isinstance(imgsz, (list, tuple)) and len(imgsz) == 2 else None,
            batch=int(lit(batch)) if batch is not None and str(batch).strip().isdigit() else None,
            dynamic=bool(lit(dynamic)) if dynamic is not None else None,
            end2end=bool(lit(raw.get("end2end", False)) or args.get("nms", False)),
            task=str(raw["task"]) if raw.get("task") else None,
            stride=int(lit(stride)) if stride is not None and str(stride).strip().isdigit() else None,
            source=source,
            beside=beside,
        )


def read_metadata(path: str | Path) -> ExportMetadata:
    """The metadata embedded in a model file, else the ``metadata.yaml`` beside or inside it.

    Embedded metadata is read the way ultralytics reads it (ONNX metadata properties, the
    ``metadata.json`` of a TFLite/TorchScript zip, a TensorRT header, the sidecar of an export
    folder), without importing the model's runtime. Ultralytics ignores a ``metadata.yaml`` next to
    a single-file export (e.g. a ``.tflite`` copied out of its ``*_saved_model/`` folder); vidtools
    reads it.
    """
    from ultralytics.nn.backends.base import BaseBackend

    p = Path(path)
    raw = BaseBackend.read_metadata(p) if format_of(p) is not PYTORCH else {}
    if raw:
        inside = p.is_dir() or format_of(p) in (OPENVINO, SAVED_MODEL, GRAPHDEF, PADDLE, NCNN)
        return ExportMetadata.from_dict(raw, str(sidecar_of(p)) if inside else "embedded")
    side = sidecar_of(p)
    if side is not None and side.is_file() and format_of(p) is not PYTORCH:
        try:
            import yaml

            data = yaml.safe_load(side.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as e:
            log.warning("%s: could not read it (%s); ignoring it", side, e.__class__.__name__)
            return ExportMetadata()
        if isinstance(data, dict):
            return ExportMetadata.from_dict(data, str(side), beside=True)
    return ExportMetadata()


def sidecar_of(path: str | Path) -> Path | None:
    """The ``metadata.yaml`` that belongs to a model: inside an export folder, else beside the file."""
    p = Path(path)
    if p.is_dir():
        return p / "metadata.yaml"
    return p.parent / "metadata.yaml"


@dataclass(frozen=True)
class InputSpec:
    """What a model takes and gives, as far as the file tells.

    Attributes:
        batch: Fixed batch size, or None when any batch size is accepted (dynamic).
        imgsz: Fixed ``(height, width)`` of the input, or None when dynamic or unknown.
        n_classes: Number of classes from the output shape (``4 + nc`` rows), None when unknown.
        source: ``runtime`` (read from the model graph), ``metadata``, or ``unknown``.
    """

    batch: int | None
    imgsz: tuple[int, int] | None
    n_classes: int | None
    source: str

    def batch_label(self) -> str:
        return str(self.batch) if self.batch else "dynamic"

    def imgsz_label(self) -> str:
        return f"{self.imgsz[1]}x{self.imgsz[0]}" if self.imgsz else "any"


def spec_from_shapes(
    input_shape: list[int | None], output_shape: list[int | None] | None, *, channels: int = 3
) -> InputSpec:
    """An :class:`InputSpec` from a graph's input and first output shape (None = dynamic dim).

    Args:
        input_shape: ``[B, C, H, W]`` or ``[B, H, W, C]``.
        output_shape: ``[B, 4 + nc, anchors]`` for a raw detection head (post-NMS heads give no nc).
        channels: Image channels, to tell NCHW from NHWC.
    """
    b, *rest = input_shape
    hw: list[int | None] = rest[1:3] if len(rest) == 3 and rest[0] == channels else rest[0:2]
    imgsz = (int(hw[0]), int(hw[1])) if len(hw) == 2 and all(isinstance(d, int) and d > 0 for d in hw) else None
    nc = None
    if output_shape and len(output_shape) == 3:
        rows, cols = output_shape[1], output_shape[2]
        if isinstance(rows, int) and isinstance(cols, int) and cols > rows > 4:
            nc = rows - 4
    return InputSpec(batch=int(b) if isinstance(b, int) and b > 0 else None, imgsz=imgsz, n_classes=nc, source="runtime")


def read_input_spec(path: str | Path, fmt: ModelFormat, meta: ExportMetadata) -> InputSpec:
    """Batch, input size and class count of a model file.

    Read from the graph itself when the runtime is installed and cheap to open without running
    the model (TFLite interpreter, OpenVINO IR, ONNX Runtime when the file carries no metadata),
    else from the export metadata. PyTorch checkpoints are never opened here (they are pickles).
    """
    try:
        if fmt is TFLITE and fmt.runtime_installed():
            from ai_edge_litert.interpreter import Interpreter

            it = Interpreter(str(path))
            d_in = it.get_input_details()[0]
            sig = d_in.get("shape_signature", d_in["shape"])
            shape = [int(s) if int(s) > 0 else None for s in sig]
            out = [int(s) for s in it.get_output_details()[0]["shape"]]
            return spec_from_shapes(shape, out)
        if fmt is OPENVINO and fmt.runtime_installed():
            return spec_from_openvino(read_openvino_model(path))
        if fmt is ONNX and fmt.runtime_installed() and (meta.dynamic is None or meta.names is None):
            import onnxruntime as ort

            s = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
            dims = [d if isinstance(d, int) else None for d in s.get_inputs()[0].shape]
            out = [d if isinstance(d, int) else None for d in s.get_outputs()[0].shape]
            return spec_from_shapes(dims, out)
    except Exception as e:  # noqa: BLE001 - a damaged file: fall back to the metadata; loading will say why
        log.debug("%s: could not read the input shape from the graph (%s)", path, e)
    if meta.dynamic is False or (meta.dynamic is None and fmt not in (PYTORCH, TORCHSCRIPT) and meta.batch):
        batch = meta.batch
    else:
        batch = None
    nc = len(meta.names) if meta.names else None
    source = "metadata" if meta.source else "unknown"
    imgsz = meta.imgsz if meta.dynamic is not True else None
    return InputSpec(batch=batch, imgsz=imgsz, n_classes=nc, source=source)


def read_openvino_model(path: str | Path) -> Any:
    """``openvino.Model`` of an IR (the ``.xml`` in a folder, or the ``.xml`` itself); not compiled."""
    import openvino as ov

    return ov.Core().read_model(str(openvino_xml(path)))


def openvino_xml(path: str | Path) -> Path:
    """The ``.xml`` of an OpenVINO model folder (or the path itself when it is the ``.xml``)."""
    p = Path(path)
    if p.is_dir():
        xmls = sorted(p.glob("*.xml"))
        if not xmls:
            raise ModelLoadError(f"{p}: no .xml file in this OpenVINO model folder; export the model again")
        return xmls[0]
    return p


def spec_from_openvino(model: Any) -> InputSpec:
    """:class:`InputSpec` of an ``openvino.Model`` or ``CompiledModel``."""

    def dims(partial: Any) -> list[int | None]:
        return [d.get_length() if d.is_static else None for d in partial]

    out = dims(model.outputs[0].get_partial_shape()) if model.outputs else None
    return spec_from_shapes(dims(model.inputs[0].get_partial_shape()), out)

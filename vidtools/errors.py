"""Exception classes. Every message names the file involved and what the user can do."""

from __future__ import annotations


class VidtoolsError(Exception):
    """Base class of every error vidtools raises on purpose (user or data mistakes)."""


class UsageError(VidtoolsError):
    """An option or argument is invalid (CLI exit code 2)."""


class VideoOpenError(VidtoolsError):
    """A clip is missing, empty, truncated, corrupt or not a video."""

    def __init__(self, path: object, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


class WeightsNotFoundError(VidtoolsError):
    """A model name or path could not be resolved to a file on this machine."""

    def __init__(self, model: str, searched: list[str], hint: str = "") -> None:
        self.model = model
        self.searched = list(searched)
        where = "; ".join(self.searched) if self.searched else "(nowhere)"
        super().__init__(
            f"model {model!r} not found. Looked in: {where}. "
            "Pass --model PATH to a .pt/.onnx/.tflite/.engine file or an *_openvino_model/ folder, "
            "or put it in $VIDTOOLS_WEIGHTS (offline weights live in ../shared/weights)."
            + (f" {hint}" if hint else "")
        )


class ModelLoadError(VidtoolsError):
    """A weights file exists but cannot be loaded (runtime missing, damaged, not a detector)."""


class UntrustedModelError(ModelLoadError):
    """A ``.pt`` pickle that is not in the weights manifest, refused by ``--trusted-models-only``."""


class NamesFileError(UsageError):
    """A class names file (``--names``) is missing, malformed or belongs to another model."""


class TaxonomyError(VidtoolsError):
    """A taxonomy YAML file is missing or malformed."""


class ReportError(VidtoolsError):
    """A report directory is missing, incomplete or of an unknown schema version."""


class ClaimsError(VidtoolsError):
    """A claims file is missing or does not follow the claims schema."""

"""Where a model's class names come from, and names files.

In order: a names file the user gives (``--names FILE``), the model's own metadata, the
``metadata.yaml`` beside the model file (what Ultralytics exports write), the weights manifest for
a verified known file. Only when none of these has them do classes stay ``class0``, ``class1``,
... — and then the provenance says so.

A names file is YAML with ``names:`` as a list or as ``{id: name}`` (an Ultralytics ``data.yaml``
or an export's ``metadata.yaml`` work as they are)::

    names: [pedestrian, people, bicycle, car, van, truck, tricycle, awning-tricycle, bus, motor]
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from vidtools.errors import NamesFileError

log = logging.getLogger(__name__)

NAMES_FILE = "names file"
MODEL_METADATA = "model metadata"
SIDECAR = "metadata.yaml beside the model"
MANIFEST = "weights manifest"
NONE = "none"


@dataclass(frozen=True)
class ClassNames:
    """A model's class names and where they came from.

    Attributes:
        names: Class id -> name (read-only).
        source: One of ``names file``, ``model metadata``, ``metadata.yaml beside the model``,
            ``weights manifest``, ``none`` (placeholder ``classN`` names).
        path: The file the names were read from (None for embedded metadata or placeholders).
    """

    names: Mapping[int, str]
    source: str
    path: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "names", MappingProxyType(dict(self.names)))

    def as_dict(self) -> dict[int, str]:
        return dict(self.names)

    def to_dict(self) -> dict[str, Any]:
        """Provenance entry: ``{"source": ..., "path": ...}``."""
        return {"source": self.source, "path": self.path}


def placeholder_names(n: int) -> dict[int, str]:
    """``{0: "class0", 1: "class1", ...}``: what ultralytics calls classes it has no names for."""
    return {i: f"class{i}" for i in range(n)}


def is_placeholder(names: Mapping[int, str]) -> bool:
    """True when ``names`` are ultralytics' placeholders (``class0``, ``class1``, ...)."""
    return bool(names) and all(re.fullmatch(rf"class{k}", str(v)) for k, v in names.items())


def parse_names(data: Any, where: str) -> dict[int, str]:
    """The ``names`` of a parsed YAML document.

    Raises:
        NamesFileError: no ``names:``, or ids that are not 0..n-1, or names that are not text.
    """
    names = data.get("names") if isinstance(data, dict) else None
    if isinstance(names, list):
        names = dict(enumerate(names))
    if not isinstance(names, dict) or not names:
        raise NamesFileError(f"{where}: expected 'names:' as a list or as {{id: name}}; fix the file")
    try:
        out = {int(k): v for k, v in names.items()}
    except (TypeError, ValueError):
        raise NamesFileError(f"{where}: class ids must be whole numbers 0, 1, 2, ...") from None
    if sorted(out) != list(range(len(out))):
        raise NamesFileError(f"{where}: class ids must run 0..{len(out) - 1} without gaps")
    if not all(isinstance(v, (str, int, float)) and str(v).strip() for v in out.values()):
        raise NamesFileError(f"{where}: every class name must be non-empty text")
    return {k: str(v).strip() for k, v in sorted(out.items())}


def load_names_file(path: str | Path) -> dict[int, str]:
    """Read a names file (YAML with ``names:``).

    Raises:
        NamesFileError: missing, unreadable, not YAML, or malformed; the message names the file.
    """
    import yaml

    p = Path(path)
    if not p.is_file():
        raise NamesFileError(f"{p}: names file not found; pass --names PATH to a YAML file with 'names:'")
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as e:
        raise NamesFileError(f"{p}: not a readable YAML file ({e.__class__.__name__}); fix the file") from None
    return parse_names(data, str(p))


def resolve_names(
    *,
    model_names: Mapping[int, str] | None,
    n_classes: int | None,
    sidecar_names: Mapping[int, str] | None,
    sidecar_path: str | None,
    names_file: str | Path | None,
    manifest_names: Mapping[int, str] | None,
    model_path: str,
) -> ClassNames:
    """Pick a model's class names (see the module docstring for the order).

    Args:
        model_names: Names the loaded model reports (placeholders are ignored).
        n_classes: Number of classes from the output shape, when known (names of another length
            are rejected: they belong to another model).
        sidecar_names: Names of the ``metadata.yaml`` beside the model file (not embedded).
        sidecar_path: That file's path.
        names_file: ``--names FILE``.
        manifest_names: Classes of the verified manifest entry of this file.
        model_path: For messages.

    Raises:
        NamesFileError: the names file is malformed or has a different number of classes than the model.
    """
    own = dict(model_names) if model_names and not is_placeholder(model_names) else None
    n = n_classes or (len(model_names) if model_names and len(model_names) < 999 else None)
    if names_file is not None:
        names = load_names_file(names_file)
        if n is not None and len(names) != n:
            raise NamesFileError(
                f"{names_file}: {len(names)} names, but the model {model_path} has {n} classes; "
                "give the names file that belongs to this model"
            )
        if own and own != names:
            log.warning("%s: using the names of %s instead of the model's own names", model_path, names_file)
        return ClassNames(names, NAMES_FILE, str(names_file))
    if own:
        return ClassNames(own, MODEL_METADATA)
    if sidecar_names:
        if n is None or len(sidecar_names) == n:
            return ClassNames(dict(sidecar_names), SIDECAR, sidecar_path)
        log.warning(
            "%s: %s lists %d names but the model has %d classes; ignoring it",
            model_path, sidecar_path, len(sidecar_names), n,
        )
    if manifest_names and (n is None or len(manifest_names) == n):
        return ClassNames(dict(manifest_names), MANIFEST)
    count = n if n is not None else len(model_names or {})
    log.warning(
        "%s: the model has no class names; classes are called class0..class%d (give them with --names FILE)",
        model_path, max(0, count - 1),
    )
    return ClassNames(placeholder_names(count), NONE)

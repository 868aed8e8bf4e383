"""``vidtools models``: every model found in the search places, described without running it.

For each model: where it is, its format, input size and batch, its classes and where their names
come from, the categories they map to, whether its runtime is installed and whether its bytes
match the manifest. A ``.pt`` pickle is never opened here; its classes come from the manifest when
its sha256 is listed there.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vidtools import classnames, formats
from vidtools.manifest import VERIFIED, ManifestCheck, identify, load_manifest
from vidtools.taxonomy import KNOWN_CATEGORIES, OTHER, Taxonomy
from vidtools.weights import search_dirs

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ModelEntry:
    """One model on disk, as ``vidtools models`` shows it.

    Attributes:
        path: File or folder.
        name: Manifest name when its bytes are a known file, else the file's stem.
        format: Its format.
        runtime_installed: Whether the format's runtime can be imported.
        spec: Input size, batch and class count.
        names: Class names and their source (None: a pickle that was not opened and is not in the manifest).
        categories: category -> model classes mapped to it (categories with none are left out).
        manifest: Comparison with the manifest.
        taxonomy_source: Which mapping gave the categories (e.g. the built-in data set it matched).
        note: Anything the user should know (e.g. a file ultralytics cannot load).
    """

    path: str
    name: str
    format: formats.ModelFormat
    runtime_installed: bool
    spec: formats.InputSpec
    names: classnames.ClassNames | None
    categories: dict[str, list[str]]
    manifest: ManifestCheck
    taxonomy_source: str = ""
    note: str = ""

    def unseen_categories(self) -> list[str]:
        """Known categories this model has no class for."""
        return [c for c in KNOWN_CATEGORIES if c not in self.categories]

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "path": self.path,
            "format": self.format.name,
            "runtime": {"package": self.format.package, "installed": self.runtime_installed,
                        "install": None if self.runtime_installed else self.format.install_hint()},
            "input": {"imgsz": list(self.spec.imgsz) if self.spec.imgsz else None, "batch": self.spec.batch,
                      "source": self.spec.source},
            "classes": dict(self.names.names) if self.names else None,
            "names_source": self.names.to_dict() if self.names else None,
            "categories": self.categories,
            "taxonomy": self.taxonomy_source or None,
            "categories_not_seen": self.unseen_categories(),
            "manifest": self.manifest.to_dict(),
            "note": self.note or None,
        }


def is_model_path(p: Path) -> bool:
    """True for a file or folder named like a model (``.xml`` inside an OpenVINO folder excluded)."""
    name = p.name.lower()
    if not name.endswith(formats.MODEL_ENDINGS):
        return False
    if name.endswith(".xml"):  # an OpenVINO IR outside a model folder: needs its .bin
        return p.is_file() and p.with_suffix(".bin").is_file() and not p.parent.name.endswith("_openvino_model")
    if name.endswith(("_openvino_model", "_saved_model", "_paddle_model", "_ncnn_model", ".mlpackage")):
        return p.is_dir()
    return p.is_file()


def find_model_paths(dirs: Iterable[Path]) -> list[Path]:
    """Models in each folder and its direct sub-folders, in search order, each path once."""
    found: list[Path] = []
    for d in dirs:
        if not d.is_dir():
            continue
        for p in sorted(d.iterdir()):
            if is_model_path(p):
                found.append(p)
            elif p.is_dir() and not p.name.startswith("."):
                found += [q for q in sorted(p.iterdir()) if is_model_path(q) and not q.name.endswith(".xml")]
    return list(dict.fromkeys(found))


def describe(path: str | Path, taxonomy: Taxonomy) -> ModelEntry:
    """Describe one model file or folder (nothing is run; pickles are not opened)."""
    p = Path(path)
    fmt = formats.format_of(p)
    known_models = load_manifest()
    check = identify(p, known_models)
    known_model = known_models.get(check.known.model) if check.known and check.verified else None
    note = check.known.note if check.known and check.verified and not check.known.loadable else ""
    if fmt.pickle:
        imgsz = (known_model.imgsz, known_model.imgsz) if known_model and known_model.imgsz else None
        spec = formats.InputSpec(batch=None, imgsz=imgsz, n_classes=None, source="manifest" if known_model else "unknown")
        names = classnames.ClassNames(dict(enumerate(known_model.classes)), classnames.MANIFEST) if known_model else None
        if names is None:
            note = note or "a pickle not listed in the manifest: not opened (loading it runs code stored in it)"
    else:
        meta = formats.read_metadata(p)
        spec = formats.read_input_spec(p, fmt, meta)
        names = _names(p, meta, spec, known_model.classes if known_model else None)
    cats: dict[str, list[str]] = {}
    mapping = taxonomy.for_model(names.names.values()) if names else taxonomy
    for name in (names.names.values() if names else ()):
        cat = mapping.category_of(name)
        if cat != OTHER:
            cats.setdefault(cat, []).append(name)
    return ModelEntry(
        path=str(p),
        name=check.known.model if check.known and check.verified else p.name.split(".")[0],
        format=fmt,
        runtime_installed=fmt.runtime_installed(),
        spec=spec,
        names=names,
        categories=cats,
        manifest=check,
        taxonomy_source=mapping.source if names else "",
        note=note,
    )


def _names(
    p: Path, meta: formats.ExportMetadata, spec: formats.InputSpec, manifest_classes: Sequence[str] | None
) -> classnames.ClassNames | None:
    own = None if meta.beside else meta.names
    try:
        return classnames.resolve_names(
            model_names=own,
            n_classes=spec.n_classes,
            sidecar_names=meta.names if meta.beside else None,
            sidecar_path=meta.source if meta.beside else None,
            names_file=None,
            manifest_names=dict(enumerate(manifest_classes)) if manifest_classes else None,
            model_path=str(p),
        )
    except Exception as e:  # noqa: BLE001 - one unreadable model must not hide the others
        log.debug("%s: names unreadable (%s)", p, e)
        return None


def list_models(paths: Sequence[str | Path] | None = None, taxonomy: Taxonomy | None = None) -> list[ModelEntry]:
    """Describe the given model paths, or every model in the search places when none are given.

    Args:
        paths: Model files or folders (None: search ``$VIDTOOLS_WEIGHTS``, ``weights/``, ultralytics').
        taxonomy: Maps classes to categories (None: the built-in taxonomy).
    """
    from vidtools.taxonomy import load_taxonomy

    taxonomy = taxonomy if taxonomy is not None else load_taxonomy(None)
    targets = [Path(x) for x in paths] if paths else find_model_paths(search_dirs())
    return [describe(t, taxonomy) for t in targets]


def missing_known() -> list[str]:
    """Known downloadable models with no file in any search place (they download on first use)."""
    from vidtools.weights import candidates

    known_models = load_manifest()
    out = []
    for model in known_models.models.values():
        if model.downloadable() is None:
            continue
        if not any((d / rel).exists() for d in search_dirs() for rel in candidates(model.name, known_models)):
            out.append(model.name)
    return out


def render(entries: Sequence[ModelEntry], missing: Sequence[str] = ()) -> str:
    """Human-readable listing: one block per model."""
    lines: list[str] = []
    for e in entries:
        rt = f"{e.format.package}: installed" if e.runtime_installed else f"{e.format.package}: MISSING ({e.format.install_hint()})"
        if e.format.package is None:
            rt = "runtime unknown"
        status = {VERIFIED: f"verified ({e.manifest.known.model if e.manifest.known else ''})",
                  "mismatch": f"MISMATCH with {e.manifest.known.file if e.manifest.known else ''}: "
                              + ", ".join(e.manifest.mismatched),
                  "unknown": "not in the manifest"}[e.manifest.status]
        lines.append(f"{e.name}  [{e.format.label}]  {e.path}")
        lines.append(f"  input {e.spec.imgsz_label()}, batch {e.spec.batch_label()} (from {e.spec.source}); runtime {rt}")
        lines.append(f"  sha256 vs manifest: {status}")
        if e.names is None:
            lines.append("  classes: unknown")
        else:
            ns = list(e.names.names.values())
            shown = ", ".join(ns[:12]) + (f", … ({len(ns) - 12} more)" if len(ns) > 12 else "")
            lines.append(f"  {len(ns)} classes ({e.names.source}): {shown}")
            cats = "; ".join(f"{c} <- {', '.join(v[:6])}{' …' if len(v) > 6 else ''}" for c, v in e.categories.items())
            lines.append(f"  categories ({e.taxonomy_source}): {cats or 'none'}; "
                         f"cannot see: {', '.join(e.unseen_categories()) or 'nothing'}")
        if e.note:
            lines.append(f"  note: {e.note}")
        lines.append("")
    if missing:
        lines.append("known but not on this machine (downloaded on first use unless --offline): " + ", ".join(missing))
    if not entries:
        lines.insert(0, "no models found in: " + "; ".join(str(d) for d in search_dirs()))
    return "\n".join(lines).rstrip() + "\n"

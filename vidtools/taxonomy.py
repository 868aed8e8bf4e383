"""Map model class names to report categories.

The default (COCO) taxonomy maps ``person`` to ``personnel`` and ``car``, ``truck``, ``bus``,
``motorcycle``, ``bicycle`` to ``vehicle``; the class is kept as a subtype. A YAML file maps a
custom model's classes::

    # taxonomy.yaml
    categories:
      personnel: [person, soldier]
      armored_vehicle: [tank, apc, ifv]
      vehicle: [car, truck, atv]

Classes in no category are reported as ``other`` and never counted as personnel or vehicles.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from vidtools.errors import TaxonomyError
from vidtools.types import Detections

OTHER = "other"
KNOWN_CATEGORIES = ("personnel", "armored_vehicle", "vehicle", "artillery", "air_defense", "aircraft")
"""Categories vidtools reasons about, shared by the detection taxonomy and the claims (so
``compare`` lines them up); ``aircraft`` includes helicopters, drones and UAVs. A taxonomy may add
more; classes in none are ``other``."""

DEFAULT_CATEGORIES: dict[str, tuple[str, ...]] = {
    "personnel": ("person",),
    "vehicle": ("car", "truck", "bus", "motorcycle", "bicycle"),
}


@dataclass(frozen=True)
class Taxonomy:
    """Class name -> category mapping.

    Attributes:
        categories: category -> tuple of class names (lower case).
        source: ``"default (COCO)"`` or the YAML file's path.
    """

    categories: Mapping[str, tuple[str, ...]]
    source: str = "default (COCO)"

    def __post_init__(self) -> None:
        seen: dict[str, str] = {}
        for cat, classes in self.categories.items():
            if cat == OTHER:
                raise TaxonomyError(f"{self.source}: '{OTHER}' is reserved for unmapped classes")
            for c in classes:
                if c in seen and seen[c] != cat:
                    raise TaxonomyError(
                        f"{self.source}: class {c!r} is in both {seen[c]!r} and {cat!r}; put it in one category"
                    )
                seen[c] = cat

    def category_of(self, class_name: str) -> str:
        """Category of a model class name (case-insensitive); ``other`` when unmapped."""
        key = class_name.strip().lower()
        for cat, classes in self.categories.items():
            if key in classes:
                return cat
        return OTHER

    def categorize(self, detections: Detections) -> Detections:
        """A copy of ``detections`` with ``category`` set from each box's class name."""
        categories = np.array([self.category_of(str(n)) for n in detections.class_name], dtype=object)
        return dataclasses.replace(detections, category=categories)

    def category_names(self) -> list[str]:
        """Categories of this taxonomy, in file order."""
        return list(self.categories)

    def detectable(self, model_names: Iterable[str]) -> dict[str, list[str]]:
        """Which categories a model can detect at all, with the model classes behind each.

        Args:
            model_names: The model's class names.

        Returns:
            category -> sorted list of the model's classes mapped to it (empty list = the model
            cannot detect that category). Includes every category of the taxonomy and every
            category in :data:`KNOWN_CATEGORIES`.
        """
        out: dict[str, list[str]] = {c: [] for c in (*self.categories, *KNOWN_CATEGORIES)}
        for name in model_names:
            cat = self.category_of(name)
            if cat != OTHER:
                out[cat].append(name)
        return {c: sorted(v) for c, v in out.items()}

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source, "categories": {k: list(v) for k, v in self.categories.items()}}


def default_taxonomy() -> Taxonomy:
    """The COCO taxonomy."""
    return Taxonomy(dict(DEFAULT_CATEGORIES))


def load_taxonomy(path: str | Path | None) -> Taxonomy:
    """Load a YAML taxonomy, or the default one when ``path`` is None.

    Raises:
        TaxonomyError: the file is missing, not YAML, or not ``categories: {name: [class, ...]}``.
    """
    if path is None:
        return default_taxonomy()
    import yaml

    p = Path(path)
    if not p.is_file():
        raise TaxonomyError(f"{p}: taxonomy file not found; pass --taxonomy PATH to a YAML file")
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as e:
        raise TaxonomyError(f"{p}: not valid YAML ({e.__class__.__name__}); fix the file") from None
    cats = data.get("categories") if isinstance(data, dict) else None
    if not isinstance(cats, dict) or not cats:
        raise TaxonomyError(f"{p}: expected a mapping 'categories: {{category: [class, ...]}}'")
    parsed: dict[str, tuple[str, ...]] = {}
    for cat, classes in cats.items():
        if isinstance(classes, str):
            classes = [classes]
        if not isinstance(classes, list) or not all(isinstance(c, str) for c in classes):
            raise TaxonomyError(f"{p}: category {cat!r} must list class names as strings")
        parsed[str(cat).strip().lower()] = tuple(c.strip().lower() for c in classes)
    return Taxonomy(parsed, source=str(p))

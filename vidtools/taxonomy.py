"""Map model class names to report categories.

With no taxonomy file, the built-in taxonomy (``vidtools/data/taxonomy.yaml``) maps the class
names of the data sets users train on: COCO, VisDrone, common military sets (tank / APC / soldier),
xView, DOTA / DIOR and street-level sets. vidtools recognises the data set from the model's class
names, so a VisDrone or military model needs no taxonomy file. Matching ignores case, ``-``, ``_``
and repeated spaces, and accepts a plural ``s`` / ``es`` (``Tanks`` is ``tank``).

A YAML file overrides the built-in mapping for the classes it lists; the others keep their
built-in category unless the file says ``builtin: false``::

    # taxonomy.yaml
    categories:
      personnel: [person, soldier]
      armored_vehicle: [tank, apc, ifv]
      vehicle: [car, truck, atv]
      other: [airplane]      # never counted, whatever the built-in says
    builtin: true            # false: classes not listed here are all `other`

Categories are :data:`KNOWN_CATEGORIES` (the names the claims use) plus ``other``; classes in no
category are ``other`` and never counted as personnel or vehicles. Once the model is known,
:meth:`Taxonomy.for_model` gives the mapping of exactly its classes, which the report shows with
the categories this model cannot see.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np

from vidtools.errors import TaxonomyError
from vidtools.types import DatasetMatch, Detections

OTHER = "other"
KNOWN_CATEGORIES = ("personnel", "armored_vehicle", "vehicle", "artillery", "air_defense", "aircraft")
"""Categories vidtools reasons about, shared by the detection taxonomy and the claims (so
``compare`` lines them up); ``aircraft`` includes helicopters, drones and UAVs; self-propelled guns
are ``armored_vehicle`` and towed guns, mortars and rocket launchers ``artillery``. Classes in none
are ``other``."""

BUILTIN_SOURCE = "built-in"
_SEPARATORS = re.compile(r"[\s_\-]+")


def normalize_class(name: str) -> str:
    """The form class names are compared in: lower case, ``-`` / ``_`` / spaces as one space."""
    return _SEPARATORS.sub(" ", str(name).strip().lower()).strip()


def _lookup_keys(key: str) -> tuple[str, ...]:
    """``key`` then its singular forms (``tanks`` -> ``tank``, ``buses`` -> ``bus``)."""
    keys = [key]
    if key.endswith("es") and len(key) > 3:
        keys.append(key[:-2])
    if key.endswith("s") and len(key) > 2:
        keys.append(key[:-1])
    return tuple(keys)


@dataclass(frozen=True)
class KnownDataset:
    """One data set of the built-in taxonomy.

    Attributes:
        key: Short name (``coco``, ``visdrone``, ``military``, ...).
        title: Human-readable name.
        classes: Normalised class name -> category (``other`` included).
    """

    key: str
    title: str
    classes: Mapping[str, str]

    def count_known(self, model_names: Iterable[str]) -> int:
        """How many of ``model_names`` this data set names (plural forms count)."""
        return sum(any(k in self.classes for k in _lookup_keys(normalize_class(n))) for n in model_names)


@dataclass(frozen=True)
class Taxonomy:
    """Class name -> category mapping.

    Attributes:
        categories: Category -> class names. ``other`` may list names that are never counted.
            After :meth:`for_model`, exactly the model's classes (as the model spells them).
        source: ``"built-in"``, the YAML file's path, or a description of both.
        fallback: Consulted for names this mapping does not list (the built-in taxonomy behind
            a user file); None = unlisted names are ``other``.
        model_classes: The model's class names when this mapping was made by :meth:`for_model`.
        matched: Built-in data sets the model's class names match, best first (``for_model``).
        origin: The mapping :meth:`for_model` was applied to (so it can be applied to another
            model's classes too).
    """

    categories: Mapping[str, tuple[str, ...]]
    source: str = BUILTIN_SOURCE
    fallback: Taxonomy | None = None
    model_classes: tuple[str, ...] | None = None
    matched: tuple[DatasetMatch, ...] = ()
    origin: Taxonomy | None = field(default=None, repr=False, compare=False)
    _index: Mapping[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        frozen = {str(cat): tuple(str(c) for c in classes) for cat, classes in self.categories.items()}
        object.__setattr__(self, "categories", MappingProxyType(frozen))
        index: dict[str, str] = {}
        for cat, classes in self.categories.items():
            for c in classes:
                key = normalize_class(c)
                if index.get(key, cat) != cat:
                    raise TaxonomyError(
                        f"{self.source}: class {c!r} is in both {index[key]!r} and {cat!r}; put it in one category"
                    )
                index[key] = cat
        object.__setattr__(self, "_index", index)

    def category_of(self, class_name: str) -> str:
        """Category of a model class name (case-insensitive); ``other`` when unmapped."""
        for key in _lookup_keys(normalize_class(class_name)):
            if key in self._index:
                return self._index[key]
        if self.fallback is not None:
            return self.fallback.category_of(class_name)
        return OTHER

    def categorize(self, detections: Detections) -> Detections:
        """A copy of ``detections`` with ``category`` set from each box's class name."""
        categories = np.array([self.category_of(str(n)) for n in detections.class_name], dtype=object)
        return dataclasses.replace(detections, category=categories)

    def category_names(self) -> list[str]:
        """Categories that get a count column: after :meth:`for_model`, those with a model class."""
        return [c for c in self.categories if c != OTHER]

    def detectable(self, model_names: Iterable[str]) -> dict[str, list[str]]:
        """Which categories a model can detect at all, with the model classes behind each.

        Args:
            model_names: The model's class names.

        Returns:
            category -> sorted list of the model's classes mapped to it (empty list = the model
            cannot detect that category). Includes every category of the taxonomy and every
            category in :data:`KNOWN_CATEGORIES`.
        """
        out: dict[str, list[str]] = {c: [] for c in (*self.category_names(), *KNOWN_CATEGORIES)}
        for name in model_names:
            cat = self.category_of(name)
            if cat != OTHER:
                out.setdefault(cat, []).append(name)
        return {c: sorted(v) for c, v in out.items()}

    def for_model(self, model_names: Iterable[str]) -> Taxonomy:
        """This mapping applied to one model's classes (what the pipeline and report use).

        Args:
            model_names: The model's class names, in class-id order.

        Returns:
            A taxonomy whose ``categories`` hold exactly the model's classes (known categories
            first, then any others, then ``other``), with the built-in data sets they match.
        """
        names = tuple(str(n) for n in model_names)
        if self.model_classes == names:
            return self
        if self.origin is not None:
            return self.origin.for_model(names)
        by_cat: dict[str, list[str]] = {}
        for n in names:
            by_cat.setdefault(self.category_of(n), []).append(n)
        extra = [c for c in by_cat if c not in KNOWN_CATEGORIES and c != OTHER]
        order = [*KNOWN_CATEGORIES, *extra, OTHER]
        matched = match_datasets(names)
        source = self.source
        if source == BUILTIN_SOURCE and matched:
            best = matched[0]
            source = f"{BUILTIN_SOURCE}: {best.title} ({best.n_matched} of {best.n_classes} classes)"
        return Taxonomy(
            {c: tuple(by_cat[c]) for c in order if c in by_cat},
            source=source,
            fallback=None,
            model_classes=names,
            matched=matched,
            origin=self,
        )

    def to_dict(self) -> dict[str, Any]:
        """The report's ``taxonomy`` section (after :meth:`for_model`: what this model can and
        cannot detect, and which classes are ``other``)."""
        out: dict[str, Any] = {
            "source": self.source,
            "categories": {k: list(v) for k, v in self.categories.items() if k != OTHER},
        }
        if self.model_classes is not None:
            det = self.detectable(self.model_classes)
            out["detectable"] = det
            out["cannot_detect"] = [c for c, v in det.items() if not v]
            out["other_classes"] = list(self.categories.get(OTHER, ()))
            out["matched_datasets"] = [m.to_dict() for m in self.matched]
        return out


@functools.lru_cache(maxsize=1)
def builtin_datasets() -> tuple[KnownDataset, ...]:
    """The data sets of the built-in taxonomy file (``vidtools/data/taxonomy.yaml``), checked:
    every category is known and no name means two categories across the data sets.

    Raises:
        TaxonomyError: the shipped file is broken (a packaging or editing mistake).
    """
    import yaml

    where = "vidtools/data/taxonomy.yaml"
    text = resources.files("vidtools").joinpath("data/taxonomy.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    out: list[KnownDataset] = []
    seen: dict[str, tuple[str, str]] = {}
    for key, spec in data["datasets"].items():
        classes: dict[str, str] = {}
        for cat, names in spec["categories"].items():
            if cat not in (*KNOWN_CATEGORIES, OTHER):
                raise TaxonomyError(f"{where}: {key}: unknown category {cat!r}")
            for n in names:
                k = normalize_class(n)
                if k in seen and seen[k][0] != cat:
                    raise TaxonomyError(f"{where}: {n!r} is {seen[k][0]} in {seen[k][1]} but {cat} in {key}")
                seen[k] = (cat, key)
                classes[k] = cat
        out.append(KnownDataset(str(key), str(spec["title"]), classes))
    return tuple(out)


def match_datasets(model_names: Iterable[str]) -> tuple[DatasetMatch, ...]:
    """Built-in data sets that name at least one of the model's classes, best match first."""
    names = list(model_names)
    found = [DatasetMatch(d.key, d.title, d.count_known(names), len(names)) for d in builtin_datasets()]
    return tuple(sorted((m for m in found if m.n_matched), key=lambda m: -m.n_matched))


@functools.lru_cache(maxsize=1)
def builtin_taxonomy() -> Taxonomy:
    """The built-in taxonomy: every name of every built-in data set."""
    cats: dict[str, list[str]] = {c: [] for c in (*KNOWN_CATEGORIES, OTHER)}
    for d in builtin_datasets():
        for name, cat in d.classes.items():
            cats[cat].append(name)
    return Taxonomy({c: tuple(dict.fromkeys(v)) for c, v in cats.items() if v}, source=BUILTIN_SOURCE)


def default_taxonomy() -> Taxonomy:
    """The mapping used without a taxonomy file (the built-in one)."""
    return builtin_taxonomy()


def load_taxonomy(path: str | Path | None, model_names: Iterable[str] | None = None) -> Taxonomy:
    """Load a YAML taxonomy over the built-in one, or the built-in one when ``path`` is None.

    Args:
        path: YAML file (``categories: {category: [class, ...]}``, optional ``builtin: false``).
        model_names: The model's class names; when given, the result is
            :meth:`Taxonomy.for_model` of them.

    Raises:
        TaxonomyError: the file is missing, not YAML, not ``categories: {name: [class, ...]}``,
            names an unknown category, or puts one class in two categories.
    """
    taxonomy = builtin_taxonomy() if path is None else _load_yaml(Path(path))
    return taxonomy if model_names is None else taxonomy.for_model(model_names)


def _load_yaml(p: Path) -> Taxonomy:
    import yaml

    if not p.is_file():
        raise TaxonomyError(f"{p}: taxonomy file not found; pass --taxonomy PATH to a YAML file")
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as e:
        raise TaxonomyError(f"{p}: not valid YAML ({e.__class__.__name__}); fix the file") from None
    cats = data.get("categories") if isinstance(data, dict) else None
    if not isinstance(cats, dict) or not cats:
        raise TaxonomyError(f"{p}: expected a mapping 'categories: {{category: [class, ...]}}'")
    use_builtin = data.get("builtin", True)
    if not isinstance(use_builtin, bool):
        raise TaxonomyError(f"{p}: 'builtin' must be true or false, got {use_builtin!r}")
    parsed: dict[str, tuple[str, ...]] = {}
    for cat, classes in cats.items():
        name = str(cat).strip().lower()
        if name not in (*KNOWN_CATEGORIES, OTHER):
            raise TaxonomyError(
                f"{p}: category {cat!r} is not one vidtools counts; use {', '.join(KNOWN_CATEGORIES)} or {OTHER}"
            )
        if isinstance(classes, str):
            classes = [classes]
        if not isinstance(classes, list) or not all(isinstance(c, str) for c in classes):
            raise TaxonomyError(f"{p}: category {cat!r} must list class names as strings")
        parsed[name] = tuple(c.strip() for c in classes)
    fallback = builtin_taxonomy() if use_builtin else None
    source = f"{p} (+ {BUILTIN_SOURCE} for classes it does not list)" if use_builtin else str(p)
    return Taxonomy(parsed, source=source, fallback=fallback)

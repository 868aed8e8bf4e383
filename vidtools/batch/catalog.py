"""The catalog: every clip's tables as Parquet datasets, queryable across clips.

``OUT/catalog/<table>/<clip_id>.parquet`` for the tables of :data:`TABLES` (``clips``,
``frames``, ``detections``, ``tracks``, ``shots``, ``strikes``, ``summaries``), one file per
clip, each with a ``clip_id`` column (the clip's report folder name). Files are written
atomically after the clip's report folder is published, so the catalog mirrors the report
folders; a re-analysed clip replaces its files.

Read it with :func:`open_catalog` (DataFrames, or a DuckDB connection with one view per table),
or with any Parquet reader (``OUT/catalog/detections/*.parquet``).
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from vidtools.batch.reportview import TABLES, Catalog, catalog_tables
from vidtools.errors import ReportError, UsageError
from vidtools.io import atomic_write_bytes, is_temporary
from vidtools.types import ClipReport

CATALOG_DIR = "catalog"


def _parquet_bytes(df: pd.DataFrame) -> bytes:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:  # pragma: no cover - pyarrow is a dependency
        raise UsageError("the catalog needs pyarrow: pip install pyarrow") from None
    table = pa.Table.from_pandas(df, preserve_index=False)
    # a text column with no values (no strikes in this clip) is typed as text, not as null, so
    # every clip's file of a table has the same schema
    schema = pa.schema([f.with_type(pa.string()) if pa.types.is_null(f.type) else f for f in table.schema],
                       metadata=table.schema.metadata)
    buf = io.BytesIO()
    pq.write_table(table.cast(schema), buf, compression="zstd")
    return buf.getvalue()


def write_clip_catalog(out: str | os.PathLike[str], clip_id: str, report: ClipReport) -> list[Path]:
    """Write (or replace) one clip's file in every catalog table.

    Args:
        out: The batch's output folder.
        clip_id: The clip's report folder name.
        report: The analysed clip.

    Returns:
        The files written.
    """
    root = Path(out) / CATALOG_DIR
    return [atomic_write_bytes(root / name / f"{clip_id}.parquet", _parquet_bytes(df))
            for name, df in catalog_tables(report, clip_id).items()]


def has_clip(out: str | os.PathLike[str], clip_id: str) -> bool:
    """True when every catalog table has the clip's file."""
    root = Path(out) / CATALOG_DIR
    return all((root / name / f"{clip_id}.parquet").is_file() for name in TABLES)


def table_files(out: str | os.PathLike[str], table: str) -> list[Path]:
    """The Parquet files of one table, sorted (temporary files of a killed run never included)."""
    d = Path(out) / CATALOG_DIR / table
    if not d.is_dir():
        return []
    return sorted(p for p in d.iterdir() if p.suffix == ".parquet" and not is_temporary(p.name) and p.is_file())


def _read_table(files: list[Path]) -> pd.DataFrame:
    frames = [pd.read_parquet(f) for f in files]
    frames = [f for f in frames if len(f.columns)]
    if not frames:
        return pd.DataFrame({"clip_id": pd.Series(dtype="object")})
    non_empty = [f for f in frames if len(f)] or frames[:1]
    return pd.concat(non_empty, ignore_index=True, sort=False)


def _sql_text(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def _duckdb(out: Path) -> Any:
    import duckdb

    con = duckdb.connect()
    for name in TABLES:
        files = table_files(out, name)
        if files:
            listing = ", ".join(_sql_text(str(f)) for f in files)
            con.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet([{listing}], union_by_name = true)")
        else:
            con.execute(f"CREATE TABLE {name} (clip_id VARCHAR)")
    return con


def open_catalog(out: str | os.PathLike[str], *, engine: Literal["auto", "duckdb", "pandas"] = "auto") -> Any:
    """Open the catalog of a batch's output folder.

    Args:
        out: The folder given to ``vidtools analyze -o`` / :func:`vidtools.analyze_many`.
        engine: ``duckdb``: a DuckDB connection with one view per table (``con.sql("SELECT ...
            FROM detections JOIN strikes USING (clip_id) ...").df()``); ``pandas``: a
            :class:`Catalog` of DataFrames; ``auto`` (default): DuckDB when the ``duckdb``
            package is installed, else pandas.

    Returns:
        A ``duckdb.DuckDBPyConnection`` or a :class:`Catalog`.

    Raises:
        ReportError: ``out`` has no catalog.
        UsageError: ``engine="duckdb"`` without the duckdb package.
    """
    root = Path(out)
    if not (root / CATALOG_DIR).is_dir():
        raise ReportError(f"{root}: no catalog here (expected {root / CATALOG_DIR}); run 'vidtools analyze CLIP... -o {root}' first")
    if engine not in ("auto", "duckdb", "pandas"):
        raise UsageError(f"engine must be auto, duckdb or pandas, got {engine!r}")
    if engine != "pandas":
        try:
            return _duckdb(root)
        except ImportError:
            if engine == "duckdb":
                raise UsageError("engine='duckdb' needs the duckdb package: pip install 'vidtools[catalog]'") from None
    return Catalog(**{name: _read_table(table_files(root, name)) for name in TABLES})

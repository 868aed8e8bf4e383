"""Many clips: executors behind one interface (local, Ray), manifest and resume, safe and unique
folder names, the catalog, and the batch files that are always written.

Modules, in the order data flows:

- ``naming``: report folder names (safe, unique, stable across runs) and printable paths;
- ``manifest``: ``OUT/manifest.jsonl``, what each clip became, for ``resume``;
- ``executor``: the executor interface; ``local`` and ``ray_executor`` implement it;
- ``worker``: one clip, wherever it runs; ``publish``: a report folder put in place;
- ``reportview``: the one place that reads a report's internals (facts, catalog rows);
- ``catalog``: ``OUT/catalog/<table>/<clip>.parquet`` and :func:`open_catalog`;
- ``outdir``: the output folder's lock, leftovers, ``errors.json`` and ``index.html``;
- ``bar``: one progress bar over clips and frames; ``driver``: :func:`analyze_batch`.
"""

from vidtools.batch.catalog import Catalog, open_catalog
from vidtools.batch.driver import BatchInterrupted, analyze_batch
from vidtools.batch.naming import clip_dir_names
from vidtools.batch.publish import output_writer, write_outputs
from vidtools.batch.results import BatchResult, ClipFailure, ClipWarning

__all__ = [
    "BatchInterrupted",
    "BatchResult",
    "Catalog",
    "ClipFailure",
    "ClipWarning",
    "analyze_batch",
    "clip_dir_names",
    "open_catalog",
    "output_writer",
    "write_outputs",
]

"""notebooks/explore.ipynb runs top to bottom (nbclient) on a real clip with the real weights.

The kernel is this test's own interpreter (a kernelspec written into a temporary folder), so a
fresh CI virtualenv works without ``ipykernel install``. The notebook runs with ``cwd =
notebooks/`` and finds ``../shared`` itself; its output folder is redirected to a temporary folder
through ``VIDTOOLS_NOTEBOOK_OUT``.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.weights, pytest.mark.videos]

REPO = Path(__file__).resolve().parents[2]
NOTEBOOK = REPO / "notebooks" / "explore.ipynb"
KERNEL = "vidtools-test-python"


def test_notebook_is_stored_without_outputs() -> None:
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert cell.get("outputs") == [] and cell.get("execution_count") is None, "strip the notebook's outputs"
    src = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
    # public API only: no private modules, no ultralytics
    assert "import vidtools" in src and "ultralytics" not in src
    for line in src.splitlines():
        if line.strip().startswith(("import ", "from ")) and "vidtools" in line:
            assert line.strip() == "import vidtools", line


def test_explore_notebook_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, weights_dir: Path, videos_dir: Path) -> None:
    import nbformat
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager
    from nbclient import NotebookClient

    spec_dir = tmp_path / "kernels" / KERNEL
    spec_dir.mkdir(parents=True)
    (spec_dir / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "vidtools test kernel", "language": "python",
    }))
    out = tmp_path / "out"
    monkeypatch.setenv("VIDTOOLS_NOTEBOOK_OUT", str(out))
    monkeypatch.setenv("VIDTOOLS_WEIGHTS", str(weights_dir))
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")

    nb = nbformat.read(NOTEBOOK, as_version=4)
    params = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(params) == 1, "the notebook needs one cell tagged 'parameters'"
    if not all(importlib.util.find_spec(f"vidtools.{m}") for m in ("shots", "strikes")):
        # shot / strike detection not landed yet: run the rest of the walkthrough without it
        params[0].source += "\nSHOTS = False"

    km = KernelManager(kernel_name=KERNEL, kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(spec_dir.parent)]))
    client = NotebookClient(nb, km=km, timeout=240, allow_errors=False,
                            resources={"metadata": {"path": str(NOTEBOOK.parent)}})
    client.execute()

    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors, errors
    assert all(c.execution_count for c in nb.cells if c.cell_type == "code"), "a cell did not run"
    # the expected outputs exist
    assert (out / "opencv_vtest" / "report.json").is_file()
    assert (out / "counts_over_time.png").is_file() and (out / "claims_comparison.csv").is_file()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    pngs = [o for o in outputs if "image/png" in o.get("data", {})]
    assert len(pngs) >= 2, "expected the counts plot and at least one frame figure"
    tables = [o for o in outputs if "text/html" in o.get("data", {}) and "<table" in o["data"]["text/html"]]
    assert len(tables) >= 5, "expected the summary, frames, detections, tracks and claims tables"
    claims_html = next(t["data"]["text/html"] for t in tables if "verdict" in t["data"]["text/html"])
    assert "not verifiable from video" in claims_html
    # the cross-clip section: a batch into one folder and the catalog's answer per category
    assert (out / "batch" / "catalog" / "strikes").is_dir() and (out / "batch" / "errors.json").is_file()
    answer = tables[-1]["data"]["text/html"]
    assert "most_in_one_frame" in answer and "strike_t_s" in answer

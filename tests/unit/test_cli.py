"""The CLI is a thin layer: every option has help text, mirrors the API's names, and is documented."""

from __future__ import annotations

import argparse
import dataclasses
import re
from pathlib import Path


from vidtools import cli
from vidtools.config import AnalysisConfig

README = Path(__file__).resolve().parents[2] / "README.md"


def subparsers() -> dict[str, argparse.ArgumentParser]:
    parser = cli.build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def test_every_option_has_help_text():
    for name, p in subparsers().items():
        for a in p._actions:
            if isinstance(a, argparse._HelpAction):
                continue
            assert a.help and len(a.help) > 10, f"{name} {a.option_strings or a.dest} has no help text"


def test_analyze_options_mirror_the_config_fields():
    p = subparsers()["analyze"]
    dests = {a.dest for a in p._actions}
    fields = {f.name for f in dataclasses.fields(AnalysisConfig)}
    negated = {"shots": "no_shots", "crop_bars": "no_crop_bars", "mask_overlays": "no_mask_overlays", "html": "no_html"}
    for f in fields:
        assert negated.get(f, f) in dests, f"config field {f} has no CLI option"
    a = p.parse_args(["x.mp4", "-o", "o", "--every", "3", "--conf", "0.4", "--no-shots", "--tracker", "none"])
    c = cli.config_from_args(a)
    assert (c.every, c.conf, c.shots, c.tracker) == (3, 0.4, False, "none")


def test_every_option_is_documented_in_readme():
    text = README.read_text(encoding="utf-8")
    for name, p in subparsers().items():
        assert re.search(rf"vidtools {name}\b", text), f"README does not show 'vidtools {name}'"
        for a in p._actions:
            for opt in a.option_strings:
                if opt.startswith("--") and opt != "--help":
                    assert opt in text, f"README does not document {name} {opt}"


def test_help_exits_zero(capsys):
    assert cli.main(["--help"]) == 0
    assert "analyze" in capsys.readouterr().out
    assert cli.main(["analyze", "--help"]) == 0
    assert "--every" in capsys.readouterr().out
    assert cli.main([]) == 2

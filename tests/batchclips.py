"""Short clips cut from the shared real footage, for batch tests (made once per test session).

Each clip is a ~1.2 s piece of a shared clip, scaled to 320 px wide and re-encoded (H.264), so a
batch of eight runs the real model in seconds; ``corrupt.mp4`` is the first 4 kB of one of them.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from vidtools.ffmpeg import ffmpeg_exe

VIDEOS = Path(__file__).resolve().parents[1].parent / "shared" / "videos"

PIECES = (
    ("vtest_a", "opencv_vtest.avi", 5.0),
    ("vtest_b", "opencv_vtest.avi", 40.0),
    ("street_a", "yassim_people.mp4", 1.0),
    ("street_b", "yassim_people.mp4", 6.0),
    ("lane", "intel_car-detection.mp4", 4.0),
    ("room", "intel_one-by-one-person-detection.mp4", 20.0),
    ("pitch", "sportslabkit_left_camera.mp4", 2.0),
    ("slides", "psd_testvideo.mp4", 6.0),
)


def cut(dest: Path, source: str, start_s: float, seconds: float = 1.2, width: int = 320) -> Path:
    """A piece of a shared clip, re-encoded small (H.264, no audio)."""
    subprocess.run([ffmpeg_exe(), "-v", "error", "-y", "-ss", f"{start_s}", "-t", f"{seconds}", "-i", str(VIDEOS / source),
                    "-vf", f"scale={width}:-2", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-an",
                    str(dest)], check=True)
    return dest


def make_clips(folder: Path, n: int = len(PIECES)) -> list[Path]:
    """``n`` short real clips plus ``corrupt.mp4`` (last), in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    clips = [cut(folder / f"{name}.mp4", src, t) for name, src, t in PIECES[:n]]
    corrupt = folder / "corrupt.mp4"
    corrupt.write_bytes(clips[0].read_bytes()[:4096])
    return [*clips, corrupt]


def cli_command(*args: str) -> list[str]:
    """``python -m vidtools.cli ARGS`` for a subprocess, with Ctrl-C handled as in a terminal even
    when the test run itself ignores SIGINT (a run started in the background does)."""
    import sys

    child = ("import runpy, signal; signal.signal(signal.SIGINT, signal.default_int_handler); "
             "runpy.run_module('vidtools.cli', run_name='__main__', alter_sys=True)")
    return [sys.executable, "-c", child, *args]

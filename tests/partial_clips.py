"""Real clips whose header promises more than the file holds, made from the shared clips.

:func:`build_header_lie` makes what issue 10 asks its evaluation to include: "a real compilation
whose container header claims 451 frames while 301 exist". PySceneDetect's own test clip
``psd_testvideo.mp4`` (an edited compilation with official cuts in ``cuts_truth.json``) is cut to
its first 451 frames by stream copy with the index (``moov``) at the front, so the header declares
451 frames; the file is then cut short at the packet boundary after which exactly 301 frames
decode, as a download that stopped part-way leaves it. The truth is the official cuts that lie in
the decodable part (``tests/data/shots/partial_header.json``).

Run ``python -m tests.partial_clips DIR`` to build it into ``DIR``; ``bench/shots_eval.py`` builds
it on demand (the truth file names :func:`build_suite`). Nothing here is committed: the clip is
about 1 MB and is rebuilt from the shared clip.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import av

SOURCE = Path(__file__).resolve().parents[1].parent / "shared" / "videos" / "psd_testvideo.mp4"
HEADER_LIE = "psd_testvideo_451of301.mp4"
DECLARED, DECODABLE = 451, 301


def _decodable(data: bytes, path: Path) -> int:
    """Frames that decode from ``data`` written to ``path`` (decoding errors end the count)."""
    path.write_bytes(data)
    n = 0
    try:
        with av.open(str(path)) as c:
            s = c.streams.video[0]
            for p in c.demux(s):
                try:
                    n += len(p.decode())
                except av.error.FFmpegError:
                    continue
    except av.error.FFmpegError:
        pass
    return n


def build_header_lie(folder: str | Path, source: Path = SOURCE) -> Path:
    """Write ``folder/psd_testvideo_451of301.mp4``: the header declares 451 frames, 301 decode.

    Args:
        folder: Where to write it (created).
        source: The shared ``psd_testvideo.mp4``.

    Returns:
        Path of the clip (rebuilt only when missing).

    Raises:
        RuntimeError: no cut of the file leaves exactly 301 decodable frames (the source changed).
    """
    from vidtools.ffmpeg import ffmpeg_exe

    out = Path(folder) / HEADER_LIE
    if out.is_file():
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    whole = out.with_name(out.stem + ".whole.mp4")
    subprocess.run([ffmpeg_exe(), "-v", "error", "-nostdin", "-y", "-i", str(source), "-map", "0:v:0", "-c", "copy",
                    "-frames:v", str(DECLARED), "-movflags", "+faststart", str(whole)], check=True)
    data = whole.read_bytes()
    with av.open(str(whole)) as c:
        s = c.streams.video[0]
        if s.frames != DECLARED:
            raise RuntimeError(f"{whole}: the header declares {s.frames} frames, not {DECLARED}")
        ends = sorted(p.pos + p.size for p in c.demux(s) if p.size)
    trial = out.with_name(out.stem + ".trial.mp4")
    # the smallest cut at a packet's end after which DECODABLE frames decode: at least DECODABLE
    # packets, plus the few that B-frame reordering holds back
    n, cut = 0, b""
    for k in range(DECODABLE - 1, min(len(ends), DECODABLE + 16)):
        cut = data[: ends[k]]
        n = _decodable(cut, trial)
        if n >= DECODABLE:
            break
    trial.unlink()
    whole.unlink()
    if n != DECODABLE:
        raise RuntimeError(f"{source}: no packet boundary leaves exactly {DECODABLE} decodable frames (got {n})")
    tmp = out.with_name(out.name + ".part")
    tmp.write_bytes(cut)
    tmp.replace(out)
    return out


def build_suite(folder: str | Path) -> None:
    """The ``_build`` of ``tests/data/shots/partial_header.json`` (for ``bench/shots_eval.py``)."""
    build_header_lie(folder)


if __name__ == "__main__":
    print(build_header_lie(sys.argv[1] if len(sys.argv) > 1 else "."))

#!/usr/bin/env python3
"""What shot / strike / letterbox / overlay detection adds to decoding.

Times, on the same clip segment (best of ``--repeat`` runs, wall clock):

1. ``decode``: decoding alone, the way the pipeline decodes (a full-size BGR image for every
   sampled frame; ``--every 1`` = every frame, the default of ``vidtools analyze``);
2. ``+thumbs``: the same plus the :data:`vidtools.shots.THUMB_WIDTH` thumbnail of every frame
   (made by swscale in the decode thread);
3. ``+analyser``: the same plus :meth:`SignalAnalyzer.update` for every frame,
   :meth:`SignalAnalyzer.active_box` for every sampled frame and :meth:`SignalAnalyzer.finish`.

and prints each with its overhead relative to (1), in wall-clock time and in CPU time of all the
process's threads, plus the analyser's own time per frame. On a shared machine the end-to-end
figures swing by +-10 %; the *component estimate* (the thumbnails' extra CPU plus the analyser's CPU
measured alone on thumbnails decoded beforehand, over decoding's CPU) is the steadier one.

Usage::

    python bench/shots_cost.py CLIP [--seconds S] [--every N] [--repeat R] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path


def _decode_only(path: str, seconds: float | None, every: int) -> tuple[float, int, float]:
    from vidtools.frames import decode

    t0, c0 = time.perf_counter(), time.process_time()
    n = 0
    for _ in decode(path, sampler=lambda i, t: i % every == 0, end=seconds):
        n += 1
    return time.perf_counter() - t0, n, time.process_time() - c0


def _decode_thumbs(path: str, seconds: float | None, every: int) -> tuple[float, int, float]:
    from vidtools.frames import decode
    from vidtools.shots import THUMB_WIDTH

    t0, c0 = time.perf_counter(), time.process_time()
    n = 0
    for _ in decode(path, sampler=lambda i, t: i % every == 0, end=seconds, thumb_width=THUMB_WIDTH):
        n += 1
    return time.perf_counter() - t0, n, time.process_time() - c0


def _decode_analyse(path: str, seconds: float | None, every: int) -> tuple[float, int, float, dict, float]:
    from vidtools.frames import decode
    from vidtools.probe import open_container, stream_fps
    from vidtools.shots import THUMB_WIDTH, SignalAnalyzer

    c, s = open_container(path)
    fps, w, h = float(stream_fps(s)), s.codec_context.width, s.codec_context.height
    c.close()
    t0, c0 = time.perf_counter(), time.process_time()
    a = SignalAnalyzer(fps, w, h)
    busy = 0.0
    n = 0
    for d in decode(path, sampler=lambda i, t: i % every == 0, end=seconds, thumb_width=THUMB_WIDTH):
        t1 = time.perf_counter()
        a.update(d.index, d.t, d.thumb)
        if d.sampled:
            a.active_box(d.image)
        busy += time.perf_counter() - t1
        n += 1
    t1 = time.perf_counter()
    res = a.finish()
    busy += time.perf_counter() - t1
    summary = {"shots": len(res.shots), "strikes": len(res.strikes)}
    return time.perf_counter() - t0, n, busy, summary, time.process_time() - c0


def _analyser_cpu(path: str, seconds: float | None, every: int, repeat: int) -> float:
    """CPU seconds of the analyser alone (best of ``repeat``), fed thumbnails decoded beforehand
    (and a full image every ``every`` frames for active_box), so no decoding thread competes."""
    from vidtools.frames import decode
    from vidtools.probe import open_container, stream_fps
    from vidtools.shots import THUMB_WIDTH, SignalAnalyzer

    c, s = open_container(path)
    fps, w, h = float(stream_fps(s)), s.codec_context.width, s.codec_context.height
    c.close()
    frames = [(d.index, d.t, d.thumb, d.image) for d in decode(path, sampler=lambda i, t: i % every == 0, end=seconds,
                                                                  thumb_width=THUMB_WIDTH)]
    best = float("inf")
    for _ in range(repeat):
        c0 = time.process_time()
        a = SignalAnalyzer(fps, w, h)
        for index, t, thumb, image in frames:
            a.update(index, t, thumb)
            if image is not None:
                a.active_box(image)
        a.finish()
        best = min(best, time.process_time() - c0)
    return best


def _thumbnail_cpu(path: str, repeat: int, n: int = 60) -> float:
    """CPU seconds per frame of making one :data:`THUMB_WIDTH` thumbnail the way the decoder
    does (swscale, area filter, one reformatter per clip), on the first ``n`` decoded frames."""
    import av
    from av.video.reformatter import VideoReformatter

    from vidtools.shots import THUMB_WIDTH

    with av.open(path) as c:
        frames = []
        for f in c.decode(c.streams.video[0]):
            frames.append(f)
            if len(frames) >= n:
                break
    tw = min(THUMB_WIDTH, frames[0].width)
    th = max(2, round(frames[0].height * tw / frames[0].width))
    best = float("inf")
    for _ in range(repeat):
        r = VideoReformatter()
        c0 = time.process_time()
        for f in frames:
            r.reformat(f, width=tw - tw % 2, height=th - th % 2, format="bgr24", interpolation="AREA").to_ndarray()
        best = min(best, (time.process_time() - c0) / len(frames))
    return best


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("clip")
    ap.add_argument("--seconds", type=float, default=None, help="only the first S seconds")
    ap.add_argument("--every", type=int, default=1, help="full-size image every N frames (as analyze --every)")
    ap.add_argument("--repeat", type=int, default=5, help="runs of each variant; the best is kept")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    a = ap.parse_args(argv)
    if not Path(a.clip).is_file():
        print(f"{a.clip}: file not found", file=sys.stderr)
        return 2
    dec, thm, ana, busy, cpu = [], [], [], [], {"decode": [], "thumbs": [], "analyse": []}
    n = 0
    summary: dict = {}
    for _ in range(max(1, a.repeat)):  # interleaved, so load changes hit every variant alike
        t, n, c = _decode_only(a.clip, a.seconds, a.every)
        dec.append(t)
        cpu["decode"].append(c)
        t, _, c = _decode_thumbs(a.clip, a.seconds, a.every)
        thm.append(t)
        cpu["thumbs"].append(c)
        t, _, b, summary, c = _decode_analyse(a.clip, a.seconds, a.every)
        ana.append(t)
        busy.append(b)
        cpu["analyse"].append(c)
    analyser_cpu = _analyser_cpu(a.clip, a.seconds, a.every, max(1, a.repeat))
    thumb_cpu = _thumbnail_cpu(a.clip, max(1, a.repeat))
    d, t, an = min(dec), min(thm), min(ana)
    cd, ct, ca = (min(cpu[k]) for k in ("decode", "thumbs", "analyse"))
    out = {
        "clip": Path(a.clip).name,
        "frames": n,
        "every": a.every,
        "decode_s": round(d, 3),
        "decode_fps": round(n / d, 1),
        "thumbs_s": round(t, 3),
        "thumbs_overhead_pct": round(100 * (t / d - 1), 1),
        "analyse_s": round(an, 3),
        "overhead_pct": round(100 * (an / d - 1), 1),
        "decode_cpu_s": round(cd, 3),
        "thumbs_cpu_overhead_pct": round(100 * (ct / cd - 1), 1),
        "cpu_overhead_pct": round(100 * (ca / cd - 1), 1),
        "analyser_us_per_frame": round(1e6 * min(busy) / max(n, 1), 1),
        "analyser_cpu_us_per_frame": round(1e6 * analyser_cpu / max(n, 1), 1),
        "thumbnail_cpu_us_per_frame": round(1e6 * thumb_cpu, 1),
        "component_overhead_pct": round(100 * (thumb_cpu * n + analyser_cpu) / cd, 1),
        **summary,
    }
    if a.json:
        print(json.dumps(out))
    else:
        print(f"{out['clip']}: {n} frames (full image every {a.every})")
        print("                        wall (best)            CPU, all threads (best)")
        print(f"  decode alone          {d:7.3f} s ({out['decode_fps']:7.1f} fps)  {cd:7.3f} s")
        print(f"  + thumbnails          {t:7.3f} s ({out['thumbs_overhead_pct']:+6.1f} %)      {ct:7.3f} s ({out['thumbs_cpu_overhead_pct']:+6.1f} %)")
        print(f"  + shots/strikes       {an:7.3f} s ({out['overhead_pct']:+6.1f} %)      {ca:7.3f} s ({out['cpu_overhead_pct']:+6.1f} %)")
        print(f"  analyser call time    {out['analyser_us_per_frame']} us/frame (update + active_box + finish, wall)")
        print(f"  analyser alone        {out['analyser_cpu_us_per_frame']} us/frame CPU (on thumbnails decoded beforehand)")
        print(f"  thumbnail alone       {out['thumbnail_cpu_us_per_frame']} us/frame CPU (swscale, as the decoder makes it)")
        print(f"  component estimate    thumbnails + analyser = {out['component_overhead_pct']:+.1f} % of decoding's CPU"
              " (the steadier figure on a shared machine)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

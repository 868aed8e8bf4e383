"""The pictures of the HTML pages: grab the frames from the analysed video and draw them.

Frames are taken from the video named in the report (or a given path), after checking that it is
the analysed file (same sha256), by :func:`vidtools.media.grab_frames`; each is drawn like the
same frame of ``annotated.mp4`` (:func:`vidtools.annotate.render_frame`) and returned as an inline
JPEG ``data:`` URI. When the video is missing, unreadable or another file, the page gets no
pictures and a one-line note saying why.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from vidtools.annotate import blur_regions, encode_jpeg, people, render_frame, resolve_video
from vidtools.errors import VidtoolsError
from vidtools.report.view import PictureRequest
from vidtools.types import ClipReport, Detections


def data_uri(image: np.ndarray, quality: int) -> str:
    """An inline JPEG ``data:`` URI of a BGR image."""
    return "data:image/jpeg;base64," + base64.b64encode(encode_jpeg(image, quality)).decode("ascii")


def check_video(report: ClipReport, video_path: str | os.PathLike[str] | None,
                verify: bool) -> tuple[str | None, str | None]:
    """(path to grab from, or None) and a sentence for the page when images are unavailable."""
    try:
        path = resolve_video(report, video_path)
    except VidtoolsError as e:
        return None, f"Images are not included: {e}."
    p = Path(path)
    if not p.is_file():
        return None, f"Images are not included: the video {path} is not available on the machine that wrote this page."
    expected = report.provenance.input.sha256
    if verify and expected:
        from vidtools.probe import sha256_file

        try:
            actual = sha256_file(p)
        except OSError as e:
            return None, f"Images are not included: the video {path} cannot be read ({e.__class__.__name__})."
        if actual != expected:
            return None, (
                f"Images are not included: the file at {path} is not the analysed video "
                f"(sha256 {actual[:16]}… differs from {expected[:16]}…)."
            )
    return str(p), None


def render_pictures(
    report: ClipReport,
    requests: Sequence[PictureRequest],
    *,
    video_path: str | os.PathLike[str] | None = None,
    verify: bool = True,
    blur_people: bool = False,
    width: int = 560,
    quality: int = 78,
    labels: bool = True,
) -> tuple[dict[str, str], str | None]:
    """Grab and draw the requested pictures.

    Args:
        report: The analysed clip (its boxes are drawn).
        requests: What to show (see :class:`~vidtools.report.view.PictureRequest`).
        video_path: The clip (default: the input path in the report).
        verify: Check the video's sha256 against the report first.
        blur_people: Blur every person box.
        width: Picture width (px; never enlarged).
        quality: JPEG quality.
        labels: Write class / track id / confidence above the boxes.

    Returns:
        (``data:`` URI per request key for every frame that could be had, a note saying why
        pictures are missing or None).
    """
    path, note = check_video(report, video_path, verify)
    if path is None or not requests:
        return {}, note
    from vidtools.media import grab_frames

    try:
        images = grab_frames(path, sorted({(r.frame_index, r.t) for r in requests}))
    except VidtoolsError as e:
        return {}, f"Images are not included: {e}."
    if not images:
        return {}, "Images are not included: none of the frames could be decoded from the video."
    boxes = report.boxes.by_frame()
    out = {}
    for r in requests:
        if r.frame_index not in images:
            continue
        picture = images[r.frame_index]
        if not r.boxes and blur_people and r.blur_frame is not None:
            last = boxes.get(r.blur_frame, Detections.empty())
            picture = blur_regions(picture, last.xyxy[people(last)], margin=0.25)
        drawn = render_frame(picture, boxes.get(r.frame_index, Detections.empty()) if r.boxes else None, width=width,
                             blur_people=blur_people and r.boxes, highlight=r.highlight,
                             highlight_track=r.highlight_track, caption=r.caption, labels=labels)
        out[r.key] = data_uri(drawn, quality)
    return out, note

"""The ``ffmpeg`` executable: from PATH, else the one shipped in the imageio-ffmpeg wheel."""

from __future__ import annotations

import shutil

from vidtools.errors import VidtoolsError


def ffmpeg_exe() -> str:
    """Path of an ``ffmpeg`` executable, so that nothing beyond pip is needed.

    Raises:
        VidtoolsError: neither PATH nor imageio-ffmpeg provides one.
    """
    exe = shutil.which("ffmpeg")
    if exe:
        return exe
    try:
        import imageio_ffmpeg

        return imageio_ffmpeg.get_ffmpeg_exe()
    except (ImportError, RuntimeError) as e:
        raise VidtoolsError(f"no ffmpeg executable found ({e}); install ffmpeg or 'pip install imageio-ffmpeg'") from None

"""The device letterbox gives the model exactly the input ultralytics' predict gives it."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
import torch
from ultralytics.data.augment import LetterBox

from vidtools.device.letterbox import (
    Letterbox,
    letterbox_batch,
    letterbox_geometry,
    resize_linear,
    to_device,
)

SHAPES = [(1080, 1920), (720, 1280), (576, 768), (432, 768), (544, 1280), (1728, 3072), (1920, 1080),
          (480, 640), (640, 640), (100, 37), (37, 100), (3, 4000), (333, 517), (1, 1)]


def _reference(img: np.ndarray, imgsz: tuple[int, int], auto: bool) -> np.ndarray:
    """ultralytics' predict preprocessing of one image: LetterBox, BGR->RGB, CHW, /255."""
    lb = LetterBox(imgsz, auto=auto, stride=32)(image=img)
    return (torch.from_numpy(lb).permute(2, 0, 1).flip(0).float() / 255).numpy()


@pytest.mark.parametrize("auto", [True, False])
@pytest.mark.parametrize("imgsz", [(640, 640), (384, 640), (1280, 1280)])
def test_geometry_is_ultralytics_letterbox(auto, imgsz):
    for h, w in SHAPES:
        p = LetterBox(imgsz, auto=auto, stride=32).get_params({"img": np.zeros((h, w, 3), np.uint8)})
        g = letterbox_geometry(h, w, imgsz, 32, auto)
        assert (g.new_w, g.new_h) == tuple(p["new_unpad"]), (h, w)
        assert (g.top, g.left) == (p["top"], p["left"]), (h, w)
        assert g.canvas == (g.new_h + p["top"] + p["bottom"], g.new_w + p["left"] + p["right"]), (h, w)
        if not auto:
            assert g.canvas == imgsz
        else:
            assert g.canvas_h % 32 == 0 or g.canvas_h == imgsz[0]


def test_model_input_is_bit_identical_on_real_frames(videos_dir):
    """1080p (exact 3x), 768x576 and 768x432 (true bilinear): every value equals predict's input."""
    import vidtools

    for clip in ("yassim_people.mp4", "opencv_vtest.avi", "intel_car-detection.mp4"):
        img = next(vidtools.iter_frames(videos_dir / clip, start=0.5)).image
        for auto in (True, False):
            g = letterbox_geometry(*img.shape[:2], (640, 640), 32, auto)
            mine = letterbox_batch([torch.from_numpy(img)], [g], half=False)[0].numpy()
            assert np.array_equal(mine, _reference(img, (640, 640), auto)), (clip, auto)


def test_resize_is_opencv_inter_linear():
    """Bit-identical to cv2.resize(INTER_LINEAR): down- and up-scaling, odd sizes, tiny and thin images."""
    g = torch.Generator().manual_seed(3)
    for h, w, nh, nw in [(576, 768, 480, 640), (1080, 1920, 360, 640), (333, 517, 412, 640), (97, 1003, 62, 640),
                         (576, 768, 479, 641), (333, 517, 211, 333), (50, 60, 199, 301), (720, 1280, 405, 720),
                         (10, 10, 640, 640), (120, 90, 640, 480), (7, 3000, 1, 640)]:
        img = torch.randint(0, 256, (h, w, 3), dtype=torch.uint8, generator=g).numpy()
        ref = cv2.resize(img, (nw, nh), interpolation=cv2.INTER_LINEAR)
        mine = resize_linear(torch.from_numpy(img)[None], nh, nw)[0].numpy()
        assert np.array_equal(mine, ref), (h, w, nh, nw, np.abs(mine.astype(int) - ref).max())


def test_batch_of_mixed_sizes_on_one_canvas():
    """Images of different sizes that share a canvas go into one batch, each in its own place."""
    a = np.full((1080, 1920, 3), 200, np.uint8)
    b = np.full((720, 1280, 3), 10, np.uint8)
    b[:, :, 0] = 50  # blue in BGR
    ga, gb = (letterbox_geometry(*x.shape[:2], (640, 640), 32, True) for x in (a, b))
    assert ga.canvas == gb.canvas == (384, 640)
    out = letterbox_batch([torch.from_numpy(a), torch.from_numpy(b)], [ga, gb], half=True)
    assert out.shape == (2, 3, 384, 640) and out.dtype == torch.float16
    assert np.array_equal(out[0].float().numpy(), _reference(a, (640, 640), True).astype(np.float16))
    assert np.array_equal(out[1].float().numpy(), _reference(b, (640, 640), True).astype(np.float16))
    assert out[1, 2, 200, 300].item() == pytest.approx(50 / 255, abs=1e-3)  # channel 2 = blue after BGR->RGB


def test_one_batch_needs_one_canvas():
    a, b = np.zeros((576, 768, 3), np.uint8), np.zeros((1080, 1920, 3), np.uint8)
    boxes = [letterbox_geometry(*x.shape[:2], (640, 640), 32, True) for x in (a, b)]
    with pytest.raises(ValueError, match="one canvas"):
        letterbox_batch([torch.from_numpy(a), torch.from_numpy(b)], boxes, half=False)


def test_to_device_on_cpu_shares_memory_and_geometry_gain():
    img = np.arange(24, dtype=np.uint8).reshape(2, 4, 3)
    t = to_device(torch.from_numpy(img), torch.device("cpu"))
    assert t.data_ptr() == torch.from_numpy(img).data_ptr()
    g = Letterbox(1080, 1920, 360, 640, 12, 0, 384, 640)
    assert g.gain == (640 / 1920, 360 / 1080)

"""The device-side detection path (issue 13): frames go to the model's device as uint8 batches,
and letterbox, normalisation, half precision and NMS run there; only boxes come back.

Modules, one job each:

- :mod:`~vidtools.device.letterbox`: letterbox geometry (pure, equal to ultralytics' ``LetterBox``)
  and the batched resize / pad / normalise on the device (torch).
- :mod:`~vidtools.device.nms`: non-maximum suppression of a whole batch in one call, and mapping
  boxes back to source pixels (torch, torchvision).
- :mod:`~vidtools.device.detector`: :class:`~vidtools.device.detector.TorchDetector`, the
  ultralytics adapter (PyTorch ``.pt`` / ``.yaml`` and TensorRT ``.engine`` through ``AutoBackend``).
- :mod:`~vidtools.device.batcher`: :class:`~vidtools.device.batcher.SharedBatcher`, one batch queue
  filled by many producers (one per clip), each seeing an ordinary ``Detector``.
- :mod:`~vidtools.device.concurrent`: analyse several clips at once through one shared batcher.

The same code runs with ``device="cpu"`` (CI); the only CUDA-specific steps (pinned host memory,
non-blocking copies, half precision) sit in small functions that run on the CPU too.
"""

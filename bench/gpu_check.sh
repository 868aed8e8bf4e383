#!/usr/bin/env bash
# The GPU check of issue 13, one prepared run (about 5-8 minutes on an H100), from the repository
# root of the GPU machine:  bash bench/gpu_check.sh [DEVICE]   (DEVICE: cuda:0 by default)
# Needs .gpu/ from bench/gpu_prepare.sh (wheels the GPU image lacks + two real clips); the log is
# written to $OUT/gpu_check.log when OUT is set (the device tool's result folder). The wheels are
# installed only when python3 lacks them; VIDTOOLS_GPU_CLIPS and VIDTOOLS_GPU_BENCH_ARGS override the
# clips folder and the benchmark's options (a quick dry run on a CPU, for instance).
#  1. equality: the device path vs ultralytics' predict on every frame of two real clips, with
#     yolo11n.yaml and seeded random weights (bench/device_equality.py);
#  2. throughput: plain ultralytics loop vs vidtools on the 1080p clip, one clip and 8 at once
#     (bench/gpu_throughput.py), with NVML utilisation and peak GPU memory.
set -uo pipefail
cd "$(dirname "$0")/.."
DEVICE=${1:-cuda:0}
PY=${PYTHON:-python3}
LOG=${OUT:-/tmp}/gpu_check.log
mkdir -p "$(dirname "$LOG")"
CLIPS=${VIDTOOLS_GPU_CLIPS:-.gpu/clips}
BENCH_ARGS=${VIDTOOLS_GPU_BENCH_ARGS:---batch 32 --at-once 8 --repeat 3}
if ! "$PY" -c "import ultralytics, av, scenedetect, lap, text_to_num" 2>/dev/null && ls .gpu/whl/*.whl >/dev/null 2>&1; then
  "$PY" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/vidtools-site .gpu/whl/*.whl || exit 1
  export PYTHONPATH=/tmp/vidtools-site:$PWD
else
  export PYTHONPATH=$PWD
fi
export PYTHONUNBUFFERED=1 YOLO_OFFLINE=1 YOLO_VERBOSE=False
{
  echo "== machine"
  nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader 2>/dev/null || echo "no nvidia-smi"
  nproc
  "$PY" -c "import sys, torch, torchvision, cv2, ultralytics, av; print('python', sys.version.split()[0], '| torch', torch.__version__, '| torchvision', torchvision.__version__, '| opencv', cv2.__version__, '| ultralytics', ultralytics.__version__, '| av', av.__version__, '| cuda', torch.cuda.is_available())"
  echo "== 1. equality with predict (seeded random yolo11n, conf 0.01, every frame)"
  timeout 150 "$PY" bench/device_equality.py "$CLIPS/yassim_people.mp4" --device "$DEVICE" --batch 32
  timeout 120 "$PY" bench/device_equality.py "$CLIPS/intel_car-detection.mp4" --device "$DEVICE" --batch 32
  echo "== 2. throughput (yolo11n.yaml, random weights: speed only)"
  # shellcheck disable=SC2086
  timeout 330 "$PY" bench/gpu_throughput.py "$CLIPS/yassim_people.mp4" --device "$DEVICE" $BENCH_ARGS
} 2>&1 | grep -v "random weights (seed" | tee "$LOG"

#!/usr/bin/env bash
# On the development machine, from the repository root: put into .gpu/ (ignored by git) what
# bench/gpu_check.sh needs on a GPU machine that has python3 + torch + torchvision + opencv but no
# internet: the wheels its image lacks (same versions as this virtualenv, for CPython 3.12) and
# two real clips. Then carry it: device run(command="bash bench/gpu_check.sh", carry=[".gpu"]).
# About 45 MB in all (PyAV's wheel is 36 MB), inside the 64 MiB a device call takes. text2num is
# there because `import vidtools` reads number words (claims); the first real run stopped without it.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python}
exclude=$(git rev-parse --git-path info/exclude)
mkdir -p "$(dirname "$exclude")"
grep -qx '/.gpu/' "$exclude" 2>/dev/null || echo '/.gpu/' >>"$exclude"
rm -rf .gpu && mkdir -p .gpu/whl .gpu/clips
ver() { "$PY" -c "import importlib.metadata as m; print(m.version('$1'))"; }
pkgs=()
for p in ultralytics av scenedetect lap platformdirs text2num; do pkgs+=("$p==$(ver "$p")"); done
"$PY" -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
  --platform manylinux_2_28_x86_64 --platform manylinux_2_27_x86_64 --platform manylinux_2_17_x86_64 \
  --platform manylinux2014_x86_64 --platform manylinux1_x86_64 --platform manylinux_2_5_x86_64 -d .gpu/whl "${pkgs[@]}"
cp ../shared/videos/yassim_people.mp4 ../shared/videos/intel_car-detection.mp4 .gpu/clips/
du -sh .gpu .gpu/whl .gpu/clips

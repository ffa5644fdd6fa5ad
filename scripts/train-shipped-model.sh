#!/usr/bin/env bash
# Rebuild the model that ships in models/ from ../shared/data plus the project's own samples,
# then record its checksum in the package. Run from the repository root.
set -euo pipefail
shared="${SHARED:-../shared}"
scamscreen train "$shared/data/emscad_train.csv" data/samples/ads.jsonl \
  --text-column text --hold-out emscad_train.csv=0.2 --seed 20261125 \
  -o models/scamscreen-model.json
sha256sum models/scamscreen-model.json | cut -d' ' -f1 > src/scamscreen/model.sha256

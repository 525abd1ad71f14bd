#!/usr/bin/env bash
# Copies the chosen adapted acoustic model, the domain LM + dictionary into models/asr/ and
# rewrites the asr entries of models/asr/manifest.json (other entries are left alone).
#
#   package-model.sh <adapted-model-name> <recipe description>
#   e.g. package-model.sh up16-mllr-map200 'up16 "mllr map", MAP_TAU=200'
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
W="${ASR_WORK:-$here/work}"
REPO="$(cd "$here/../.." && pwd)"
name="$1" recipe="$2"
am="$REPO/models/asr/am/en-us-telephone"
rm -rf "$am"; mkdir -p "$am" "$REPO/models/asr/lm"
cp "$W/am/$name/"{feat.params,mdef,means,variances,sendump,transition_matrices,noisedict} "$am/"
cp "$W/lm/domain.lm.bin" "$W/lm/domain.dict" "$REPO/models/asr/lm/"
install -m 644 /usr/share/doc/pocketsphinx-en-us/copyright "$REPO/models/asr/LICENSE.pocketsphinx-en-us"
install -m 644 "${SHARED_DATA:-/work/shared/data}/dialogues/sgd/LICENSE.txt" "$REPO/models/asr/LICENSE.sgd-cc-by-sa-4.0"
install -m 644 "${SHARED_DATA:-/work/shared/data}/dialogues/abcd/LICENSE" "$REPO/models/asr/LICENSE.abcd-mit"
ASR_MODEL_NAME="$name" ASR_RECIPE="$recipe" npx --no-install tsx "$here/update-manifest.ts"
du -sh "$REPO/models/asr"

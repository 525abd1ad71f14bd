#!/usr/bin/env bash
# The before/after table of docs/asr.md: decodes every test set with the stock model and the
# adapted model(s), the generic en-us LM and the domain LM, and the digits grammar on FSDD, then
# prints work/results.md. One decode at a time, niced.
#
#   [ABLATIONS="name …"] score-all.sh [adapted-model-dir-name …]   (default: the shipped models/asr/am/en-us-telephone)
#
# A model name refers to work/am/<name> (adapt.sh output); "shipped" is models/asr/am/en-us-telephone.
# Its front end follows its feat.params: -samprate 8000 → "8k", otherwise audio is upsampled.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
W="${ASR_WORK:-$here/work}"
SYS=/usr/share/pocketsphinx/model/en-us
REPO="$(cd "$here/../.." && pwd)"
LMDIR="${LMDIR:-$REPO/models/asr/lm}"
G="$REPO/models/asr/grammars"
models=("$@"); [ ${#models[@]} -gt 0 ] || models=(shipped)

dec() { "$here/decode.sh" "$@" 2>&1 | grep -v '^Error: extract_speaker' || true; }
run_model() { # <label> <dir>
  local label="$1" dir="$2" fe=up16
  grep -q -- '-samprate 8000' "$dir/feat.params" && fe=8k
  for set in test-slt test-espeak test-harvard; do
    dec "$set" "$label+genericLM" "$dir" "$fe" -lm "$SYS/en-us.lm.bin" -dict "$SYS/cmudict-en-us.dict"
    dec "$set" "$label+domainLM" "$dir" "$fe" -lm "$LMDIR/domain.lm.bin" -dict "$LMDIR/domain.dict"
  done
  dec test-fsdd "$label+digits" "$dir" "$fe" -jsgf "$G/digits.gram" -dict "$LMDIR/domain.dict"
}

run_ablation() { # <label> <dir>: domain LM on the synthetic sets, generic LM on the real sentences, digits on FSDD
  local label="$1" dir="$2" fe=up16
  grep -q -- '-samprate 8000' "$dir/feat.params" && fe=8k
  for set in test-slt test-espeak; do
    dec "$set" "$label+domainLM" "$dir" "$fe" -lm "$LMDIR/domain.lm.bin" -dict "$LMDIR/domain.dict"
  done
  dec test-harvard "$label+genericLM" "$dir" "$fe" -lm "$SYS/en-us.lm.bin" -dict "$SYS/cmudict-en-us.dict"
  dec test-fsdd "$label+digits" "$dir" "$fe" -jsgf "$G/digits.gram" -dict "$LMDIR/domain.dict"
}

run_model generic-16k-upsampled "$SYS/en-us"
for m in "${models[@]}"; do
  if [ "$m" = shipped ]; then run_model adapted-telephone "$REPO/models/asr/am/en-us-telephone"; else run_model "$m" "$W/am/$m"; fi
done
# Other adaptation recipes tried (work/am/<name>, made by adapt.sh), e.g.
# ABLATIONS="base-8k 8k-mllr2 up16-mllr up16-mllr2 up16-map3 up16-mllr-map200"
for m in ${ABLATIONS:-}; do run_ablation "$m" "$W/am/$m"; done
# Reference ceiling: the same slt sentences and Harvard recordings at 16 kHz wideband (no telephone
# channel) through the stock model.
if [ "${WIDEBAND:-1}" = 1 ]; then
  mkdir -p "$W/audio/x-slt-wb" "$W/audio/x-harvard-wb"
  cut -f1,5 "$W/lists/test-slt.tsv" | while IFS=$'\t' read -r id text; do
    [ -f "$W/audio/x-slt-wb/$id.wav" ] || flite -voice slt -t "$text" -o "$W/audio/x-slt-wb/$id.wav"
  done
  cut -f1,5 "$W/lists/test-harvard.tsv" | while IFS=$'\t' read -r id src; do cp "$src" "$W/audio/x-harvard-wb/$id.wav"; done
  for s in slt harvard; do
    sed "s/^test-$s/x-$s-wb/" "$W/audio/test-$s.fileids" > "$W/audio/x-$s-wb.fileids"; cp "$W/audio/test-$s.trn" "$W/audio/x-$s-wb.trn"
  done
  # "8k" = no resampling: these files are already 16 kHz, the stock model's rate.
  dec x-slt-wb generic-16k-wideband+genericLM "$SYS/en-us" 8k -lm "$SYS/en-us.lm.bin" -dict "$SYS/cmudict-en-us.dict"
  dec x-slt-wb generic-16k-wideband+domainLM "$SYS/en-us" 8k -lm "$LMDIR/domain.lm.bin" -dict "$LMDIR/domain.dict"
  dec x-harvard-wb generic-16k-wideband+genericLM "$SYS/en-us" 8k -lm "$SYS/en-us.lm.bin" -dict "$SYS/cmudict-en-us.dict"
fi
npx --no-install tsx "$here/results-table.ts" test-slt test-espeak test-harvard test-fsdd x-slt-wb x-harvard-wb > "$W/results.md"
cat "$W/results.md"

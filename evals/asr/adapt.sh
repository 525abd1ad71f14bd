#!/usr/bin/env bash
# Adapts the stock pocketsphinx en-us acoustic model (16 kHz, PTM) to telephone audio, following the
# CMU Sphinx "Adapting the default acoustic model" procedure: sphinx_fe features of the adaptation
# set, bw statistics, then mllr_solve (+ mllr_transform to bake the transform into the means) and/or
# map_adapt, and mk_s2sendump to write the PocketSphinx mixture weights.
#
#   adapt.sh <name> <frontend> <recipe> [train-list]
#
#   frontend  8k   : features from the 8 kHz audio itself (-samprate 8000 -nfft 256 and the mel
#                    filterbank narrowed to FE8_LOWERF..FE8_UPPERF, FE8_NFILT filters)
#             up16 : audio upsampled to 16 kHz, stock 16 kHz front end
#   recipe    space-separated steps applied in order, each one bw pass on the current model, e.g.
#             "mllr"  "mllr mllr map map"  "map map map"
#   train-list  audio list under work/audio (default: train)
#
# Output: work/am/<name>/ (a complete pocketsphinx model directory). Logs: work/am/<name>.log.d/
# Environment: FE8_LOWERF (130) FE8_UPPERF (3700) FE8_NFILT (25), MAP_TAU (unset = map_adapt's Bayesian
# mean update), NPART (1: one bw process; 2 runs two parts in parallel).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
W="${ASR_WORK:-$here/work}"
ST=/usr/lib/sphinxtrain
SYS=/usr/share/pocketsphinx/model/en-us
name="$1" fe="$2" recipe="$3" list="${4:-train}"
NPART="${NPART:-1}"
am="$W/am/$name"; logs="$W/am/$name.log.d"
rm -rf "$am" "$logs"; mkdir -p "$am" "$logs"

# 1. Base model: the stock files, full mixture weights expanded from sendump, text mdef.
base="$W/am/base-$fe"
if [ ! -f "$base/mixture_weights" ]; then
  rm -rf "$base"; mkdir -p "$base"
  cp "$SYS/en-us/"{mdef,means,variances,transition_matrices,noisedict,feat.params,README} "$base/"
  pocketsphinx_mdef_convert -text "$base/mdef" "$base/mdef.txt" >/dev/null 2>&1
  npx --no-install tsx "$here/sendump-to-mixw.ts" "$SYS/en-us/sendump" "$base/mixture_weights" >/dev/null
  if [ "$fe" = 8k ]; then
    sed -i -E "s/^-lowerf .*/-lowerf ${FE8_LOWERF:-130}/; s/^-upperf .*/-upperf ${FE8_UPPERF:-3700}/; s/^-nfilt .*/-nfilt ${FE8_NFILT:-25}/" "$base/feat.params"
    printf -- '-samprate 8000\n-nfft 256\n' >> "$base/feat.params"
  fi
fi
cp "$base/"{mdef,mdef.txt,means,variances,mixture_weights,transition_matrices,noisedict,feat.params,README} "$am/"

# 2. Features.
feats="$W/feats/$fe-$(md5sum < "$base/feat.params" | cut -c1-8)"
if [ ! -f "$feats/$list.done" ]; then
  mkdir -p "$feats"
  if [ "$fe" = up16 ]; then
    src="$W/audio16"
    while read -r id; do
      mkdir -p "$(dirname "$src/$id")"
      [ -f "$src/$id.wav" ] || sox "$W/audio/$id.wav" -r 16000 "$src/$id.wav"
    done < "$W/audio/$list.fileids"
    rate=16000
  else
    src="$W/audio"; rate=8000
  fi
  nice -n 10 sphinx_fe -argfile "$base/feat.params" -samprate "$rate" -c "$W/audio/$list.fileids" \
    -di "$src" -do "$feats" -ei wav -eo mfc -mswav yes > "$logs/sphinx_fe.log" 2>&1
  touch "$feats/$list.done"
fi

# 3. Passes.
bw_pass() { # <model dir> <accum dir>
  local m="$1" acc="$2" pids=() p
  for p in $(seq 1 "$NPART"); do
    mkdir -p "$acc/$p"
    nice -n 10 "$ST/bw" -hmmdir "$m" -moddeffn "$m/mdef.txt" -ts2cbfn .ptm. -feat 1s_c_d_dd \
      -svspec 0-12/13-25/26-38 -cmn batch -agc none -varnorm no \
      -dictfn "$SYS/cmudict-en-us.dict" -fdictfn "$m/noisedict" \
      -ctlfn "$W/audio/$list.fileids" -lsnfn "$W/audio/$list.transcription" -cepdir "$feats" \
      -npart "$NPART" -part "$p" -accumdir "$acc/$p" > "$acc/bw.$p.log" 2>&1 &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p"; done
  grep -h -E 'overall>' "$acc"/bw.*.log | tail -"$NPART" || true
}
i=0
for step in $recipe; do
  i=$((i+1)); acc="$logs/acc$i-$step"
  echo "[adapt $name] pass $i: $step" >&2
  bw_pass "$am" "$acc"
  accs=$(ls -d "$acc"/[0-9]*)
  case "$step" in
    mllr)
      "$ST/mllr_solve" -meanfn "$am/means" -varfn "$am/variances" -outmllrfn "$acc/mllr_matrix" -accumdir $accs > "$acc/mllr_solve.log" 2>&1
      "$ST/mllr_transform" -inmeanfn "$am/means" -outmeanfn "$acc/means" -mllrmat "$acc/mllr_matrix" > "$acc/mllr_transform.log" 2>&1
      cp "$acc/means" "$am/means" ;;
    map)
      tau=(); [ -n "${MAP_TAU:-}" ] && tau=(-bayesmean no -fixedtau yes -tau "$MAP_TAU")
      "$ST/map_adapt" -moddeffn "$am/mdef.txt" -ts2cbfn .ptm. -meanfn "$am/means" -varfn "$am/variances" \
        -mixwfn "$am/mixture_weights" -tmatfn "$am/transition_matrices" -accumdir $accs "${tau[@]}" \
        -mapmeanfn "$acc/means" -mapvarfn "$acc/variances" -mapmixwfn "$acc/mixture_weights" \
        -maptmatfn "$acc/transition_matrices" > "$acc/map_adapt.log" 2>&1
      cp "$acc/"{means,variances,mixture_weights,transition_matrices} "$am/" ;;
    *) echo "unknown step $step" >&2; exit 2 ;;
  esac
done

# 4. PocketSphinx form: quantised mixture weights (sendump) instead of the float mixture_weights.
"$ST/mk_s2sendump" -pocketsphinx yes -moddeffn "$am/mdef.txt" -mixwfn "$am/mixture_weights" -sendumpfn "$am/sendump" > "$logs/mk_s2sendump.log" 2>&1
rm -f "$am/mixture_weights" "$am/mdef.txt"
echo "[adapt $name] done: $am" >&2

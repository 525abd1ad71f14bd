#!/usr/bin/env bash
# Decodes one synthesised/real set with pocketsphinx_batch and scores it with sclite (NIST SCTK).
#
#   decode.sh <set> <name> <hmm-dir> <frontend> [pocketsphinx args…]
#
#   set        audio list under work/audio (test-slt, test-espeak, test-fsdd, test-harvard, dev, …)
#   name       label of this system, e.g. generic-up16+genericLM
#   hmm-dir    acoustic model directory (its feat.params decides the front end)
#   frontend   8k   = decode the 8 kHz files as they are (model's feat.params must say -samprate 8000)
#              up16 = upsample to 16 kHz with sox first (for the stock 16 kHz model)
#   args       -lm/-dict/-jsgf … passed to pocketsphinx_batch
#
# Writes work/decode/<set>/<name>.{hyp.trn,log,sys} and appends one row to work/results.tsv:
#   set name WER% corr% sub% del% ins% ref-words sentence-error% xRT
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
W="${ASR_WORK:-$here/work}"
set_="$1" name="$2" hmm="$3" fe="$4"; shift 4

out="$W/decode/$set_"; mkdir -p "$out"
case "$fe" in
  8k) cepdir="$W/audio" ;;
  up16)
    cepdir="$W/audio16"; mkdir -p "$cepdir/$set_"
    while read -r id; do
      [ -f "$cepdir/$id.wav" ] || sox "$W/audio/$id.wav" -r 16000 "$cepdir/$id.wav"
    done < "$W/audio/$set_.fileids" ;;
  *) echo "frontend must be 8k or up16" >&2; exit 2 ;;
esac

# RESCORE=1 re-scores an existing decode without decoding again.
[ -n "${RESCORE:-}" ] && [ -f "$out/$name.raw.hyp" ] || nice -n 10 pocketsphinx_batch -hmm "$hmm" -cepdir "$cepdir" -cepext .wav -adcin yes -adchdr 44 \
  -ctl "$W/audio/$set_.fileids" -hyp "$out/$name.raw.hyp" "$@" > "$out/$name.log" 2>&1 || { tail -20 "$out/$name.log"; exit 1; }

# "words (set/id -score)" -> "words (id)"; lower case, fillers removed.
sed -E 's/\(([^ ()]*\/)?([^ ()]+) -?[0-9]+\)$/(\2)/; s/<[^>]*>|\[[^]]*\]//g; s/\([0-9]+\)//g; s/  +/ /g; s/^ //' "$out/$name.raw.hyp" \
  | tr 'A-Z' 'a-z' > "$out/$name.hyp.trn"
# sclite's "rm" id convention is speaker-utterance: ids without a "-" get a dummy speaker "u-".
fixid() { sed -E 's/\(([^()-]+)\)$/(u-\1)/' "$1"; }
fixid "$W/audio/$set_.trn" > "$out/ref.trn"; fixid "$out/$name.hyp.trn" > "$out/$name.hyp.sclite.trn"
"${SCLITE:-/usr/lib/sctk/bin/sclite}" -r "$out/ref.trn" trn -h "$out/$name.hyp.sclite.trn" trn -i rm -o sum pralign stdout > "$out/$name.sys"

sum=$(grep -E '^\s*\|\s*Sum/Avg' "$out/$name.sys" | tr -s ' |' ' ')
# Sum/Avg line: " Sum/Avg #snt #wrd Corr Sub Del Ins Err S.Err "
read -r _ snt wrd corr sub del ins err serr <<<"$sum"
# CPU time per second of speech, from "batch.c: TOTAL <speech> seconds speech, <cpu> seconds CPU, …".
xrt=$(grep -E 'batch.c.*TOTAL .* seconds speech' "$out/$name.log" | tail -1 | awk '{printf "%.3f", $7/$4}')
printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$set_" "$name" "$err" "$corr" "$sub" "$del" "$ins" "$wrd" "$serr" "${xrt:-?}" | tee -a "$W/results.tsv"

#!/usr/bin/env bash
# Builds the domain trigram LM and its pronunciation dictionary with IRSTLM + sphinxbase:
#   text  = normalised SGD train USER utterances (CC BY-SA 4.0) + normalised demo KB sentences
#           (ABCD guidelines, MIT; demo articles, project) + contact-center control phrases
#           (text/control-phrases.txt, project) — made by prepare-text.ts
#   LM    = 3-gram, improved shift-beta (IRSTLM's modified Kneser-Ney), singletons kept
#   dict  = the LM's words and the slot grammars' words (models/asr/grammars), pronunciations
#           copied from the pocketsphinx-en-us cmudict
#
#   build-lm.sh [out-dir]   (default: work/lm) → domain.arpa, domain.lm.bin, domain.dict, vocab.txt
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
W="${ASR_WORK:-$here/work}"
out="${1:-$W/lm}"; mkdir -p "$out"
SYS=/usr/share/pocketsphinx/model/en-us
export IRSTLM=/usr/lib/irstlm
export PATH="$IRSTLM/bin:$PATH"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT

# Control phrases are repeated 3 times: they are few, and callers say them on every kind of call.
cat "$W/text/lm-sgd-train.txt" "$W/text/lm-kb.txt" "$W/text/lm-control.txt" "$W/text/lm-control.txt" "$W/text/lm-control.txt" \
  | sed '/^\s*$/d' > "$tmp/corpus.txt"
add-start-end.sh < "$tmp/corpus.txt" > "$tmp/corpus.se"
build-lm.sh -i "$tmp/corpus.se" -n 3 -k 1 -s improved-shift-beta -b -o "$tmp/domain.ilm.gz" -t "$tmp/stat" > "$tmp/build.log" 2>&1 \
  || { cat "$tmp/build.log"; exit 1; }
compile-lm --text=yes "$tmp/domain.ilm.gz" "$tmp/domain.arpa" > /dev/null 2>&1
# IRSTLM writes "<unk>" into the ARPA file; sphinx ignores words missing from the dictionary.
cp "$tmp/domain.arpa" "$out/domain.arpa"
sphinx_lm_convert -i "$out/domain.arpa" -o "$out/domain.lm.bin" > "$tmp/convert.log" 2>&1 || { cat "$tmp/convert.log"; exit 1; }

tr ' ' '\n' < "$tmp/corpus.txt" | sed '/^$/d' | sort -u > "$out/vocab.txt"
# The decoder dictionary also serves the slot grammars: add their words.
GRAMMARS="${GRAMMARS:-$here/../../models/asr/grammars}"
sed -E 's,/\*.*\*/,,; s,^ *\*.*,,; /^#JSGF/d; /^grammar /d; s/<[^>]*>//g; s,/[0-9.]+/,,g' "$GRAMMARS"/*.gram \
  | tr -c "a-z'\n" ' ' | tr ' ' '\n' | sed '/^$/d' | sort -u > "$tmp/grammar-words.txt"
sort -u "$out/vocab.txt" "$tmp/grammar-words.txt" > "$tmp/dict-words.txt"
# Dictionary: every pronunciation variant of each vocabulary word, in vocabulary order.
awk 'NR==FNR { v[$1]=1; next } { w=$1; sub(/\([0-9]+\)$/, "", w); if (w in v) print }' "$tmp/dict-words.txt" "$SYS/cmudict-en-us.dict" \
  | LC_ALL=C sort -t' ' -k1,1 -s > "$out/domain.dict"
missing=$(awk 'NR==FNR { w=$1; sub(/\([0-9]+\)$/, "", w); d[w]=1; next } !($1 in d)' "$out/domain.dict" "$tmp/dict-words.txt" | wc -l)
echo "domain LM: $(wc -l < "$out/vocab.txt") words ($missing without pronunciation), $(grep -c . "$tmp/corpus.txt") sentences; $(grep -E '^ngram +[123]=' "$out/domain.arpa" | tr -s ' \n' ' ')" >&2

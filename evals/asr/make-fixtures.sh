#!/usr/bin/env bash
# Rebuilds the audio fixtures of services/voice/src/asr/pocketsphinx.test.ts:
#   - flite voice "slt" (held out from adaptation) saying project-written caller sentences, put
#     through the test telephone channel (8 kHz, 300–3400 Hz band, −12 dBFS peak) and stored as
#     8-bit μ-law WAV — the bytes a Twilio/Genesys stream carries;
#   - two real 8 kHz spoken digits copied from FSDD (CC BY-SA 4.0, see fixtures/NOTICE).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="$here/../../services/voice/src/asr/fixtures"
mkdir -p "$out"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
say() { # <name> <text>
  flite -voice slt -t "$2" -o "$tmp/$1.wav"
  sox -R "$tmp/$1.wav" -r 8000 -c 1 -e u-law -b 8 "$out/$1.ulaw.wav" rate -v 8000 sinc 300-3400 norm -12 pad 0.15 0.15
}
say balance "i would like to check the balance of my savings account"
say flight "can you find me a flight to chicago"
say digits "four one seven two"
say yes "yes that is correct"
say agent "can i speak to a human agent please"
SHARED="${SHARED_DATA:-/work/shared/data}"
install -m 644 "$SHARED/audio/fsdd/7_theo_0.wav" "$out/fsdd-7_theo_0.wav"
install -m 644 "$SHARED/audio/fsdd/3_theo_0.wav" "$out/fsdd-3_theo_0.wav"
ls -l "$out"

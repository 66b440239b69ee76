#!/usr/bin/env bash
# `npm run infra:check`: installs the Bicep CLI, then builds and lints every .bicep under infra/; any error or warning fails it.
#
# The compiled ARM JSON lands in .cache/bicep-out/ (gitignored), mirroring infra/, where tests/infra reads it.
# A warning may stay only behind `#disable-next-line <code>` with a `//` comment on the line above saying why.
set -euo pipefail

here="$(cd "$(dirname "$0")/../.." && pwd)"
out="${BICEP_OUT_DIR:-$here/.cache/bicep-out}"
cd "$here"

say() { printf 'infra:check: %s\n' "$*"; }

bicep="$(bash dev/scripts/install-bicep.sh)"
say "using $("$bicep" --version)"

mapfile -t files < <(find infra -name '*.bicep' | sort)
[ "${#files[@]}" -gt 0 ] || { say "error: no .bicep files under infra/"; exit 1; }

problems=0
# Runs one bicep command; its diagnostics go to the terminal, and any Warning or Error line (or a failing exit) counts.
check() {
  local label="$1"
  shift
  local log status=0
  log="$("$bicep" "$@" 2>&1)" || status=$?
  if [ -n "$log" ]; then printf '%s\n' "$log" | sed 's/^/  /'; fi
  if [ "$status" -ne 0 ] || printf '%s\n' "$log" | grep -qE ' : (Warning|Error) '; then
    say "FAIL $label"
    problems=$((problems + 1))
  else
    say "ok   $label"
  fi
}

for file in "${files[@]}"; do
  rel="${file#infra/}"
  dir="$out/$(dirname "$rel")"
  mkdir -p "$dir"
  check "build $file" build "$file" --outdir "$dir"
  check "lint  $file" lint "$file"
done

# A suppressed diagnostic needs its reason right above it, so the next reader knows it was a decision.
while IFS=: read -r file line _; do
  prev="$(sed -n "$((line - 1))p" "$file")"
  if ! printf '%s\n' "$prev" | grep -qE '^[[:space:]]*//'; then
    say "FAIL $file:$line: #disable-next-line without a // comment on the line above giving the reason"
    problems=$((problems + 1))
  fi
done < <(grep -rnE '#disable-next-line' --include='*.bicep' infra || true)

if [ "$problems" -gt 0 ]; then
  say "$problems check(s) failed: fix the diagnostics above (warnings count as errors)"
  exit 1
fi
say "all ${#files[@]} Bicep files build and lint clean; ARM JSON in $out"

#!/usr/bin/env bash
# Runs a scenario and gates on `faultline compare` against a stored baseline result.
#
# usage: ci/examples/compare-gate.sh SCENARIO BASELINE.json [OUT_DIR] [-- COMPARE_ARGS...]
#
# Writes OUT_DIR/result.json (the new run), OUT_DIR/compare.md (for a pull-request comment),
# OUT_DIR/compare.xml (JUnit) and OUT_DIR/compare.json. Exits with compare's code: 0 no
# regression, 1 a metric regressed significantly beyond the threshold, 2 bad input or runs that
# are not comparable (another host class, scenario or image: refresh the baseline). A failing
# run exits with its own code before any comparison.
#
# A baseline recorded on the same runner class shortly before is best: runs on shared machines
# drift (docs/PERFORMANCE.md). Give the scenario at least 6 repetitions.
set -euo pipefail
scenario=${1:?scenario}
baseline=${2:?baseline result.json}
out=${3:-faultline-out}
shift $(($# < 3 ? $# : 3))
[[ ${1:-} == -- ]] && shift
faultline=${FAULTLINE:-faultline}

mkdir -p "$out"
"$faultline" run "$scenario" --out "$out"
code=0
"$faultline" compare "$baseline" "$out/result.json" \
  --markdown "$out/compare.md" --junit "$out/compare.xml" --json "$out/compare.json" "$@" ||
  code=$?
exit "$code"

#!/usr/bin/env bash
# Calibrates `faultline compare` on real runs (docs/PERFORMANCE.md, "compare: false alarms and
# detection"): PAIRS A/A pairs of plain runc runs (the false-alarm rate), and for each delay in
# DELAYS, PAIRS pairs of runs through the runtime wrapper (tests/integration/runtime_wrapper.cc)
# with no delay (base) and with that delay in every runtime call (new): the detection rate.
# The pairs of each index run back to back, kinds interleaved, so host drift hits all alike.
#
# usage: tests/bench/compare_calibration.sh collect|evaluate
#   WORK=DIR        where results go (default /tmp/fl-calibration); collect resumes in it
#   PAIRS=N         pairs per kind (default 10)
#   DELAYS="2 10"   wrapper delays in ms per runtime call
#   FL_LOCK=FILE    run the runs of each pair index under flock FILE (a shared host's root lock)
#   BUILD=DIR       the build directory (default build/default)
#   COMPARE_ARGS    extra arguments for `faultline compare` (e.g. "--host-bound none": the
#                   verdicts without the host-speed control)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD:-$root/build/default}
work=${WORK:-/tmp/fl-calibration}
pairs=${PAIRS:-10}
delays=${DELAYS:-"2 10"}
faultline=$build/faultline
scenario=$root/tests/bench/compare_calibration.yaml

run() {  # OUT_DIR [VAR=VALUE...]: one faultline run, skipped when its result exists
  local out=$1
  shift
  [[ -f $out/result.json ]] && return 0
  env "$@" "$faultline" run "$scenario" --out "$out" >"$out.log" 2>&1 ||
    { echo "run $out failed: $(tail -3 "$out.log")" >&2; return 1; }
}

# The runs of pair index I, all kinds (under the lock when FL_LOCK is set: one short section).
collect_index() {
  local i=$1 wrapped=(PATH="$work/bin:$PATH" FL_REAL_RUNTIME="$(command -v runc)")
  mkdir -p "$work/aa/$i"
  run "$work/aa/$i/base"
  run "$work/aa/$i/new"
  for d in $delays; do
    mkdir -p "$work/d$d/$i"
    run "$work/d$d/$i/base" "${wrapped[@]}" FL_WRAPPER_DELAY_MS=0
    run "$work/d$d/$i/new" "${wrapped[@]}" FL_WRAPPER_DELAY_MS="$d"
  done
}

collect() {
  mkdir -p "$work/bin"
  ln -sfn "$build/tests/integration/runtime_wrapper" "$work/bin/runc"
  for i in $(seq 1 "$pairs"); do
    if [[ -n ${FL_LOCK:-} ]]; then
      flock "$FL_LOCK" "$0" collect-index "$i"
    else
      collect_index "$i"
    fi
    echo "pair $i done $(date +%T)" >&2
  done
}

# The alternative verdict rule docs/METRICS.md argues against: the point estimate beyond the
# threshold, the interval excluding 1, adjusted p below alpha. Prints the metrics it flags.
# shellcheck disable=SC2016 # jq variables, not shell ones
alternative='[.options as $o | .metrics[] | select(.tested and .median.ratio > 1 + $o.threshold
  and .median.ci_low > 1 and .p_adjusted < $o.alpha) | .metric] | join(",")'

# One line per pair: kind, index, exit code, the regressed metrics, and what the alternative
# rule would flag.
compare_pair() {
  local kind=$1 i=$2 code=0
  # shellcheck disable=SC2086
  "$faultline" compare "$work/$kind/$i/base/result.json" "$work/$kind/$i/new/result.json" \
    --json "$work/$kind/$i/compare.json" ${COMPARE_ARGS:-} >/dev/null 2>&1 || code=$?
  local json=$work/$kind/$i/compare.json regressed alt host
  regressed=$(jq -r '[.metrics[] | select(.verdict == "regressed") | .metric] | join(",")' \
    "$json" 2>/dev/null || echo "?")
  alt=$(jq -r "$alternative" "$json" 2>/dev/null || echo "?")
  host=$(jq -r 'if .host_speed.measured then "\((.host_speed.ratio - 1) * 100 | round)%"
    + (if .host_speed.moved then ",moved" else "" end) else "-" end' "$json" 2>/dev/null || echo "?")
  echo "$kind $i exit=$code regressed=${regressed:--} host=$host alternative=${alt:--}"
}

evaluate() {
  for kind in aa $(for d in $delays; do echo "d$d"; done); do
    local flagged=0 alt_flagged=0 moved=0 total=0
    for i in $(seq 1 "$pairs"); do
      [[ -f $work/$kind/$i/new/result.json ]] || continue
      line=$(compare_pair "$kind" "$i")
      echo "$line"
      total=$((total + 1))
      [[ $line == *"exit=1"* ]] && flagged=$((flagged + 1))
      [[ $line == *"alternative=-" ]] || alt_flagged=$((alt_flagged + 1))
      [[ $line == *",moved "* ]] && moved=$((moved + 1))
    done
    echo "== $kind: $flagged of $total pairs exit 1 (host speed moved in $moved;" \
      "alternative rule: $alt_flagged)"
  done
  # Every A/A run against every other (not independent, but spans longer drift in time).
  local runs=() flagged=0 moved=0 total=0
  for i in $(seq 1 "$pairs"); do
    for side in base new; do
      [[ -f $work/aa/$i/$side/result.json ]] && runs+=("$work/aa/$i/$side/result.json")
    done
  done
  for ((a = 0; a < ${#runs[@]}; a++)); do
    for ((b = a + 1; b < ${#runs[@]}; b++)); do
      total=$((total + 1))
      # shellcheck disable=SC2086
      "$faultline" compare "${runs[a]}" "${runs[b]}" ${COMPARE_ARGS:-} >/dev/null 2>"$work/err" ||
        { [[ $? == 1 ]] && flagged=$((flagged + 1)); }
      grep -q "HOST SPEED CHANGED" "$work/err" && moved=$((moved + 1))
    done
  done
  echo "== aa all pairs: $flagged of $total exit 1 (host speed moved in $moved)"
}

case ${1:-} in
  collect) collect ;;
  collect-index) collect_index "$2" ;;
  evaluate) evaluate ;;
  *) sed -n '2,16p' "$0" >&2; exit 2 ;;
esac

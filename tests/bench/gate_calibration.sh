#!/usr/bin/env bash
# Operating characteristics of `faultline gate` on this host (docs/PERFORMANCE.md, "gate:
# operating characteristics"). Every job is one `faultline gate` run of two runc targets given
# by path, each behind the runtime wrapper (tests/integration/runtime_wrapper.cc), which sleeps
# the milliseconds in the `delay_ms` file beside it in every runtime call:
#   aa       both 0: false FAILs (target: at most 1%)
#   pP       the candidate slowed by P% of the base's median start_latency, measured by a short
#            run just before the job (create + start: two calls of P% x median / 2 each): the
#            detection rate and the quads to a verdict
#   hog      as aa, with a CPU hog (a busy loop) on the other core for the whole job
# Jobs of all kinds are interleaved index by index, so a drift of the host hits every kind.
#
# usage: tests/bench/gate_calibration.sh collect|evaluate
#   WORK=DIR          where jobs go (default /tmp/fl-gate-calibration); collect resumes in it
#   JOBS="aa:100 p5:30 p10:30 p25:30 hog:30"   jobs per kind
#   BUILD=DIR         the build directory (default build/default)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD:-$root/build/default}
work=${WORK:-/tmp/fl-gate-calibration}
jobs=${JOBS:-"aa:100 p5:30 p10:30 p25:30 hog:30"}
faultline=$build/faultline
runc=$(command -v runc)

# The gate scenario: the base at a/runc, the candidate at b/runc, both the wrapper.
setup() {
  mkdir -p "$work/a" "$work/b"
  ln -sfn "$build/tests/integration/runtime_wrapper" "$work/a/runc"
  ln -sfn "$build/tests/integration/runtime_wrapper" "$work/b/runc"
  echo 0 >"$work/a/delay_ms"
  cat >"$work/gate.yaml" <<'YAML'
version: 1
name: gate-calibration
targets:
  - {name: base, driver: oci, runtime: {name: runc, path: a/runc}, image: busybox}
  - {name: next, driver: oci, runtime: {name: runc, path: b/runc}, image: busybox}
steps:
  - {name: warmup, record: false, workload: {kind: start, count: 3}}
  - {name: storm, workload: {kind: start, count: 5, command: ["true"]}}
YAML
}

# The base's median start_latency now (ms), from one short run of both targets undelayed, into
# FILE: a slowdown is a fraction of the latency of the moment, not of a median measured once
# (the host's load moves it: 86 ms idle here, 200 ms while a build ran).
measure_median() {
  echo 0 >"$work/b/delay_ms"
  FL_REAL_RUNTIME=$runc "$faultline" run "$work/gate.yaml" --out "$work/probe" >/dev/null 2>&1
  jq '[.aggregates[] | select(.step == "storm" and .metric == "start_latency") | .p50]
      | add / length * 1000' "$work/probe/result.json" >"$1"
}

# One job of KIND, index I: skipped when it has a result.
job() {
  local kind=$1 i=$2 dir=$work/$1/$2 hog=
  [[ -f $dir/done ]] && return 0
  mkdir -p "$dir"
  case $kind in
  aa | hog) echo 0 >"$work/b/delay_ms" ;;
  p*)
    measure_median "$dir/median_ms"
    jq -n --argjson m "$(cat "$dir/median_ms")" --argjson p "${kind#p}" \
      '$m * $p / 100 / 2' >"$work/b/delay_ms"
    ;;
  esac
  if [[ $kind == hog ]]; then
    taskset -c 1 timeout 600 yes >/dev/null &
    hog=$!
  fi
  local code=0
  FL_REAL_RUNTIME=$runc "$faultline" gate "$work/gate.yaml" --base base --candidate next \
    --seed "$i" --out "$dir" >"$dir/log" 2>&1 || code=$?
  if [[ -n $hog ]]; then
    kill "$hog" 2>/dev/null || true
    wait "$hog" 2>/dev/null || true
  fi
  echo "$code" >"$dir/done"
}

collect() {
  setup
  local max=0 spec
  for spec in $jobs; do ((${spec#*:} > max)) && max=${spec#*:}; done
  for i in $(seq 1 "$max"); do
    for spec in $jobs; do
      ((i <= ${spec#*:})) && job "${spec%:*}" "$i"
    done
    echo "index $i done $(date +%T)" >&2
  done
}

# Per kind: jobs, PASS / FAIL / INCONCLUSIVE, the median quads to a verdict, the median ratio.
evaluate() {
  local spec kind
  echo "median start_latency of the base before each slowed job (ms): $(cat "$work"/p*/*/median_ms 2>/dev/null | jq -s -c 'sort | {min: .[0], median: .[length / 2 | floor], max: .[-1]}')"
  for spec in $jobs; do
    kind=${spec%:*}
    [[ -d $work/$kind ]] || continue
    # A result's gate: its first metric's ratio; the quads run (a list of quads in results
    # written before the gate took several metrics).
    jq -s --arg kind "$kind" '
      map(.gate | {verdict, quads: (if (.quads | type) == "array" then .quads else [range(.quads)] end),
                   ratio: (.metrics[0].ratio // .ratio)}) as $g | ($g | length) as $n
      | def count(v): [$g[] | select(.verdict == v)] | length;
      def median: sort | if length == 0 then null else .[(length - 1) / 2 | floor] end;
      "\($kind): \($n) jobs, pass \(count("pass")), fail \(count("fail")), inconclusive \(count("inconclusive")), median quads \([$g[].quads | length] | median), median ratio \([$g[].ratio] | median)"' \
      -r "$work/$kind"/*/result.json
  done
}

case ${1:-} in
collect) collect ;;
evaluate) evaluate ;;
*) echo "usage: $0 collect|evaluate" >&2; exit 2 ;;
esac

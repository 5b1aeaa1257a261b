#!/usr/bin/env bash
# Three consecutive fresh-clone CI runs while a CPU-bound process keeps one of the two cores
# busy: the evidence that the suite does not race the clock. Usage: scripts/ci-under-load.sh
# (from the repository; clones its committed HEAD into /tmp/ci-load-N).
set -u
repo=$(git rev-parse --show-toplevel)
node -e 'const end = Date.now() + 60 * 60e3; while (Date.now() < end) {}' &
burn=$!
trap 'kill $burn 2>/dev/null' EXIT
for i in 1 2 3; do
  rm -rf "/tmp/ci-load-$i" && git clone -q "$repo" "/tmp/ci-load-$i"
  start=$(date +%s)
  (cd "/tmp/ci-load-$i" && bash .ci/run > "/tmp/ci-load-$i.log" 2>&1)
  rc=$?
  echo "run $i: exit $rc in $(($(date +%s) - start)) s; $(grep -E '^Tests:' "/tmp/ci-load-$i.log")"
  rm -rf "/tmp/ci-load-$i/node_modules" "/tmp/ci-load-$i/.tools"
done

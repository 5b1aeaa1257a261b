#!/usr/bin/env bash
# Three consecutive fresh-clone CI runs while a CPU-bound process keeps one of the two cores
# busy: the evidence that the suite does not race the clock. Usage: scripts/ci-under-load.sh
# (from the repository). Every run clones the commit that was HEAD when the series started, so
# committing during a series does not mix commits into it.
set -u
repo=$(git rev-parse --show-toplevel)
commit=$(git -C "$repo" rev-parse HEAD)
echo "series on $commit"
node -e 'for (;;) {}' &
burn=$!
trap 'kill $burn 2>/dev/null' EXIT
for i in 1 2 3; do
  rm -rf "/tmp/ci-load-$i" && git clone -q "$repo" "/tmp/ci-load-$i"
  git -C "/tmp/ci-load-$i" checkout -q "$commit"
  start=$(date +%s)
  (cd "/tmp/ci-load-$i" && bash .ci/run > "/tmp/ci-load-$i.log" 2>&1)
  rc=$?
  echo "run $i: exit $rc in $(($(date +%s) - start)) s; $(grep -E '^Tests:' "/tmp/ci-load-$i.log")"
  rm -rf "/tmp/ci-load-$i/node_modules" "/tmp/ci-load-$i/.tools"
done

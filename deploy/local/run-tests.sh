#!/usr/bin/env bash
# Run the test suite as several pytest processes side by side (one per area of the code), so
# that tests waiting on the broker and the databases overlap; then print every area's result
# and one closing line with the totals. Extra arguments go to every pytest.
set -u
cd "$(dirname "$0")/../.."
jobs="${TEST_JOBS:-3}"
logs="$(mktemp -d)"
areas=$(ls -d tests/*/ | sed 's#/$##')
printf '%s\n' $areas | xargs -P "$jobs" -I{} bash -c \
  '.venv/bin/pytest "$1" -p no:cacheprovider "${@:2}" > "$0/$(basename "$1").log" 2>&1; echo $? > "$0/$(basename "$1").rc"' \
  "$logs" {} "$@"
passed=0; failed=0; skipped=0; errors=0; status=0
for area in $areas; do
  name=$(basename "$area")
  rc=$(cat "$logs/$name.rc" 2>/dev/null || echo 1)
  summary=$(grep -E '^(=+ )?[0-9]+ (passed|failed|error)|no tests ran' "$logs/$name.log" | tail -n 1)
  echo "== $area: ${summary:-no summary} (exit $rc)"
  if [ "$rc" != "0" ] && [ "$rc" != "5" ]; then
    status=1
    grep -E '^(FAILED|ERROR) ' "$logs/$name.log" | head -n 50
    tail -n 60 "$logs/$name.log"
  fi
  for kind in passed failed skipped error; do
    n=$(echo "$summary" | grep -oE "[0-9]+ $kind" | grep -oE '^[0-9]+' || true)
    n=${n:-0}
    case $kind in passed) passed=$((passed + n));; failed) failed=$((failed + n));;
      skipped) skipped=$((skipped + n));; error) errors=$((errors + n));; esac
  done
done
rm -rf "$logs"
echo "$passed passed, $((failed + errors)) failed, $skipped skipped"
exit $status

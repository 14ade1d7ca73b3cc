#!/usr/bin/env bash
# The acceptance pass of `make test` (docs/testing.md): every TestAcceptance…
# test, without the race detector. It first links the test binary of each
# package that has such a test (found by name; there is no list to keep),
# so that no link (2-5 s of CPU each) shares the machine with a timing
# test, then runs ACCEPTANCE_P packages at a time, each with up to
# ACCEPTANCE_PARALLEL of its tests at a time (t.Parallel); the tests that
# need the CPU on time take the lock file $LOADPLAN_TEST_EXCLUSIVE
# (race.Exclusive) and run one at a time. Prints each package's output and
# an ok/FAIL line when it ends, as go test does; exits 1 if any failed.
set -uo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
P=${ACCEPTANCE_P:-6}
PARALLEL=${ACCEPTANCE_PARALLEL:-4}
RUN=${ACCEPTANCE_RUN:-^TestAcceptance} # e.g. '^TestAcceptanceJourney$' to run one
# ACCEPTANCE_STEP=link links the binaries and stops; ACCEPTANCE_STEP=run
# runs the binaries such a call linked (make test links them beside the
# race pass, which leaves a core mostly idle); empty: both.
STEP=${ACCEPTANCE_STEP:-}
# The binaries are linked without symbol table and DWARF (TEST_LDFLAGS,
# the Makefile's): a quicker link, the same stack traces.
dir=$PWD/bin/acceptance
export LOADPLAN_TEST_EXCLUSIVE=${LOADPLAN_TEST_EXCLUSIVE:-$dir/lock}
# The waiting tests take the lock shared (race.Waiting), so that a locked
# test never has them beside it; ACCEPTANCE_ALONE= (empty) lets them run
# beside it too.
if [ -n "${ACCEPTANCE_ALONE-1}" ]; then export LOADPLAN_TEST_ALONE=1; fi

pkgs=$(grep -rl --include='*_test.go' --exclude-dir=bin --exclude-dir=.git '^func TestAcceptance' . | xargs -n1 dirname | sort -u)
[ -n "$pkgs" ] || { echo "acceptance: no TestAcceptance tests found" >&2; exit 1; }
if [ "$STEP" != run ]; then
	rm -rf "$dir" && mkdir -p "$dir" || exit 1
	# shellcheck disable=SC2086
	"$GO" test -c -ldflags="${TEST_LDFLAGS--s -w}" -o "$dir/" $pkgs || exit 1
	[ "$STEP" != link ] || exit 0
fi

# one runs one package's binary in its directory (as go test does) and
# prints its output when it ends.
one() {
	local pkg=$1 bin start rc
	bin=$dir/$(basename "$pkg").test
	start=$(date +%s)
	(cd "$pkg" && "$bin" -test.paniconexit0 -test.count=1 -test.run "$RUN" -test.parallel "$PARALLEL" -test.timeout 20m) >"$dir/$(basename "$pkg").out" 2>&1
	rc=$?
	if [ $rc -eq 0 ]; then
		printf 'ok  \t%s\t%ds\n' "$pkg" $(($(date +%s) - start))
	else
		cat "$dir/$(basename "$pkg").out"
		printf 'FAIL\t%s\t%ds\n' "$pkg" $(($(date +%s) - start))
	fi
	return $rc
}
export -f one
export dir PARALLEL RUN
printf '%s\n' $pkgs | xargs -P "$P" -I{} bash -c 'one {}' || exit 1

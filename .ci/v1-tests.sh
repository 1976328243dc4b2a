#!/usr/bin/env bash
# Runs the test files of github.com/mdlayher/netlink v1.11.2 against this
# repository, through the compatibility module, from the root of a clone:
#
#	bash .ci/v1-tests.sh
#
# It copies compat/ to a temporary directory, replaces its own tests by
# v1's *_test.go files (root, nlenc, nltest), points
# github.com/netlinkgo/netlink at this repository and runs go test there.
# v1's internal test files (package netlink, nlenc, nltest) may use v1's
# unexported names, which the compatibility module has not got: those that
# do not compile for that reason are left out, each printed with the
# compiler's reason. A test file that does not compile for any other
# reason (an exported name missing or of another type) is an
# incompatibility and fails the run, as does any failing test.
#
# As root, each test binary runs in a new network namespace with only lo up
# (v1's integration tests open real sockets and create links); otherwise
# the tests run in the current namespace and those needing root skip.
# V1_TESTS_FLAGS adds go test flags, for example V1_TESTS_FLAGS='-run TestConn'.
set -euo pipefail

cd "$(dirname "$0")/.."
repo=$(pwd)
export PATH="$PATH:/usr/local/go/bin:/usr/local/sbin:/usr/sbin:/sbin"
export GOFLAGS=-mod=mod

V1=github.com/mdlayher/netlink@v1.11.2
PKGS=(. nlenc nltest)

v1dir=$(go mod download -json "$V1" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",*$/\1/p')
if [[ -z $v1dir || ! -d $v1dir ]]; then
	echo "go mod download $V1 gave no directory" >&2
	exit 1
fi
echo "v1 tests from $v1dir"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mod=$work/mod
cp -r compat "$mod"
for pkg in "${PKGS[@]}"; do
	rm -f "$mod/$pkg"/*_test.go
	cp "$v1dir/$pkg"/*_test.go "$mod/$pkg/"
done
chmod -R u+w "$mod"
(cd "$mod" && go mod edit -replace "github.com/netlinkgo/netlink=$repo" && go mod tidy)

# Leave out the test files that do not compile, one round per compile, until
# the tests compile. The compiler stops after ten errors, hence the rounds.
incompatible=0
for round in $(seq 1 20); do
	if errors=$(cd "$mod" && go test -count=1 -vet=off -run '^$' ./... 2>&1); then
		break
	fi
	# Lines such as "./align_test.go:12:3: undefined: nlmsgAlign", with the
	# path relative to the module or to the package.
	files=$(grep -oE '^[^ :]*_test\.go:[0-9]+:[0-9]+: .*' <<<"$errors" |
		sed -E 's#^\./##' | cut -d: -f1 | sort -u || true)
	if [[ -z $files ]]; then
		echo "the tests do not compile, and not because of a test file:"
		echo "$errors"
		exit 1
	fi
	for f in $files; do
		path=$(cd "$mod" && find . -path "*/$f" -o -path "./$f" | head -n 1)
		path=${path#./}
		reason=$(grep -m1 -E "(^|/)$(basename "$f"):[0-9]+:[0-9]+: " <<<"$errors" | cut -d: -f4- | sed 's/^ //')
		pkgclause=$(grep -m1 -E '^package ' "$mod/$path" | awk '{print $2}')
		# Internal test files may use v1's unexported names; anything else
		# is a difference in the exported API.
		if [[ $pkgclause != *_test ]] && ! grep -qE '(undefined: [A-Z]|has no field or method [A-Z]|cannot use|too many arguments|not enough arguments)' <<<"$reason"; then
			echo "left out $path (needs v1's unexported names): $reason"
		else
			echo "INCOMPATIBLE: $path does not compile: $reason"
			incompatible=1
		fi
		rm "$mod/$path"
	done
done

# run_wrapper runs a test binary in a new network namespace with lo up.
wrapper=$work/netns.sh
cat >"$wrapper" <<'EOF'
#!/bin/sh
exec unshare --net -- /bin/sh -c 'ip link set lo up && exec "$@"' netns "$@"
EOF
chmod +x "$wrapper"
execflag=()
if [[ $(id -u) == 0 ]]; then
	execflag=(-exec "$wrapper")
else
	echo "not root: running in the current network namespace; tests needing root will skip"
fi

log=$work/test.log
status=0
(cd "$mod" && go test -count=1 -vet=off -v "${execflag[@]}" ${V1_TESTS_FLAGS:-} ./...) >"$log" 2>&1 || status=$?
grep -E '^(ok|FAIL|panic:)' "$log" || true
pass=$(grep -cE '^ *--- PASS' "$log" || true)
fail=$(grep -cE '^ *--- FAIL' "$log" || true)
skip=$(grep -cE '^ *--- SKIP' "$log" || true)
if [[ $status -ne 0 ]]; then
	echo
	echo "failures:"
	grep -vE '^ *(=== (RUN|PAUSE|CONT|NAME)|--- (PASS|SKIP))' "$log" | grep -vE '^ *[a-z_]+\.go:[0-9]+: .*skip' || true
fi
echo
echo "v1 tests: passed $pass, failed $fail, skipped $skip"
grep -E -A1 '^ *--- SKIP' "$log" | grep -vE '^--$' || true
if [[ $status -ne 0 || $incompatible -ne 0 ]]; then
	echo "FAIL"
	exit 1
fi
echo "PASS"

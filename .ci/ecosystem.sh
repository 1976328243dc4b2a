#!/usr/bin/env bash
# Builds and runs the module in testdata/ecosystem, from the root of a clone,
# as root:
#
#	bash .ci/ecosystem.sh
#
# That module uses github.com/mdlayher/genetlink and
# github.com/jsimonetti/rtnetlink/v2 as published, with
# github.com/mdlayher/netlink replaced by compat/ (so by this repository).
# It vets it and runs its tests, which use the fakes genltest and nltest;
# then it runs its command in a new network namespace with lo up, which
# must list the generic netlink family nlctrl and the link lo. Any failure
# exits non-zero.
set -euo pipefail

cd "$(dirname "$0")/../testdata/ecosystem"
export PATH="$PATH:/usr/local/go/bin:/usr/local/sbin:/usr/sbin:/sbin"

echo "=== modules"
go list -m all | grep -E 'netlink|genetlink'

echo "=== go vet"
go vet ./...

echo "=== go test"
go test -count=1 -v ./... 2>&1 | grep -vE '^=== (RUN|PAUSE|CONT)'

echo "=== kernel, in a new network namespace"
if [[ $(id -u) != 0 ]]; then
	echo "must run as root to create a network namespace" >&2
	exit 1
fi
bin=$(mktemp)
trap 'rm -f "$bin"' EXIT
go build -o "$bin" .
out=$(unshare --net -- /bin/sh -c 'ip link set lo up && exec "$1"' netns "$bin")
echo "$out"
for want in "family nlctrl" "link lo"; do
	if ! grep -qxF "$want" <<<"$out"; then
		echo "FAIL: the output lacks \"$want\"" >&2
		exit 1
	fi
done
echo "PASS"

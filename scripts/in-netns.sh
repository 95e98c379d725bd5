#!/usr/bin/env bash
# Runs a command in a network namespace of its own (direct channels' browser tests, issue 16):
# loopback up for the whole system, and a veth pair 10.77.0.1/24 <-> 10.77.0.2/24 with a default
# route through it, because Chromium gathers no ICE candidate on loopback alone, nor on any
# interface when there is no default route. Nothing in the namespace reaches another machine: its
# only interfaces are loopback and the two ends of the pair. Needs root (unshare -n).
#   scripts/in-netns.sh <command> [args...]
set -euo pipefail
if [ "${OPENDESCENT_IN_NETNS:-}" != "1" ]; then
  exec unshare -n env OPENDESCENT_IN_NETNS=1 "$0" "$@"
fi
ip link set lo up
ip link add od-v0 type veth peer name od-v1
ip addr add 10.77.0.1/24 dev od-v0
ip addr add 10.77.0.2/24 dev od-v1
ip link set od-v0 up
ip link set od-v1 up
ip route add default via 10.77.0.2 dev od-v0
exec "$@"

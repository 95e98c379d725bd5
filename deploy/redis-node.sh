#!/bin/sh
# Starts one Redis data node of docker-compose.sentinel.yml (docs/operations.md §1): as a replica
# of the primary the sentinels name, or as the primary when they name this node and no other node
# holds data (the first start, or everything was lost anyway).
#
# Why: the data nodes keep nothing on disk, so a node restarted at once (restart: unless-stopped,
# or `docker compose restart`) comes back empty. Were it the primary, and back before the sentinels
# noticed it was gone, its replicas would copy its empty dataset and every queue would be lost.
# So a node the sentinels still name as primary while another node holds data waits, not
# answering, until they promote another, and then starts as its replica (while no sentinel
# answers it cannot tell, and waits).
#
#   REDIS_NODE       this node as the sentinels name it, host:port (redis:6379)
#   REDIS_NODES      every data node, host:port, space-separated
#   REDIS_SENTINELS  every sentinel, host:port, space-separated
#   REDIS_MASTER     the name the sentinels monitor (opendescent)
#   REDIS_FIRST      the primary the sentinels are told to monitor, host:port, taken while no
#                    sentinel answers (the first start: they start after it)
# Arguments: redis-server's options (the port is the one in REDIS_NODE).
set -eu

# The primary as the first sentinel that answers names it (host:port), or nothing.
named_primary() {
  for sentinel in $REDIS_SENTINELS; do
    answer=$(redis-cli -h "${sentinel%:*}" -p "${sentinel##*:}" --raw \
      SENTINEL GET-MASTER-ADDR-BY-NAME "$REDIS_MASTER" 2>/dev/null | tr '\n' ' ') || continue
    set -- $answer
    if [ $# -eq 2 ]; then
      echo "$1:$2"
      return
    fi
  done
}

# Whether another data node answers and holds at least one key.
other_holds_data() {
  for node in $REDIS_NODES; do
    [ "$node" = "$REDIS_NODE" ] && continue
    keys=$(redis-cli -h "${node%:*}" -p "${node##*:}" --raw DBSIZE 2>/dev/null) || continue
    [ "${keys:-0}" -gt 0 ] 2>/dev/null && return 0
  done
  return 1
}

port=${REDIS_NODE##*:}
primary=$(named_primary)
[ -n "$primary" ] || primary=$REDIS_FIRST
if [ "$primary" = "$REDIS_NODE" ] && other_holds_data; then
  echo "redis-node: the sentinels still name $REDIS_NODE primary and another node holds data: waiting for a failover"
  while primary=$(named_primary); [ -z "$primary" ] || [ "$primary" = "$REDIS_NODE" ]; do sleep 1; done
fi
if [ -n "$primary" ] && [ "$primary" != "$REDIS_NODE" ]; then
  echo "redis-node: starting as a replica of $primary"
  exec redis-server "$@" --port "$port" --replicaof "${primary%:*}" "${primary##*:}"
fi
echo "redis-node: starting as the primary"
exec redis-server "$@" --port "$port"

#!/usr/bin/env bash
# Drives respite replicas that share one Redis (or one Redis Cluster) and checks that they agree:
# once a replica serves a key from its cache, a write through any other replica, over RESP or the
# HTTP API, or straight to Redis, is what it reads once Redis's invalidation has reached it (within
# --await, 2s by default); then redis-benchmark through every replica at once, and each replica
# must have cached with Redis's invalidation. Used by the compose runners and by `make demo`.
#
#   scripts/coherence-check.sh --redis HOST:PORT --replica HOST:RESP_PORT:HTTP_PORT:ADMIN_PORT ...
#
#   --redis HOST:PORT   the upstream, for writes made behind the replicas' backs (redis-cli -c, so
#                       any node of a cluster will do)
#   --replica ...       a respite: its RESP port, its HTTP API (--http-port) and admin listener
#                       (--admin-port); give two or more
#   --requests N        redis-benchmark requests per test and replica (default 20000)
#   --ready-timeout S   how long to wait for every replica's /ready (default 60)
#   --await MS          how long a replica may serve the old value after a write (default 2000)
#   (--option=VALUE works as well as --option VALUE.)
#
# Needs bash, redis-cli, redis-benchmark and curl. Prints one line per check and a summary;
# exits 0 when every check passed, 1 otherwise, 2 on bad usage.
set -euo pipefail

usage() {
  sed -n '8,/^set -e/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//' >&2
  exit 2
}

redis=""
replicas=()
requests=20000
ready_timeout=60
await_ms=2000
while [ $# -gt 0 ]; do
  case "$1" in
    --*=*) set -- "${1%%=*}" "${1#*=}" "${@:2}"; continue ;;
    --redis) redis=${2:?--redis needs HOST:PORT}; shift 2 ;;
    --replica) replicas+=("${2:?--replica needs HOST:RESP_PORT:HTTP_PORT:ADMIN_PORT}"); shift 2 ;;
    --requests) requests=${2:?}; shift 2 ;;
    --ready-timeout) ready_timeout=${2:?}; shift 2 ;;
    --await) await_ms=${2:?}; shift 2 ;;
    -h | --help) usage ;;
    *) echo "coherence-check: unknown argument '$1'" >&2; usage ;;
  esac
done
[ -n "$redis" ] || { echo "coherence-check: --redis HOST:PORT is missing" >&2; usage; }
[ "${#replicas[@]}" -ge 2 ] || { echo "coherence-check: give two or more --replica" >&2; usage; }
for tool in redis-cli redis-benchmark curl; do
  command -v "$tool" >/dev/null 2>&1 || {
    echo "coherence-check: missing $tool (Debian: apt-get install redis-tools curl)" >&2
    exit 2
  }
done

redis_host=${redis%:*}
redis_port=${redis##*:}
declare -a host resp_port http_port admin_port
for i in "${!replicas[@]}"; do
  IFS=: read -r "host[i]" "resp_port[i]" "http_port[i]" "admin_port[i]" <<<"${replicas[i]}"
  [ -n "${admin_port[i]}" ] || { echo "coherence-check: bad --replica '${replicas[i]}'" >&2; usage; }
done
name() { echo "replica $(($1 + 1)) (${host[$1]}:${resp_port[$1]})"; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0
failed=0
ok() { passed=$((passed + 1)); echo "  ok    $*"; }
bad() { failed=$((failed + 1)); echo "  FAIL  $*"; }
now_ms() {
  local t=${EPOCHREALTIME//[.,]/}
  echo $((t / 1000))
}

# One request each; every function prints what it got, so that a failure can say it.
resp() { # replica, redis-cli arguments...
  local i=$1
  shift
  redis-cli -h "${host[i]}" -p "${resp_port[i]}" "$@" 2>&1 || true
}
http() { # method, replica, key[, body]: prints the status, then the body on the next line
  local code
  code=$(curl -sS -o "$work/body" -w '%{http_code}' -X "$1" ${4+--data-binary "$4"} \
    "http://${host[$2]}:${http_port[$2]}/keys/$3" 2>"$work/curl.err") || code="curl: $(head -1 "$work/curl.err")"
  echo "$code"
  cat "$work/body" 2>/dev/null || true
}
# read_via PROTO REPLICA KEY: the value, or <nil>, or what went wrong in angle brackets.
read_via() {
  local out
  case "$1" in
    resp)
      out=$(resp "$2" GET "$3")
      echo "${out:-<nil>}"
      ;;
    http)
      out=$(http GET "$2" "$3")
      case "${out%%$'\n'*}" in
        200) echo "${out#*$'\n'}" ;;
        404) echo "<nil>" ;;
        *) echo "<HTTP ${out%%$'\n'*}>" ;;
      esac
      ;;
  esac
}
# write_via PROTO REPLICA KEY VALUE (PROTO redis: straight to Redis); DEL when VALUE is empty.
# Prints nothing on success, else what was answered.
write_via() {
  local out
  case "$1:${4:+set}" in
    resp:set) out=$(resp "$2" SET "$3" "$4") && [ "$out" = OK ] && return ;;
    resp:) out=$(resp "$2" DEL "$3") && [ "$out" = 1 ] && return ;;
    http:set) out=$(http PUT "$2" "$3" "$4") && [[ ${out%%$'\n'*} == 20[14] ]] && return ;;
    http:) out=$(http DELETE "$2" "$3") && [ "${out%%$'\n'*}" = 204 ] && return ;;
    redis:set)
      out=$(redis-cli -c -h "$redis_host" -p "$redis_port" SET "$3" "$4" 2>&1) && [ "$out" = OK ] && return
      ;;
  esac
  echo "${out//$'\n'/ }"
}
# await_cached PROTO REPLICA KEY EXPECTED: polls until a read of EXPECTED comes from the replica's
# cache: its INFO's cache_hits grew across the read and cache_misses did not (the checks run one
# at a time, so nothing else reads meanwhile; an HTTP read is two lookups, the value and its
# content type, and both must hit). Prints the milliseconds it took, or what went wrong at the
# deadline (and fails).
await_cached() {
  local start got before after
  start=$(now_ms)
  while :; do
    before=$(lookups "$2")
    got=$(read_via "$1" "$2" "$3")
    after=$(lookups "$2")
    if [ "$got" = "$4" ] && [ "${after% *}" -gt "${before% *}" ] && [ "${after#* }" = "${before#* }" ]; then
      echo "$(($(now_ms) - start)) ms"
      return 0
    fi
    if [ $(($(now_ms) - start)) -ge "$await_ms" ]; then
      echo "the last read got '$got' with $((${after% *} - ${before% *})) cache hits and" \
        "$((${after#* } - ${before#* })) misses, after ${await_ms} ms"
      return 1
    fi
    sleep 0.02
  done
}
# lookups REPLICA: its cache's hits and misses so far, as "HITS MISSES".
lookups() {
  local info
  info=$(resp "$1" INFO respite | tr -d '\r')
  echo "$(sed -n 's/^cache_hits://p' <<<"$info" | grep . || echo 0)" \
    "$(sed -n 's/^cache_misses://p' <<<"$info" | grep . || echo 0)"
}
# await PROTO REPLICA KEY EXPECTED: polls until the replica reads EXPECTED; prints the milliseconds
# it took, or what it still read at the deadline (and fails).
await() {
  local start got
  start=$(now_ms)
  while :; do
    got=$(read_via "$1" "$2" "$3")
    if [ "$got" = "$4" ]; then
      echo "$(($(now_ms) - start)) ms"
      return 0
    fi
    if [ $(($(now_ms) - start)) -ge "$await_ms" ]; then
      echo "still '$got' after ${await_ms} ms"
      return 1
    fi
    sleep 0.02
  done
}

echo "coherence-check: ${#replicas[@]} replicas, upstream $redis"

echo "waiting for Redis and for every replica's /ready (up to ${ready_timeout}s)"
deadline=$(($(now_ms) + ready_timeout * 1000))
until [ "$(redis-cli -c -h "$redis_host" -p "$redis_port" PING 2>/dev/null)" = PONG ]; do
  [ "$(now_ms)" -lt "$deadline" ] || { bad "Redis at $redis does not answer PING"; break; }
  sleep 0.2
done
for i in "${!replicas[@]}"; do
  until answer=$(curl -sS -m 2 "http://${host[i]}:${admin_port[i]}/ready" 2>&1) && [ "$answer" = ready ]; do
    if [ "$(now_ms)" -ge "$deadline" ]; then
      bad "$(name "$i") not ready: ${answer//$'\n'/ }"
      break
    fi
    sleep 0.2
  done
done
if [ "$failed" -gt 0 ]; then
  echo "coherence-check: FAIL: not ready, nothing checked"
  exit 1
fi
ok "Redis and ${#replicas[@]} replicas ready"

prefix="respite-check:$(now_ms):$$"

echo "writes through one replica, reads through each other one (RESP and HTTP, every way round)"
# The reader caches v1, then must not keep serving it once v2 is written, nor once it is deleted.
for w in "${!replicas[@]}"; do
  for r in "${!replicas[@]}"; do
    [ "$w" != "$r" ] || continue
    for protos in resp:resp http:http resp:http http:resp; do
      wp=${protos%:*}
      rp=${protos#*:}
      key="$prefix:$wp-$rp:$w-$r"
      what="$wp write via $(name "$w"), $rp read via $(name "$r")"
      if out=$(write_via "$wp" "$w" "$key" v1) && [ -n "$out" ]; then
        bad "$what: SET answered '$out'"
        continue
      fi
      got=$(read_via "$rp" "$r" "$key")
      [ "$got" = v1 ] || { bad "$what: read '$got' after writing v1"; continue; }
      cached=$(await_cached "$rp" "$r" "$key" v1) || { bad "$what: v1 not served from the cache: $cached"; continue; }
      out=$(write_via "$wp" "$w" "$key" v2)
      [ -z "$out" ] || { bad "$what: second SET answered '$out'"; continue; }
      changed=$(await "$rp" "$r" "$key" v2) || { bad "$what: after the overwrite, $changed"; continue; }
      out=$(write_via "$wp" "$w" "$key" "")
      [ -z "$out" ] || { bad "$what: DEL answered '$out'"; continue; }
      deleted=$(await "$rp" "$r" "$key" "<nil>") || { bad "$what: after the delete, $deleted"; continue; }
      ok "$what: v1 cached after $cached, overwrite seen after $changed, delete after $deleted"
    done
  done
done

echo "a write straight to Redis, behind every replica's back"
key="$prefix:direct"
out=$(write_via redis - "$key" v1)
[ -z "$out" ] || bad "SET straight to Redis answered '$out'"
for i in "${!replicas[@]}"; do
  for p in resp http; do
    cached=$(await_cached "$p" "$i" "$key" v1) || bad "$p read via $(name "$i"): v1 not served from the cache: $cached"
  done
done
out=$(write_via redis - "$key" v2)
[ -z "$out" ] || bad "second SET straight to Redis answered '$out'"
for i in "${!replicas[@]}"; do
  for p in resp http; do
    if seen=$(await "$p" "$i" "$key" v2); then
      ok "$p read via $(name "$i") sees the direct write after $seen"
    else
      bad "$p read via $(name "$i"): after a direct write, $seen"
    fi
  done
done

echo "redis-benchmark through every replica at once ($requests requests per test, 20 clients, 1000 keys)"
for i in "${!replicas[@]}"; do
  redis-benchmark -h "${host[i]}" -p "${resp_port[i]}" -t set,get -n "$requests" -c 20 -r 1000 --csv \
    >"$work/bench.$i" 2>&1 &
  echo $! >"$work/bench.$i.pid"
done
for i in "${!replicas[@]}"; do
  status=0
  wait "$(cat "$work/bench.$i.pid")" || status=$?
  set_rps=$(awk -F'"' '$2 == "SET" { print int($4) }' "$work/bench.$i")
  get_rps=$(awk -F'"' '$2 == "GET" { print int($4) }' "$work/bench.$i")
  if [ "$status" = 0 ] && [ "${set_rps:-0}" -gt 0 ] && [ "${get_rps:-0}" -gt 0 ]; then
    ok "redis-benchmark via $(name "$i"): SET $set_rps requests/s, GET $get_rps requests/s"
  else
    bad "redis-benchmark via $(name "$i") (exit $status): $(tr '\n' ' ' <"$work/bench.$i" | cut -c1-300)"
  fi
done

echo "every replica cached (so the reads above did test its invalidation)"
for i in "${!replicas[@]}"; do
  info=$(resp "$i" INFO respite | tr -d '\r')
  caching=$(sed -n 's/^caching://p' <<<"$info")
  mode=$(sed -n 's/^coherence_mode://p' <<<"$info")
  hits=$(sed -n 's/^cache_hits://p' <<<"$info")
  invalidated=$(sed -n 's/^invalidation_keys://p' <<<"$info")
  if [ "$caching" = 1 ] && [ "${hits:-0}" -gt 0 ] && [ "${invalidated:-0}" -gt 0 ]; then
    ok "$(name "$i"): coherence $mode, $hits cache hits, $invalidated keys invalidated by Redis"
  else
    bad "$(name "$i"): caching '${caching:-?}', coherence '${mode:-?}', hits '${hits:-?}', invalidated keys '${invalidated:-?}'"
  fi
done

echo "coherence-check: $passed passed, $failed failed"
if [ "$failed" -eq 0 ]; then
  echo "coherence-check: PASS"
else
  echo "coherence-check: FAIL"
  exit 1
fi

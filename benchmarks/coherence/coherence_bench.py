#!/usr/bin/env python3
"""Coherence figures of respite replicas in front of one Redis (see benchmarks/README.md#coherence).

  lag        write on Redis -> every replica serving the new value, over N writes
  coldstart  upstream GETs per replica when every replica starts cold under concurrent readers

Talks RESP2 over plain sockets; the processes are started and stopped by coherence_bench.sh.
"""
import argparse
import random
import socket
import statistics
import threading
import time


class Conn:
    """One RESP2 connection: pipelined commands, replies read in order."""

    def __init__(self, port, host="127.0.0.1"):
        self.sock = socket.create_connection((host, port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""

    def send(self, *args):
        out = [b"*%d\r\n" % len(args)]
        for a in args:
            a = a if isinstance(a, bytes) else str(a).encode()
            out.append(b"$%d\r\n%s\r\n" % (len(a), a))
        self.sock.sendall(b"".join(out))

    def _line(self):
        while b"\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("closed")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def _exact(self, n):
        while len(self.buf) < n + 2:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("closed")
            self.buf += chunk
        data, self.buf = self.buf[:n], self.buf[n + 2:]
        return data

    def reply(self):
        line = self._line()
        kind, rest = line[:1], line[1:]
        if kind == b"$":
            n = int(rest)
            return None if n < 0 else self._exact(n)
        if kind == b"*":
            n = int(rest)
            return None if n < 0 else [self.reply() for _ in range(n)]
        if kind == b":":
            return int(rest)
        if kind == b"-":
            raise RuntimeError(rest.decode())
        return rest

    def call(self, *args):
        self.send(*args)
        return self.reply()


def get_calls(redis):
    for line in redis.call("INFO", "commandstats").decode().splitlines():
        if line.startswith("cmdstat_get:"):
            return int(line.split("calls=")[1].split(",")[0])
    return 0


def await_caching(redis, ports):
    """Until a key read twice through each replica costs Redis one GET: every replica caches."""
    redis.call("SET", "bench:probe", "1")
    for port in ports:
        c = Conn(port)
        deadline = time.time() + 30
        while True:
            c.call("GET", "bench:probe")
            before = get_calls(redis)
            c.call("GET", "bench:probe")
            if get_calls(redis) == before:
                break
            if time.time() > deadline:
                raise SystemExit("replica on port %d never started caching" % port)
            c.call("PING")
        c.sock.close()


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p / 100))]


def lag(args):
    redis = Conn(args.redis)
    replicas = [Conn(p) for p in args.replicas]
    await_caching(redis, args.replicas)
    keys = ["lag:%d" % i for i in range(args.keys)]
    for k in keys:
        redis.call("SET", k, "0")
    all_lags, per_replica, polls = [], [[] for _ in replicas], []
    for i in range(1, args.warmup + args.writes + 1):
        if i == args.warmup + 1:
            # The JIT has compiled the paths by now: measure from here.
            all_lags, per_replica, polls = [], [[] for _ in replicas], []
        key = keys[i % len(keys)]
        # Cached on every replica first: the next reads hit until the invalidation arrives.
        for r in replicas:
            r.call("GET", key)
            r.call("GET", key)
        value = str(i).encode()
        redis.call("SET", key, value)
        acked = time.perf_counter_ns()
        pending = set(range(len(replicas)))
        n = 0
        while pending:
            for j in pending:
                replicas[j].send("GET", key)
            now = None
            for j in sorted(pending):
                got = replicas[j].reply()
                now = time.perf_counter_ns()
                if got == value:
                    per_replica[j].append(now - acked)
                    pending = pending - {j}
            n += 1
        all_lags.append(now - acked)
        polls.append(n)
    us = lambda ns: ns / 1000
    print("invalidation lag over %d writes, %d replicas (write acknowledged -> served; microseconds)"
          % (args.writes, len(replicas)))
    print("  all replicas: p50 %.0f  p99 %.0f  max %.0f" % (us(pct(all_lags, 50)), us(pct(all_lags, 99)),
                                                            us(max(all_lags))))
    for j, lags in enumerate(per_replica):
        print("  replica %d:    p50 %.0f  p99 %.0f  max %.0f" % (j, us(pct(lags, 50)), us(pct(lags, 99)),
                                                               us(max(lags))))
    print("  polling rounds per write: median %d, max %d" % (statistics.median(polls), max(polls)))
    # The floor: one pipelined round of GET hits to every replica, nothing invalidated.
    floor = []
    for _ in range(3000):
        t = time.perf_counter_ns()
        for r in replicas:
            r.send("GET", keys[0])
        for r in replicas:
            r.reply()
        floor.append(time.perf_counter_ns() - t)
    print("  one polling round of hits (the measurement's resolution): p50 %.0f  p99 %.0f  max %.0f"
          % (us(pct(floor, 50)), us(pct(floor, 99)), us(max(floor))))


def coldstart(args):
    redis = Conn(args.redis)
    await_caching(redis, args.replicas)
    keys = ["hot:%d" % i for i in range(args.keys)]
    for k in keys:
        redis.call("SET", k, "v" * 100)
    # Cold: no replica has read a hot key yet.
    redis.call("CONFIG", "RESETSTAT")
    start = threading.Barrier(len(args.replicas) * args.clients)
    errors = []

    def reader(port, seed):
        try:
            c = Conn(port)
            order = keys[:]
            random.Random(seed).shuffle(order)
            start.wait()
            for _ in range(args.rounds):
                for k in order:
                    c.send("GET", k)
                for k in order:
                    c.reply()
            c.sock.close()
        except Exception as e:  # reported below
            errors.append(e)

    threads = [threading.Thread(target=reader, args=(p, n * 1000 + i))
               for n, p in enumerate(args.replicas) for i in range(args.clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise SystemExit("reader failed: %r" % errors[0])
    reads = get_calls(redis)
    reads_total = len(args.replicas) * args.clients * args.rounds * len(keys)
    print("cold start: %d replicas x %d clients, each reading %d hot keys %d times, pipelined, at once"
          % (len(args.replicas), args.clients, len(keys), args.rounds))
    print("  client GETs %d, upstream GETs %d, per replica %.1f (ideal %d)"
          % (reads_total, reads, reads / len(args.replicas), len(keys)))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["lag", "coldstart"])
    p.add_argument("--redis", type=int, required=True)
    p.add_argument("--replicas", type=lambda s: [int(x) for x in s.split(",")], required=True)
    p.add_argument("--writes", type=int, default=3000)
    p.add_argument("--warmup", type=int, default=1000)
    p.add_argument("--keys", type=int, default=100)
    p.add_argument("--clients", type=int, default=10)
    p.add_argument("--rounds", type=int, default=1)
    args = p.parse_args()
    lag(args) if args.mode == "lag" else coldstart(args)


if __name__ == "__main__":
    main()

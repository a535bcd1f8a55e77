#!/usr/bin/env python3
"""Warm restart against cold start: time until respite serves 90 % of reads from its cache.

For each mode (cold, warm) a respite process is started in front of one Redis holding KEYS keys;
once /ready is green, one client reads random keys (uniform over all KEYS, pipelined, paced at
RATE GETs a second, 0 for as fast as it can) and the hit ratio of every 200 ms window is read
from INFO respite. Reported: seconds from the process's start to /ready, and to the first window
at or above 90 % hits. "warm" first runs a respite that reads every key once and stops with
SIGTERM (writing --warm-file), then starts the measured one with the same file. See
benchmarks/README.md#warm-restart. Processes are stopped by PID.
"""
import argparse
import os
import random
import signal
import socket
import subprocess
import sys
import time
import urllib.request

WINDOW = 0.2
TARGET = 0.90


class Conn:
    """One RESP2 connection: pipelined commands, replies read in order."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""

    def send(self, *commands):
        out = []
        for args in commands:
            out.append(b"*%d\r\n" % len(args))
            for a in args:
                a = a if isinstance(a, bytes) else str(a).encode()
                out.append(b"$%d\r\n%s\r\n" % (len(a), a))
        self.sock.sendall(b"".join(out))

    def _fill(self, n):
        while len(self.buf) < n:
            chunk = self.sock.recv(1 << 20)
            if not chunk:
                raise ConnectionError("closed")
            self.buf += chunk

    def reply(self):
        while b"\r\n" not in self.buf:
            self._fill(len(self.buf) + 1)
        line, self.buf = self.buf.split(b"\r\n", 1)
        kind, rest = line[:1], line[1:]
        if kind == b"$":
            n = int(rest)
            if n < 0:
                return None
            self._fill(n + 2)
            data, self.buf = self.buf[:n], self.buf[n + 2:]
            return data
        if kind == b"-":
            raise RuntimeError(rest.decode())
        return rest

    def call(self, *args):
        self.send(args)
        return self.reply()


def info(conn):
    text = conn.call("INFO", "respite").decode()
    fields = dict(line.split(":", 1) for line in text.split("\r\n") if ":" in line)
    return int(fields["cache_hits"]), int(fields["cache_misses"])


def ready(admin_port):
    try:
        with urllib.request.urlopen("http://127.0.0.1:%d/ready" % admin_port, timeout=1) as r:
            return r.status == 200
    except Exception:
        return False


class Respite:
    def __init__(self, args, name):
        self.port, self.admin = args.port, args.port + 1
        cmd = ["java"] + args.java_flags.split() + ["-jar", args.jar, "--port", str(self.port),
               "--upstream", "redis://127.0.0.1:%d" % args.redis, "--admin-port", str(self.admin),
               "--warm-file", args.warm_file] + args.respite_args.split()
        self.log = open(os.path.join(args.work, name + ".log"), "w")
        self.start = time.monotonic()
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT)

    def await_ready(self):
        while not ready(self.admin):
            if self.proc.poll() is not None:
                sys.exit("respite exited: see its log")
            time.sleep(0.01)
        return time.monotonic() - self.start

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)  # by PID
        self.proc.wait(timeout=60)
        self.log.close()


def fill_redis(args):
    conn = Conn(args.redis)
    value = b"v" * args.value_bytes
    for start in range(0, args.keys, 1000):
        conn.send(*[("SET", "key:%d" % i, value) for i in range(start, min(start + 1000, args.keys))])
        for _ in range(start, min(start + 1000, args.keys)):
            conn.reply()


def read_all_once(args):
    conn = Conn(args.port)
    for start in range(0, args.keys, 1000):
        conn.send(*[("GET", "key:%d" % i) for i in range(start, min(start + 1000, args.keys))])
        for _ in range(start, min(start + 1000, args.keys)):
            conn.reply()


def measure(args, respite):
    """Seconds from start to /ready and to the first window at >= 90 % hits, under the paced load."""
    to_ready = respite.await_ready()
    load, stats = Conn(respite.port), Conn(respite.port)
    rng = random.Random(1)
    last = info(stats)
    window_end = time.monotonic() + WINDOW
    sent, load_start = 0, time.monotonic()
    while True:
        if args.rate:
            due = load_start + sent / args.rate
            delay = due - time.monotonic()
            if delay > 0:
                time.sleep(delay)
        load.send(*[("GET", "key:%d" % rng.randrange(args.keys)) for _ in range(args.batch)])
        for _ in range(args.batch):
            load.reply()
        sent += args.batch
        now = time.monotonic()
        if now >= window_end:
            hits, misses = info(stats)
            dh, dm = hits - last[0], misses - last[1]
            last = (hits, misses)
            window_end = now + WINDOW
            if dh + dm and dh / (dh + dm) >= TARGET:
                return to_ready, now - respite.start, sent
            if now - respite.start > args.timeout:
                return to_ready, float("nan"), sent


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--redis", type=int, required=True)
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--jar", required=True)
    p.add_argument("--work", required=True)
    p.add_argument("--java-flags", default="")
    p.add_argument("--respite-args", default="")
    p.add_argument("--keys", type=int, default=100_000)
    p.add_argument("--value-bytes", type=int, default=100)
    p.add_argument("--rate", type=int, default=10_000, help="client GETs a second, 0 for unpaced")
    p.add_argument("--batch", type=int, default=50)
    p.add_argument("--timeout", type=float, default=120)
    args = p.parse_args()
    args.warm_file = os.path.join(args.work, "respite.warm")
    fill_redis(args)

    cold = Respite(args, "cold")  # no warm file exists yet
    cold_ready, cold_90, cold_sent = measure(args, cold)
    cold.stop()
    os.remove(args.warm_file)  # the cold run's stop wrote one; the warm run writes its own

    first = Respite(args, "before-restart")
    first.await_ready()
    read_all_once(args)
    first.stop()
    warm = Respite(args, "warm")
    warm_ready, warm_90, warm_sent = measure(args, warm)
    warm.stop()
    done = [line for line in open(os.path.join(args.work, "warm.log")) if "warm-up" in line]

    print("keys=%d value=%dB client rate=%s GET/s" % (args.keys, args.value_bytes, args.rate or "unpaced"))
    print("mode  to /ready (s)  to 90 % hits (s)  client GETs until then")
    print("cold  %13.2f  %15.2f  %d" % (cold_ready, cold_90, cold_sent))
    print("warm  %13.2f  %15.2f  %d" % (warm_ready, warm_90, warm_sent))
    print("".join(done).rstrip())


if __name__ == "__main__":
    main()

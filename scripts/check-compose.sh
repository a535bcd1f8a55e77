#!/usr/bin/env bash
# make test: checks docker/ without a Docker engine (these machines have none).
#  - docker/compose.yml is valid for docker-compose, with and without the cluster profile;
#  - services without a profile depend only on services without one (else a plain `up` fails),
#    host ports are not published twice (both profiles may run at once), the runners' --redis and
#    --replica hosts are services of their own profile, every respite of the cluster profile has a
#    redis-cluster:// upstream made of that profile's services, and every build's Dockerfile exists;
#  - every docker/*Dockerfile: each COPY/ADD source exists and is not excluded by .dockerignore,
#    each --from names an earlier stage, a copied script is executable in git (COPY keeps the
#    mode), ENTRYPOINT and CMD are in exec form, the last stage runs as a user other than root,
#    and one that EXPOSEs ports has a HEALTHCHECK;
#  - every shell script in scripts/ and docker/ parses (bash -n).
# Needs docker-compose (v1 is enough; as root with apt-get, Debian's docker-compose package is
# installed when missing) and python3 with PyYAML (which docker-compose itself needs).
# Prints one line per problem and exits 1 when there is any.
set -euo pipefail
root=$(cd "${1:-$(dirname "$0")/..}" && pwd)
cd "$root"

if [ -n "${DOCKER_COMPOSE:-}" ]; then
  command -v "$DOCKER_COMPOSE" >/dev/null 2>&1 || { echo "DOCKER_COMPOSE=$DOCKER_COMPOSE is not a command" >&2; exit 1; }
  compose=$DOCKER_COMPOSE
elif command -v docker-compose >/dev/null 2>&1; then
  compose=docker-compose
else
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "docker-compose not found: installing Debian's docker-compose" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends docker-compose >/dev/null
  fi
  command -v docker-compose >/dev/null 2>&1 || {
    echo "missing docker-compose: install it (Debian: sudo apt-get install docker-compose) or set DOCKER_COMPOSE=/path/to/it" >&2
    exit 1
  }
  compose=docker-compose
fi

problems=0
for profile in "" cluster; do
  if ! out=$($compose -f docker/compose.yml ${profile:+--profile "$profile"} config -q 2>&1); then
    echo "docker/compose.yml${profile:+ (profile $profile)}: docker-compose config: ${out//$'\n'/ }"
    problems=$((problems + 1))
  fi
done
[ "$problems" = 0 ] || exit 1

for script in scripts/*.sh scripts/respite docker/healthcheck; do
  out=$(bash -n "$script" 2>&1) || { echo "$script: ${out//$'\n'/ }"; problems=$((problems + 1)); }
done

# The resolved file (anchors and merges applied) is what the checks below read.
$compose -f docker/compose.yml --profile cluster config >"${TMPDIR:-/tmp}/respite-compose.$$.yml"
trap 'rm -f "${TMPDIR:-/tmp}/respite-compose.$$.yml"' EXIT
python3 - "${TMPDIR:-/tmp}/respite-compose.$$.yml" <<'EOF' || problems=$((problems + 1))
import fnmatch, glob, json, os, re, shlex, subprocess, sys, yaml

problems = []
def problem(where, what):
    problems.append(f"{where}: {what}")

# --- docker/compose.yml
services = yaml.safe_load(open(sys.argv[1]))["services"]
profile = {name: tuple(s.get("profiles", ())) for name, s in services.items()}
published = {}
for name, s in services.items():
    where = f"docker/compose.yml: {name}"
    for dep in s.get("depends_on", {}):
        if dep not in services:
            problem(where, f"depends on {dep}, which is no service")
        elif not profile[name] and profile[dep]:
            problem(where, f"has no profile but depends on {dep} of profile {','.join(profile[dep])}")
    for port in s.get("ports", ()):
        host = str(port).rsplit(":", 1)[0] if isinstance(port, str) else f"{port.get('host_ip')}:{port.get('published')}"
        if host in published:
            problem(where, f"publishes {host}, as {published[host]} does")
        published[host] = name
    build = s.get("build")
    if build:
        dockerfile = os.path.relpath(os.path.join(build["context"], build.get("dockerfile", "Dockerfile")))
        if not os.path.isfile(dockerfile):
            problem(where, f"builds from {dockerfile}, which does not exist")
    same_profile = lambda host: host in services and profile[host] == profile[name]
    for arg in s.get("command") or ():
        m = re.fullmatch(r"--(redis|replica)=([^:]+):.*", str(arg))
        if m and not same_profile(m.group(2)):
            problem(where, f"{arg}: {m.group(2)} is no service of the same profile")
    upstream = (s.get("environment") or {}).get("RESPITE_UPSTREAM")
    if upstream and "cluster" in profile[name]:
        nodes = upstream.removeprefix("redis-cluster://").split(",")
        if not upstream.startswith("redis-cluster://"):
            problem(where, f"RESPITE_UPSTREAM {upstream} (expected: redis-cluster://host:port,...)")
            nodes = []
        for node in nodes:
            if not same_profile(node.split(":")[0]):
                problem(where, f"RESPITE_UPSTREAM names {node}, no service of the same profile")
if not any("cluster" in p for p in profile.values()):
    problem("docker/compose.yml", "no service of the cluster profile")

# --- Dockerfiles
ignored = [l.strip() for l in open(".dockerignore") if l.strip() and not l.startswith("#")]
def excluded(path):
    # .dockerignore's patterns, last match wins, a pattern excluding a directory excludes
    # everything in it; ** as in Docker (any number of directories).
    parts = path.split("/")
    verdict = False
    for pattern in ignored:
        negate = pattern.startswith("!")
        regex = fnmatch.translate(pattern.lstrip("!").strip("/")).replace(".*.*/", "(.*/)?")
        if any(re.fullmatch(regex, "/".join(parts[:n])) for n in range(1, len(parts) + 1)):
            verdict = not negate
    return verdict

tracked = {}
# Outside a git work tree (an exported source tree), the files' own modes.
for line in subprocess.run(["git", "ls-files", "-s"], capture_output=True, text=True).stdout.splitlines():
    mode, _, rest = line.partition(" ")
    tracked[rest.split("\t", 1)[1]] = mode

for dockerfile in sorted(glob.glob("docker/*Dockerfile*")):
    text = re.sub(r"\\\n", " ", open(dockerfile).read())
    lines = [l.strip() for l in text.splitlines() if l.strip() and not l.strip().startswith("#")]
    stages, last = [], {}
    for number, line in enumerate(lines):
        instruction, _, rest = line.partition(" ")
        instruction = instruction.upper()
        where = f"{dockerfile}: {instruction} {rest[:60]}"
        if instruction == "FROM":
            m = re.search(r"\bAS\s+(\S+)", rest, re.I)
            stages.append(m.group(1) if m else str(len(stages)))
            last = {}
        elif instruction in ("COPY", "ADD"):
            words = json.loads(rest) if rest.startswith("[") else shlex.split(rest)
            flags = [w for w in words if w.startswith("--")]
            args = [w for w in words if not w.startswith("--")]
            source_stage = next((f.split("=", 1)[1] for f in flags if f.startswith("--from=")), None)
            if source_stage is not None:
                if source_stage not in stages[:-1]:
                    problem(where, f"--from={source_stage} names no earlier stage")
                continue
            for source in args[:-1]:
                matches = glob.glob(source.rstrip("/"))
                if not matches:
                    problem(where, f"{source} does not exist in the build context (the repository root)")
                for match in matches:
                    if excluded(os.path.normpath(match)):
                        problem(where, f"{match} is excluded by .dockerignore")
                    mode = tracked.get(os.path.normpath(match))
                    runnable = mode == "100755" if mode else os.access(match, os.X_OK)
                    if os.path.isfile(match) and open(match, "rb").read(2) == b"#!" and not runnable:
                        problem(where, f"{match} is a script but not executable in git (COPY keeps the mode)")
        elif instruction in ("ENTRYPOINT", "CMD"):
            try:
                json.loads(rest)
            except ValueError:
                problem(where, "not in exec form: the shell would be PID 1 and keep SIGTERM from the process")
        last[instruction] = rest
    if not stages:
        problem(dockerfile, "no FROM")
    user = last.get("USER", "root").split(":")[0]
    if user in ("root", "0"):
        problem(dockerfile, "the last stage runs as root (expected: USER of an unprivileged user)")
    if "EXPOSE" in last and "HEALTHCHECK" not in last:
        problem(dockerfile, "the last stage EXPOSEs ports but has no HEALTHCHECK")

for line in problems:
    print(line)
sys.exit(1 if problems else 0)
EOF

if [ "$problems" = 0 ]; then
  echo "check-compose: docker/compose.yml (default and cluster profiles) and docker/*Dockerfile* are sound"
else
  exit 1
fi

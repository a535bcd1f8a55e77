# respite: the two commands are `make run` and `make test`; see README.md.
MVN ?= mvn
MVN_FLAGS ?= -B -ntp

.PHONY: run test build bench-jar format check-tools clean

## run: build, then start respite on port 6380 (PORT=...) in front of UPSTREAM=redis://... or,
##      without UPSTREAM, a redis-server of its own; Ctrl-C stops both
run: build
	./scripts/run.sh

## test: install what the tests need (redis-server; chromium and chromedriver for DashboardIT),
##       then build and run every test
test: check-tools
	./scripts/ensure-redis.sh
	./scripts/ensure-chromium.sh
	$(MVN) $(MVN_FLAGS) verify

## build: the jars, without tests
build: check-tools
	$(MVN) $(MVN_FLAGS) -DskipTests package

## format: rewrite the sources as the build's Spotless check wants them (palantir-java-format)
format: check-tools
	$(MVN) $(MVN_FLAGS) -q spotless:apply

## bench-jar: benchmarks/target/benchmarks.jar (JMH); see benchmarks/README.md
bench-jar: build

check-tools:
	@command -v java >/dev/null 2>&1 || { echo "missing java: install a JDK 17 or newer (Debian: apt-get install openjdk-17-jdk-headless)" >&2; exit 1; }
	@command -v $(MVN) >/dev/null 2>&1 || { echo "missing mvn: install Maven 3.8 or newer (Debian: apt-get install maven)" >&2; exit 1; }

clean:
	$(MVN) $(MVN_FLAGS) -q clean

# respite: the two commands are `make run` and `make test`; see README.md.
MVN ?= mvn
MVN_FLAGS ?= -B -ntp

JAR := proxy-core/target/respite.jar

.PHONY: run test build bench-jar format check-tools clean demo

## run: build, then start respite on port 6380 (PORT=...) in front of UPSTREAM=redis://... or,
##      without UPSTREAM, a redis-server of its own; Ctrl-C stops both
run: build
	./scripts/run.sh

## test: install what the tests need (redis-server; chromium and chromedriver for DashboardIT;
##       docker-compose), check docker/ without an engine, then build and run every test
test: check-tools
	./scripts/ensure-redis.sh
	./scripts/ensure-chromium.sh
	./scripts/check-compose.sh
	$(MVN) $(MVN_FLAGS) verify

## demo: docker/compose.yml's topology as local processes (a redis-server, three respites with
##       their HTTP API and admin listeners), checked by scripts/coherence-check.sh: PASS or FAIL,
##       then everything it started is stopped by PID
demo: check-tools $(JAR)
	./scripts/demo.sh

# The jar, rebuilt when a main source or a pom is newer (resp-codec's test-jar comes along: the
# reactor needs it).
$(JAR): $(shell find resp-codec/src/main proxy-core/src/main -type f) pom.xml resp-codec/pom.xml proxy-core/pom.xml | check-tools
	$(MVN) $(MVN_FLAGS) -q -DskipTests -pl proxy-core -am package

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

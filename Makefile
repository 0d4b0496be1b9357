# zkml proof service: the two commands are `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

JAVA_HOME := $(shell scripts/find-jdk.sh)
ifeq ($(JAVA_HOME),)
$(error no JDK 21 or newer found: install one and set JAVA_HOME (see README, Prerequisites))
endif
export JAVA_HOME
export PATH := $(JAVA_HOME)/bin:$(PATH)

MVN := ./mvnw -B -ntp
API_JAR := api/target/zkml-api.jar
BENCH_ARGS ?=
BENCH_SUITE ?= standard
BENCH_REPORT ?= bench-results/report

.PHONY: help build run test bench bench-report bench-load clean

help:
	@echo "make run    build what is missing, start the service on http://localhost:8080 (embedded PostgreSQL, a local anvil chain)"
	@echo "make test   build everything and run every test (Go, Java, contracts on anvil, snarkjs, the verifier page in headless Chromium)"
	@echo "make bench  benchmark the demo models, write bench-results/*.json"
	@echo "make bench-report  the benchmark suite (BENCH_SUITE=standard|quick): JSON, CSV, plots, bench-results/report/report.html"
	@echo "make bench-load  the service jar under load: latency, throughput, overhead vs gnark alone (docs/benchmarks.md)"
	@echo "make clean  remove build outputs (keeps the embedded database in .zkml/)"

build:
	$(MVN) -DskipTests install

# make run also starts a local chain (the pinned anvil of verifier-contracts/node_modules, state kept in
# .zkml/anvil/) with the registry and oracle deployed and the relayer on; addresses in .zkml/chain.json
# and GET /v1/chain. Without anvil it says so in one line and runs without a chain. RUN_CHAIN= turns it off.
RUN_CHAIN ?= --zkml.chain.enabled=true --zkml.chain.local-node.enabled=true --zkml.chain.local-node.optional=true \
  --zkml.chain.local-node.state-file=.zkml/anvil/state.json --zkml.chain.local-node.info-file=.zkml/chain.json

# The embedded PostgreSQL is not in the service's jar (ADR 0026): make run adds the module
# embedded-postgres to the classpath with Spring Boot's PropertiesLauncher.
DEV_LOADER_PATH := embedded-postgres/target/embedded-postgres.jar,embedded-postgres/target/lib

run: build
	java -Dloader.path=$(DEV_LOADER_PATH) -cp $(API_JAR) org.springframework.boot.loader.launch.PropertiesLauncher \
	  --zkml.mode=development $(RUN_CHAIN)

test:
	$(MVN) install

bench:
	$(MVN) -DskipTests install
	java -jar benchmarks/target/zkml-benchmarks.jar $(BENCH_ARGS)

bench-report:
	$(MVN) -DskipTests install
	java -jar benchmarks/target/zkml-benchmarks.jar --suite $(BENCH_SUITE) --report $(BENCH_REPORT) $(BENCH_ARGS)

# issue 9: the service jar under load (one client, a >= 1 s circuit, 20 clients x 10 proofs), JSON in bench-results/
bench-load:
	$(MVN) -DskipTests install
	java -cp "benchmarks/target/zkml-benchmarks.jar:benchmarks/target/lib/*" io.zkml.benchmarks.LoadBenchmark $(BENCH_ARGS)

clean:
	$(MVN) -q clean

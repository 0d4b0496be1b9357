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

.PHONY: help build run test bench bench-report clean

help:
	@echo "make run    build what is missing, start the service on http://localhost:8080 (embedded PostgreSQL)"
	@echo "make test   build everything and run every test (Go, Java, contracts on anvil, snarkjs, the verifier page in headless Chromium)"
	@echo "make bench  benchmark the demo models, write bench-results/*.json"
	@echo "make bench-report  the benchmark suite (BENCH_SUITE=standard|quick): JSON, CSV, plots, bench-results/report/report.html"
	@echo "make clean  remove build outputs (keeps the embedded database in .zkml/)"

build:
	$(MVN) -DskipTests install

run: build
	java -jar $(API_JAR) --zkml.mode=development

test:
	$(MVN) install

bench:
	$(MVN) -DskipTests install
	java -jar benchmarks/target/zkml-benchmarks.jar $(BENCH_ARGS)

bench-report:
	$(MVN) -DskipTests install
	java -jar benchmarks/target/zkml-benchmarks.jar --suite $(BENCH_SUITE) --report $(BENCH_REPORT) $(BENCH_ARGS)

clean:
	$(MVN) -q clean

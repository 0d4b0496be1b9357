package io.zkml.prover;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The golden IR files of testdata/golden/ir-v1, shared with the Go tests. */
record Golden(String name, byte[] ir, List<Case> cases, List<Invalid> invalid) {

    record Case(List<BigInteger> input, List<BigInteger> output) {
    }

    record Invalid(List<BigInteger> input, String error) {
    }

    static Path dir() {
        return Path.of(System.getProperty("zkml.golden.dir", "../testdata/golden/ir-v1"));
    }

    static List<Golden> all() {
        try (Stream<Path> files = Files.list(dir())) {
            List<Golden> out = new ArrayList<>();
            for (Path p : files.filter(f -> f.getFileName().toString().endsWith(".cases.json")).sorted().toList()) {
                out.add(read(p));
            }
            if (out.isEmpty()) {
                throw new IllegalStateException("no golden files in " + dir());
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Golden named(String irFile) {
        return all().stream().filter(g -> g.name().equals(irFile)).findFirst().orElseThrow();
    }

    private static Golden read(Path casesFile) throws IOException {
        JsonNode root = JsonMapper.builder().build().readTree(Files.readString(casesFile));
        String irFile = root.get("ir").asString();
        List<Case> cases = new ArrayList<>();
        for (JsonNode c : root.get("cases")) {
            cases.add(new Case(ints(c.get("input")), ints(c.get("output"))));
        }
        List<Invalid> invalid = new ArrayList<>();
        for (JsonNode c : root.get("invalid")) {
            invalid.add(new Invalid(ints(c.get("input")), c.get("error").asString()));
        }
        return new Golden(irFile, Files.readAllBytes(dir().resolve(irFile)), cases, invalid);
    }

    private static List<BigInteger> ints(JsonNode arr) {
        List<BigInteger> out = new ArrayList<>();
        for (JsonNode n : arr) {
            out.add(new BigInteger(n.asString()));
        }
        return out;
    }

    @Override
    public String toString() {
        return name;
    }
}

package io.zkml.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/** Writes a {@link BenchReport} as indented JSON (record components in declaration order). */
public final class ResultWriter {

    private static final JsonMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    private ResultWriter() {
    }

    /** The JSON text of a report. */
    public static String toJson(BenchReport report) {
        return JSON.writeValueAsString(report) + "\n";
    }

    /** Writes the report to {@code file}, creating its folder; the file is replaced atomically where possible. */
    public static void write(BenchReport report, Path file) throws IOException {
        Path abs = file.toAbsolutePath();
        Files.createDirectories(abs.getParent());
        Path tmp = abs.resolveSibling(abs.getFileName() + ".tmp");
        Files.writeString(tmp, toJson(report));
        Files.move(tmp, abs, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
}

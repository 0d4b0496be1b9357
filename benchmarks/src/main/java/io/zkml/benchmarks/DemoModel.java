package io.zkml.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

import io.zkml.compiler.QuantizationSettings;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * One demo of the model zoo: {@code examples/<name>/model.tribuo}, with the optional
 * {@code quantization.json} (compile settings, the shape of {@link QuantizationSettings}) and
 * {@code input.json} ({@code {"input": [...]}} in feature order).
 *
 * @param name the folder name ({@code synthetic-<n>} for a {@link SyntheticModels synthetic} model)
 * @param source where the model came from: its folder, or {@code synthetic}
 * @param modelBytes the Tribuo protobuf model
 * @param modelSha256 lowercase hex SHA-256 of {@code modelBytes}
 * @param settings {@code quantization.json}, or {@link QuantizationSettings#defaults()} without one
 * @param settingsSource {@code quantization.json}, {@code defaults}, or {@code synthetic} (ranges [-1, 1])
 * @param input {@code input.json}'s input, or null without one
 */
public record DemoModel(String name, String source, byte[] modelBytes, String modelSha256, QuantizationSettings settings,
                        String settingsSource, double[] input) {

    static final String MODEL_FILE = "model.tribuo";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** Every folder of {@code examplesDir} with a {@code model.tribuo}, by name. */
    public static List<DemoModel> discover(Path examplesDir) throws IOException {
        if (!Files.isDirectory(examplesDir)) {
            throw new IOException("no examples folder at " + examplesDir.toAbsolutePath()
                    + " (run from the repository root or pass --examples DIR)");
        }
        List<DemoModel> out = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(examplesDir)) {
            for (Path d : dirs.sorted().toList()) {
                if (Files.isRegularFile(d.resolve(MODEL_FILE))) {
                    out.add(load(d));
                }
            }
        }
        return out;
    }

    /** Loads one demo folder. */
    public static DemoModel load(Path dir) throws IOException {
        byte[] model = Files.readAllBytes(dir.resolve(MODEL_FILE));
        QuantizationSettings settings = QuantizationSettings.defaults();
        String settingsSource = "defaults";
        Path q = dir.resolve("quantization.json");
        if (Files.isRegularFile(q)) {
            try {
                settings = JSON.readValue(q.toFile(), QuantizationSettings.class);
            } catch (JacksonException e) {
                throw new IOException(q + " is not valid quantization settings: " + e.getOriginalMessage(), e);
            }
            settingsSource = "quantization.json";
        }
        double[] input = null;
        Path in = dir.resolve("input.json");
        if (Files.isRegularFile(in)) {
            try {
                JsonNode n = JSON.readTree(in.toFile()).get("input");
                if (n == null || !n.isArray()) {
                    throw new IOException(in + " must be {\"input\": [numbers in feature order]}");
                }
                input = new double[n.size()];
                for (int i = 0; i < n.size(); i++) {
                    if (!n.get(i).isNumber()) {
                        throw new IOException(in + ": input[" + i + "] is not a number");
                    }
                    input[i] = n.get(i).asDouble();
                }
            } catch (JacksonException e) {
                throw new IOException(in + " is not valid JSON: " + e.getOriginalMessage(), e);
            }
        }
        return new DemoModel(dir.getFileName().toString(), dir.toString(), model, sha256(model), settings, settingsSource, input);
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

package io.zkml.cli;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import io.zkml.compiler.CircuitCompiler;
import io.zkml.compiler.FeatureRange;
import io.zkml.compiler.QuantizationSettings;
import io.zkml.compiler.SettingsJson;
import io.zkml.compiler.ir.CircuitIr;
import io.zkml.compiler.ir.IrWriter;
import io.zkml.prover.Groth16Prover;
import io.zkml.prover.NativeVersions;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The named files of a circuit folder (like EZKL's), and reading and writing them. Every JSON file
 * the CLI writes carries a {@code versions} object; the binary artifacts ({@code circuit.cs},
 * {@code pk.bin}, {@code vk.bin}) carry the native library's versioned header (docs/native-abi.md).
 */
final class Artifacts {

    static final String SETTINGS = "settings.json";
    static final String IR = "circuit.ir.json";
    static final String CS = "circuit.cs";
    static final String REPORT = "report.json";
    static final String PK = "pk.bin";
    static final String VK = "vk.bin";
    static final String SETUP = "setup.json";
    static final String INPUT = "input.json";
    static final String PROOF = "proof.json";

    static final JsonMapper JSON = JsonMapper.builder()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private Artifacts() {
    }

    static byte[] read(Path file, String what) {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw CliException.badInput(what + " " + file + " does not exist");
        } catch (IOException e) {
            throw CliException.badInput("cannot read " + what + " " + file + ": " + e.getMessage(), e);
        }
    }

    static void requireFile(Path file, String what) {
        if (!Files.isRegularFile(file)) {
            throw CliException.badInput(what + " " + file + " does not exist");
        }
    }

    static JsonNode readJson(Path file, String what) {
        return parseJson(read(file, what), what + " " + file);
    }

    static JsonNode parseJson(byte[] bytes, String where) {
        try {
            JsonNode n = JSON.readTree(bytes);
            if (n == null || n.isMissingNode()) {
                throw CliException.badInput(where + " is empty");
            }
            return n;
        } catch (JacksonException e) {
            throw CliException.badInput(where + " is not valid JSON: " + firstLine(e.getOriginalMessage()), e);
        }
    }

    static void write(Path file, byte[] bytes) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            // a fresh name (created exclusively, never through a link), removed if anything fails
            Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), "." + file.getFileName() + ".", ".tmp");
            try {
                Files.write(tmp, bytes);
                Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw CliException.badInput("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    static void writeJson(Path file, JsonNode n) {
        write(file, (JSON.writeValueAsString(n) + "\n").getBytes(StandardCharsets.UTF_8));
    }

    static Path outputDir(Path dir) {
        try {
            Files.createDirectories(dir);
            return dir;
        } catch (IOException e) {
            throw CliException.badInput("cannot create folder " + dir + ": " + e.getMessage(), e);
        }
    }

    static String sha256(byte[] bytes) {
        return IrWriter.sha256Hex(bytes);
    }

    static String sha256(Path file, String what) {
        return sha256(read(file, what));
    }

    /**
     * The versions of the code that made an artifact: compiler, IR version and, when the native
     * library is loaded, gnark, ABI, curve and Go (the shape of the service's {@code versions}).
     */
    static ObjectNode versions(Groth16Prover prover) {
        ObjectNode v = JSON.createObjectNode();
        v.put("compiler", CircuitCompiler.version());
        v.put("irVersion", CircuitIr.VERSION);
        if (prover != null) {
            NativeVersions n = prover.versions();
            v.put("gnark", n.gnarkVersion());
            v.put("abi", n.abiVersion());
            v.put("curve", n.curve());
            v.put("go", n.goVersion());
        }
        return v;
    }

    static Groth16Prover prover() {
        try {
            return Groth16Prover.load();
        } catch (UnsatisfiedLinkError e) {
            throw new CliException(Zkml.INTERNAL, "cannot load the native prover library: " + e.getMessage(), e);
        }
    }

    /**
     * Quantization settings from a file: the shape of {@code examples/*}/quantization.json
     * ({@code inputScale}, {@code weightScale}, {@code inputRanges: [{min, max}]}, {@code sampleInputs};
     * every key optional, null = the compiler chooses), or a {@code settings.json} written by
     * {@code zkml compile} (its {@code quantization} object).
     */
    static QuantizationSettings readSettings(Path file) {
        JsonNode n = readJson(file, "settings file");
        return settings(n.has("quantization") && n.has("versions") ? n.get("quantization") : n, "settings file " + file);
    }

    static QuantizationSettings settings(JsonNode n, String where) {
        try {
            return SettingsJson.read(n, null);
        } catch (IllegalArgumentException e) {
            throw CliException.badInput(where + ": " + e.getMessage(), e);
        }
    }

    /** The settings as JSON, in the shape {@link #settings} reads. */
    static ObjectNode settingsJson(QuantizationSettings s) {
        ObjectNode n = JSON.createObjectNode();
        if (s.inputScale() == null) {
            n.putNull("inputScale");
        } else {
            n.put("inputScale", s.inputScale());
        }
        if (s.weightScale() == null) {
            n.putNull("weightScale");
        } else {
            n.put("weightScale", s.weightScale());
        }
        if (s.inputRanges() == null) {
            n.putNull("inputRanges");
        } else {
            ArrayNode a = n.putArray("inputRanges");
            for (FeatureRange r : s.inputRanges()) {
                a.addObject().put("min", r.min()).put("max", r.max());
            }
        }
        if (s.sampleInputs() == null) {
            n.putNull("sampleInputs");
        } else {
            ArrayNode a = n.putArray("sampleInputs");
            for (double[] row : s.sampleInputs()) {
                ArrayNode ra = a.addArray();
                Arrays.stream(row).forEach(ra::add);
            }
        }
        return n;
    }

    static double[] numbers(JsonNode a, String where) {
        if (a == null || !a.isArray()) {
            throw CliException.badInput(where + " must be an array of numbers");
        }
        double[] v = new double[a.size()];
        for (int i = 0; i < a.size(); i++) {
            if (!a.get(i).isNumber()) {
                throw CliException.badInput(where + "[" + i + "] must be a number, got " + untrusted(String.valueOf(a.get(i))));
            }
            v[i] = a.get(i).asDouble();
        }
        return v;
    }

    /** Decimal strings from a JSON array (public inputs, field elements). */
    static List<BigInteger> decimals(JsonNode a, String where) {
        if (a == null || !a.isArray()) {
            throw CliException.badInput(where + " must be an array of decimal strings");
        }
        List<BigInteger> out = new ArrayList<>(a.size());
        for (int i = 0; i < a.size(); i++) {
            JsonNode e = a.get(i);
            String text = e.isString() ? e.stringValue() : e.isIntegralNumber() ? e.bigIntegerValue().toString() : null;
            if (text == null || !text.matches("-?[0-9]+")) {
                throw CliException.badInput(where + "[" + i + "] must be a decimal integer, got " + untrusted(String.valueOf(e)));
            }
            out.add(new BigInteger(text));
        }
        return out;
    }

    /**
     * A proof and its public inputs read from files.
     *
     * @param source what to name in messages (the proof file)
     */
    record ProofFile(byte[] proof, List<BigInteger> publicInputs, String source) {
    }

    /**
     * {@code proof} (0x-hex of the 256-byte proof) and {@code publicInputs} from {@code proof.json} of
     * {@code zkml prove} or a service inference's JSON; the public inputs from {@code publicFile}
     * instead when it is not null.
     */
    static ProofFile readProof(Path proof, Path publicFile) {
        JsonNode p = readJson(proof, "proof file");
        if (!p.isObject() || !p.path("proof").isString()) {
            throw CliException.badInput("proof file " + proof + " has no \"proof\" (0x-hex of the 256-byte proof)");
        }
        List<BigInteger> pub = publicFile == null
                ? decimals(p.get("publicInputs"), "proof file " + proof + ": publicInputs")
                : readPublicInputs(publicFile);
        return new ProofFile(proofBytes(p.get("proof").asString()), pub, proof.toString());
    }

    /** Public inputs from a file: a JSON array of decimal strings, or an object with {@code publicInputs}. */
    static List<BigInteger> readPublicInputs(Path file) {
        JsonNode j = readJson(file, "public inputs file");
        return decimals(j.isObject() ? j.get("publicInputs") : j, "public inputs file " + file);
    }

    /** The proof bytes from (0x-)hex. */
    static byte[] proofBytes(String s) {
        String h = s.startsWith("0x") || s.startsWith("0X") ? s.substring(2) : s;
        try {
            return java.util.HexFormat.of().parseHex(h);
        } catch (IllegalArgumentException e) {
            throw CliException.badInput("the proof is not hex: " + firstLine(e.getMessage()));
        }
    }

    /**
     * The JSON header of a native artifact file (docs/native-abi.md, "Artifact files"): magic
     * {@code ZKMLART1}, a big-endian uint32 length, the JSON header. Reading it here only shows what
     * the file says about itself (kind, versions, circuit hash); the native library checks it again.
     */
    static JsonNode artifactHeader(byte[] file, String where) {
        byte[] magic = "ZKMLART1".getBytes(StandardCharsets.US_ASCII);
        if (file.length < 12 || !Arrays.equals(Arrays.copyOf(file, 8), magic)) {
            throw CliException.badInput(where + " is not a zkml artifact file (no ZKMLART1 header)");
        }
        long n = Integer.toUnsignedLong(ByteBuffer.wrap(file, 8, 4).getInt());
        if (n < 1 || n > 4096 || 12 + n > file.length) {
            throw CliException.badInput(where + " has a corrupt artifact header");
        }
        return parseJson(Arrays.copyOfRange(file, 12, (int) (12 + n)), where + " (artifact header)");
    }

    static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int i = s.indexOf('\n');
        return printable((i < 0 ? s : s.substring(0, i)).strip(), Integer.MAX_VALUE);
    }

    /** The most characters of untrusted text (a service's answer, a file's content) one error line shows. */
    static final int MAX_QUOTED = 300;

    /**
     * Text from outside (a fetched document, an exception about it) made safe for one terminal line:
     * control characters (escape sequences, carriage returns, line breaks) become {@code ?}, and it is
     * cut to {@value #MAX_QUOTED} characters.
     */
    static String untrusted(String s) {
        return printable(s, MAX_QUOTED);
    }

    private static String printable(String s, int max) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(Math.min(s.length(), max));
        for (int i = 0; i < s.length() && b.length() < max; i++) {
            char c = s.charAt(i);
            b.append(Character.isISOControl(c) || c == '\u2028' || c == '\u2029' ? '?' : c);
        }
        if (s.length() > max) {
            b.append("...");
        }
        return b.toString();
    }
}

package io.zkml.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;

import io.zkml.compiler.QuantizationSettings;
import io.zkml.prover.ConstraintSystem;
import io.zkml.prover.Groth16Prover;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;

@Command(name = "reproduce", mixinStandardHelpOptions = true, versionProvider = Zkml.Versions.class,
        description = {"Recompile a model with its settings from scratch and compare with a published circuit: "
                + "the IR bytes and their SHA-256 (the circuit hash), and optionally the constraint-system file.",
                "Compare with exactly one of: --ir FILE (a published circuit.ir.json), --circuit-hash HEX, or "
                + "--service URL --circuit ID (GET /v1/circuits/{id} and /v1/circuits/{id}/ir; the circuit's published "
                + "settings are used when --settings is not given).",
                "The circuit name is part of the IR: it defaults to the name in the published IR (--ir, --service), "
                + "else to the model file name without extension.",
                "Exits 0 if identical, 1 with the first difference (a JSON path) otherwise. The same model, settings "
                + "and compiler version give the same bytes on any machine (docs/reproducibility.md)."})
final class ReproduceCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "FILE", description = "the model file")
    Path model;

    @Option(names = "--format", defaultValue = "tribuo", paramLabel = "FORMAT", description = "the model format (default: ${DEFAULT-VALUE})")
    String format;

    @Option(names = "--settings", paramLabel = "FILE", description = "quantization settings (as for compile); "
            + "required unless --service gives the circuit's settings")
    Path settings;

    @Option(names = "--name", paramLabel = "NAME", description = "the circuit name (default: see above)")
    String name;

    @Option(names = "--ir", paramLabel = "FILE", description = "the published IR to compare with")
    Path ir;

    @Option(names = "--circuit-hash", paramLabel = "HEX", description = "the published circuit hash (SHA-256 of the IR)")
    String circuitHash;

    @Option(names = "--service", paramLabel = "URL", description = "a zkml service publishing the circuit (with --circuit)")
    String service;

    @Option(names = "--api-key", paramLabel = "KEY", defaultValue = "${env:ZKML_API_KEY}",
            description = "with --service: the API key sent as Authorization: Bearer (default: $ZKML_API_KEY)")
    String apiKey;

    @Option(names = "--circuit", paramLabel = "ID", description = "the circuit id on --service")
    String circuit;

    @Option(names = "--range-check", paramLabel = "bits|lookup", description = "how the circuit range-checks (issue 7; "
            + "default: what the published IR or the service's circuit says, else bits)")
    String rangeCheck;

    @Option(names = "--cs", paramLabel = "FILE", description = "also compare the constraint-system file (circuit.cs) "
            + "compiled from the reproduced IR with this one, byte for byte")
    Path cs;

    @Override
    public Integer call() {
        int sources = (ir != null ? 1 : 0) + (circuitHash != null ? 1 : 0) + (service != null || circuit != null ? 1 : 0);
        if (sources != 1) {
            throw CliException.usage("give exactly one of --ir FILE, --circuit-hash HEX, --service URL --circuit ID");
        }
        if ((service == null) != (circuit == null)) {
            throw CliException.usage("--service and --circuit go together");
        }
        if (circuitHash != null && !circuitHash.matches("[0-9a-fA-F]{64}")) {
            throw CliException.usage("--circuit-hash must be 64 hex digits, got \"" + circuitHash + "\"");
        }
        byte[] published = null;
        String publishedHash;
        String where;
        QuantizationSettings s = settings == null ? null : Artifacts.readSettings(settings);
        if (ir != null) {
            published = Artifacts.read(ir, "published IR");
            publishedHash = Artifacts.sha256(published);
            where = ir.toString();
        } else if (circuitHash != null) {
            publishedHash = circuitHash.toLowerCase(java.util.Locale.ROOT);
            where = "circuit hash " + publishedHash;
        } else {
            ServiceClient client = new ServiceClient(service, apiKey);
            JsonNode c = client.getJson("/v1/circuits/" + ServiceClient.segment(circuit, "--circuit"));
            publishedHash = Artifacts.untrusted(c.path("circuitHash").asString(""));
            published = client.get("/v1/circuits/" + circuit + "/ir");
            if (!Artifacts.sha256(published).equals(publishedHash)) {
                throw CliException.badInput("the service's IR of circuit " + circuit + " hashes to " + Artifacts.sha256(published)
                        + ", not to its published circuitHash " + publishedHash);
            }
            if (s == null) {
                s = Artifacts.settings(c.get("settings"), "the settings of circuit " + circuit);
            }
            where = client.base() + "/v1/circuits/" + circuit;
        }
        if (s == null) {
            throw CliException.usage("--settings FILE is needed (the quantization settings the circuit was compiled with)");
        }
        JsonNode publishedTree = published == null ? null : Artifacts.parseJson(published, "the published IR " + where);
        String circuitName = name != null ? name
                : publishedTree != null && publishedTree.path("name").isString() ? publishedTree.get("name").asString()
                : ModelCompilation.defaultName(model);

        ModelCompilation.Result r = ModelCompilation.compile(model, format, s, circuitName);
        if (rangeCheck != null && !rangeCheck.equals("bits") && !rangeCheck.equals("lookup")) {
            throw CliException.usage("--range-check must be bits or lookup, got \"" + rangeCheck + "\"");
        }
        boolean lookup = rangeCheck != null ? rangeCheck.equals("lookup")
                : publishedTree != null && "lookup".equals(publishedTree.path("range_check").asString(""));
        io.zkml.compiler.CompiledCircuit reproduced = r.circuit();
        if (lookup) {
            try {
                reproduced = reproduced.withRangeCheckLookup(); // "range_check": "lookup", as the compile job writes it
            } catch (io.zkml.compiler.ir.IrValidationException e) {
                throw new CliException(Zkml.INTERNAL, "the reproduced IR with range_check is invalid: " + e.getMessage());
            }
        }
        byte[] mine = reproduced.irJson();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (!reproduced.circuitHash().equals(publishedHash)) {
            String diff = "";
            if (publishedTree != null) {
                String d = JsonDiff.first(Artifacts.parseJson(mine, "the reproduced IR"), publishedTree);
                diff = d == null ? "; same JSON, different bytes (formatting or key order)" : "; first difference at " + d;
            }
            err.println("zkml: not reproduced: circuit hash " + reproduced.circuitHash() + ", published " + publishedHash
                    + " (" + where + ")" + diff);
            return Zkml.INVALID;
        }
        if (published != null && !Arrays.equals(mine, published)) {
            throw new CliException(Zkml.INTERNAL, "equal hashes of different bytes");
        }
        String csNote = "";
        if (cs != null) {
            byte[] theirs = Artifacts.read(cs, "constraint system");
            Groth16Prover prover = Artifacts.prover();
            byte[] ours;
            try (ConstraintSystem c = prover.compile(mine)) {
                Path tmp = tempFile();
                try {
                    c.writeTo(tmp);
                    ours = Artifacts.read(tmp, "constraint system");
                } finally {
                    tmp.toFile().delete();
                }
            }
            if (!Arrays.equals(ours, theirs)) {
                err.println("zkml: not reproduced: the IR is identical (circuit hash " + publishedHash + ") but the constraint "
                        + "system hashes to " + Artifacts.sha256(ours) + ", " + cs + " to " + Artifacts.sha256(theirs)
                        + " (another gnark or ABI version? compare the headers: head -c 300 " + cs + ")");
                return Zkml.INVALID;
            }
            csNote = ", constraint system sha256 " + Artifacts.sha256(ours);
        }
        out.println("reproduced: circuit hash " + publishedHash + " (" + mine.length + " IR bytes" + csNote + ") from "
                + model + " with compiler " + io.zkml.compiler.CircuitCompiler.version() + ", matches " + where);
        return Zkml.OK;
    }

    private static Path tempFile() {
        try {
            return Files.createTempFile("zkml-reproduce-", ".cs");
        } catch (java.io.IOException e) {
            throw new CliException(Zkml.INTERNAL, "cannot create a temporary file: " + e.getMessage(), e);
        }
    }
}

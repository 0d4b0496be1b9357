package io.zkml.cli;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

import io.zkml.compiler.CompiledCircuit;
import io.zkml.compiler.QuantizationSettings;
import io.zkml.prover.ConstraintSystem;
import io.zkml.prover.Groth16Prover;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import tools.jackson.databind.node.ObjectNode;

@Command(name = "compile", mixinStandardHelpOptions = true, versionProvider = Zkml.Versions.class,
        description = {"Compile a model into a circuit: import the model, quantize it, write the IR, compile the "
                + "R1CS constraint system and a report.",
                "Writes into --out: settings.json (the settings used, the model's SHA-256, versions), circuit.ir.json "
                + "(the IR; its SHA-256 is the circuit hash), circuit.cs (the constraint system, versioned header) and "
                + "report.json (constraints, constraints per op, public inputs, quantization, circuit hash, versions)."})
final class CompileCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "FILE", description = "the model file (Tribuo protobuf format)")
    Path model;

    @Option(names = "--format", defaultValue = "tribuo", paramLabel = "FORMAT", description = "the model format (default: ${DEFAULT-VALUE})")
    String format;

    @Option(names = "--settings", paramLabel = "FILE", description = {
            "quantization settings: the shape of examples/*/quantization.json (inputScale, weightScale, "
                    + "inputRanges [{min, max}], sampleInputs; null = the compiler chooses), or a settings.json "
                    + "written by compile; default: every choice left to the compiler"})
    Path settings;

    @Option(names = "--name", paramLabel = "NAME", description = "the circuit name recorded in the IR (default: the model file name without extension)")
    String name;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "the output folder (created if missing; files in it are replaced)")
    Path out;

    @Override
    public Integer call() {
        QuantizationSettings s = settings == null ? QuantizationSettings.defaults() : Artifacts.readSettings(settings);
        String circuitName = name == null ? ModelCompilation.defaultName(model) : name;
        ModelCompilation.Result r = ModelCompilation.compile(model, format, s, circuitName);
        CompiledCircuit c = r.circuit();
        Groth16Prover prover = Artifacts.prover();
        Path dir = Artifacts.outputDir(out);
        byte[] ir = c.irJson();
        Artifacts.write(dir.resolve(Artifacts.IR), ir);
        try (ConstraintSystem cs = prover.compile(ir)) {
            if (!cs.circuitSha256().equals(c.circuitHash())) {
                throw new CliException(Zkml.INTERNAL, "the native library hashes the IR to " + cs.circuitSha256()
                        + ", the compiler to " + c.circuitHash());
            }
            cs.writeTo(dir.resolve(Artifacts.CS));
            String csSha = Artifacts.sha256(dir.resolve(Artifacts.CS), "constraint system");

            ObjectNode settingsJson = Artifacts.JSON.createObjectNode();
            settingsJson.put("name", circuitName);
            settingsJson.put("format", format);
            settingsJson.put("modelSha256", r.modelSha256());
            settingsJson.put("modelClass", r.model().modelClass());
            settingsJson.set("quantization", Artifacts.settingsJson(s));
            settingsJson.set("versions", Artifacts.versions(prover));
            Artifacts.writeJson(dir.resolve(Artifacts.SETTINGS), settingsJson);

            ObjectNode report = Artifacts.JSON.createObjectNode();
            report.put("name", circuitName);
            report.put("task", c.ir().task());
            report.put("circuitHash", c.circuitHash());
            report.put("constraintSystemSha256", csSha);
            report.put("constraints", cs.constraints());
            ObjectNode byOp = report.putObject("constraintsByOp");
            for (Map.Entry<String, Integer> e : cs.constraintsByOp().entrySet()) {
                byOp.put(e.getKey(), e.getValue());
            }
            report.put("publicInputs", cs.publicInputs());
            report.put("inputSize", cs.inputSize());
            report.put("outputSize", cs.outputSize());
            report.set("features", Artifacts.JSON.valueToTree(c.features()));
            report.set("outputs", Artifacts.JSON.valueToTree(c.outputs()));
            report.set("quantization", Artifacts.JSON.valueToTree(c.quantization()));
            report.put("modelSha256", r.modelSha256());
            report.set("versions", Artifacts.versions(prover));
            Artifacts.writeJson(dir.resolve(Artifacts.REPORT), report);

            spec.commandLine().getOut().printf("compiled %s: %d constraints, %d public inputs, circuit hash %s%n"
                            + "wrote %s, %s, %s, %s in %s%n", circuitName, cs.constraints(), cs.publicInputs(), c.circuitHash(),
                    Artifacts.SETTINGS, Artifacts.IR, Artifacts.CS, Artifacts.REPORT, dir);
        }
        return Zkml.OK;
    }
}

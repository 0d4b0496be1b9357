package io.zkml.cli;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.LinkedHashMap;
import java.util.concurrent.Callable;

import io.zkml.compiler.CircuitOutput;
import io.zkml.compiler.CompiledCircuit;
import io.zkml.compiler.InputValidationException;
import io.zkml.compiler.Inputs;
import io.zkml.compiler.ir.IrValidationException;
import io.zkml.prover.ConstraintSystem;
import io.zkml.prover.Groth16Prover;
import io.zkml.prover.Proof;
import io.zkml.prover.ProvingKey;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

@Command(name = "prove", mixinStandardHelpOptions = true, versionProvider = Zkml.Versions.class,
        description = {"Prove one prediction: reads circuit.ir.json, circuit.cs and pk.bin from --dir and an input file, "
                + "quantizes the input, evaluates the circuit with the Java reference, proves with gnark and checks that "
                + "both agree bit for bit.",
                "The input file is {\"input\": [numbers in feature order]} or {\"input\": {\"feature\": number, ...}} "
                + "(every feature once). Writes input.json (the input, as an array) and proof.json (proof hex, public "
                + "inputs, outputs, calldata, circuit hash, versions) into --dir, or the proof to --out."})
final class ProveCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--dir", required = true, paramLabel = "DIR", description = "the circuit folder (after compile and setup)")
    Path dir;

    @Option(names = "--input", required = true, paramLabel = "FILE", description = "the input file")
    Path input;

    @Option(names = "--out", paramLabel = "FILE", description = "where to write the proof (default: DIR/proof.json)")
    Path out;

    @Override
    public Integer call() throws Exception {
        byte[] ir = Artifacts.read(dir.resolve(Artifacts.IR), "IR");
        CompiledCircuit circuit;
        try {
            circuit = CompiledCircuit.fromIr(ir);
        } catch (IrValidationException e) {
            throw CliException.badInput("IR " + dir.resolve(Artifacts.IR) + " is invalid: " + Artifacts.firstLine(e.getMessage()), e);
        }
        double[] values = inputValues(Artifacts.readJson(input, "input file"), circuit.features(), "input file " + input);
        List<BigInteger> q;
        try {
            q = circuit.quantizeInput(values);
        } catch (InputValidationException e) {
            throw CliException.badInput("input file " + input + ": " + Artifacts.firstLine(e.getMessage()), e);
        }
        List<BigInteger> expected = circuit.evaluate(q);
        List<BigInteger> expectedPublic = circuit.publicInputs(q);

        Artifacts.requireFile(dir.resolve(Artifacts.CS), "constraint system");
        Artifacts.requireFile(dir.resolve(Artifacts.PK), "proving key (run zkml setup first)");
        Groth16Prover prover = Artifacts.prover();
        Proof proof;
        try (ConstraintSystem cs = prover.loadConstraintSystem(ir, dir.resolve(Artifacts.CS));
             ProvingKey pk = prover.loadProvingKey(dir.resolve(Artifacts.PK))) {
            proof = prover.prove(cs, pk, q);
        }
        if (!proof.outputs().equals(expected)) {
            throw new CliException(Zkml.INTERNAL, "the circuit computed " + proof.outputs() + ", the Java reference "
                    + expected + ": a bug, please report it");
        }
        if (!proof.publicInputs().equals(expectedPublic.stream().map(BigInteger::toString).toList())) {
            throw new CliException(Zkml.INTERNAL, "the public inputs of the proof differ from the Java reference's");
        }
        CircuitOutput output = circuit.dequantize(expected);

        ObjectNode inputJson = Artifacts.JSON.createObjectNode();
        ArrayNode in = inputJson.putArray("input");
        for (double v : values) {
            in.add(v);
        }
        Path inputOut = dir.resolve(Artifacts.INPUT);
        if (!Files.exists(inputOut) || !Files.isSameFile(inputOut, input)) {
            Artifacts.writeJson(inputOut, inputJson);
        }

        ObjectNode n = Artifacts.JSON.createObjectNode();
        n.put("circuitHash", circuit.circuitHash());
        if (Files.isRegularFile(dir.resolve(Artifacts.VK))) {
            n.put("verifyingKeySha256", Artifacts.sha256(dir.resolve(Artifacts.VK), "verifying key"));
        }
        n.set("input", in.deepCopy());
        n.set("quantizedInput", strings(q));
        n.set("outputs", strings(expected));
        n.set("output", Artifacts.JSON.valueToTree(output));
        n.set("publicInputs", Artifacts.JSON.valueToTree(proof.publicInputs()));
        n.put("proof", proof.proofHex());
        n.put("calldata", proof.calldataHex());
        n.putObject("timings").put("witnessMillis", proof.witnessMillis()).put("proveMillis", proof.proveMillis());
        n.set("versions", Artifacts.versions(prover));
        Path proofOut = out == null ? dir.resolve(Artifacts.PROOF) : out;
        Artifacts.writeJson(proofOut, n);
        spec.commandLine().getOut().printf("proved %s: output %s (%d public inputs, %d ms)%nwrote %s%n",
                output.label() != null ? output.label() : output.values(), outputsText(expected),
                proof.publicInputs().size(), proof.witnessMillis() + proof.proveMillis(), proofOut);
        return Zkml.OK;
    }

    private static String outputsText(List<BigInteger> outputs) {
        return outputs.toString();
    }

    private static ArrayNode strings(List<BigInteger> values) {
        ArrayNode a = Artifacts.JSON.createArrayNode();
        values.forEach(v -> a.add(v.toString()));
        return a;
    }

    /**
     * The input values in feature order, from {@code {"input": [...]}} or {@code {"input": {name: value}}}
     * (the two forms the service's POST /v1/circuits/{id}/inferences takes).
     */
    static double[] inputValues(JsonNode doc, List<String> features, String where) {
        JsonNode input = doc.get("input");
        if (input == null) {
            throw CliException.badInput(where + " has no \"input\" (expected {\"input\": [...]} or {\"input\": {\"feature\": value}})");
        }
        if (input.isArray()) {
            return Artifacts.numbers(input, where + ": input");
        }
        if (!input.isObject()) {
            throw CliException.badInput(where + ": input must be an array or an object, got " + input.getNodeType());
        }
        Map<String, JsonNode> byName = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : input.properties()) {
            byName.put(e.getKey(), e.getValue());
        }
        List<JsonNode> ordered;
        try {
            ordered = Inputs.byName(features, byName);
        } catch (Inputs.FeatureNamesException e) {
            throw CliException.badInput(where + ": " + e.getMessage(), e);
        }
        double[] v = new double[ordered.size()];
        for (int i = 0; i < v.length; i++) {
            JsonNode e = ordered.get(i);
            if (!e.isNumber()) {
                throw CliException.badInput(where + ": input." + features.get(i) + " must be a number, got " + e);
            }
            v[i] = e.asDouble();
        }
        return v;
    }
}

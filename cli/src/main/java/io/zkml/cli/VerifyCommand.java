package io.zkml.cli;

import java.math.BigInteger;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;

import io.zkml.prover.ErrorCode;
import io.zkml.prover.Groth16Prover;
import io.zkml.prover.NativeProverException;
import io.zkml.prover.VerifyingKey;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

@Command(name = "verify", mixinStandardHelpOptions = true, versionProvider = Zkml.Versions.class,
        description = {"Verify a Groth16 proof locally, with only the verifying key, the proof and the public inputs: "
                + "no service, no model, no proving key.",
                "Files: --vk vk.bin --proof proof.json (proof.json of zkml prove, or the JSON of a service inference: "
                + "\"proof\" hex and \"publicInputs\"); --public FILE takes the public inputs from another file "
                + "(a JSON array of decimal strings, or an object with \"publicInputs\").",
                "From a service: --service URL --inference ID fetches the inference's proof and public inputs and the "
                + "circuit's verifyingKeyHash once, then verifies locally. The service does not serve verifying-key files, "
                + "so --vk is still needed; its SHA-256 must equal the circuit's published verifyingKeyHash.",
                "Prints 'valid' and exits 0, or exits 1 if the proof does not verify."})
final class VerifyCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--vk", paramLabel = "FILE", description = "the verifying key (vk.bin of zkml setup)")
    Path vk;

    @Option(names = "--proof", paramLabel = "FILE", description = "the proof: proof.json of zkml prove, or a service inference's JSON")
    Path proof;

    @Option(names = "--public", paramLabel = "FILE", description = "public inputs (decimal field elements, verifier order) replacing those of --proof")
    Path publicInputs;

    @Option(names = "--service", paramLabel = "URL", description = "a zkml service, e.g. http://localhost:8080 (with --inference)")
    String service;

    @Option(names = "--inference", paramLabel = "ID", description = "the inference to fetch from --service")
    String inference;

    @Option(names = "--save", paramLabel = "FILE", description = "with --service: also write what was fetched as a proof.json, to verify again offline")
    Path save;

    @Override
    public Integer call() {
        String proofHex;
        List<BigInteger> pub;
        String source;
        if (service != null || inference != null) {
            if (service == null || inference == null) {
                throw CliException.usage("--service and --inference go together");
            }
            if (proof != null) {
                throw CliException.usage("--proof and --service are alternatives");
            }
            ServiceClient client = new ServiceClient(service);
            JsonNode inf = client.getJson("/v1/inferences/" + inference);
            String status = inf.path("status").asString("");
            if (!"succeeded".equals(status)) {
                throw CliException.badInput("inference " + inference + " is " + (status.isEmpty() ? "of unknown status" : status)
                        + ", not succeeded: there is no proof to verify");
            }
            String circuitId = inf.path("circuitId").asString("");
            JsonNode circuit = client.getJson("/v1/circuits/" + circuitId);
            String vkHash = circuit.path("verifyingKeyHash").asString("");
            if (vk == null) {
                throw CliException.usage("the service does not serve verifying keys (there is no GET /v1/circuits/{id}/verifying-key); "
                        + "pass --vk FILE with the key of circuit " + circuitId + " (verifyingKeyHash " + vkHash + ")");
            }
            String localHash = Artifacts.sha256(vk, "verifying key");
            if (!localHash.equals(vkHash)) {
                spec.commandLine().getErr().println("zkml: verification failed: the verifying key " + vk + " (sha256 " + localHash
                        + ") is not the key of circuit " + circuitId + " (verifyingKeyHash " + vkHash + ")");
                return Zkml.INVALID;
            }
            proofHex = inf.path("proof").asString("");
            pub = Artifacts.decimals(inf.get("publicInputs"), "inference " + inference + ": publicInputs");
            source = client.base() + "/v1/inferences/" + inference;
            if (save != null) {
                ObjectNode n = Artifacts.JSON.createObjectNode();
                n.put("source", source);
                n.put("inferenceId", inference);
                n.put("circuitId", circuitId);
                n.put("circuitHash", circuit.path("circuitHash").asString(""));
                n.put("verifyingKeySha256", vkHash);
                n.set("output", inf.get("output"));
                n.set("publicInputs", inf.get("publicInputs"));
                n.put("proof", proofHex);
                n.set("versions", circuit.get("versions"));
                Artifacts.writeJson(save, n);
            }
        } else {
            if (vk == null || proof == null) {
                throw CliException.usage("give --vk FILE and --proof FILE (or --service URL --inference ID)");
            }
            JsonNode p = Artifacts.readJson(proof, "proof file");
            if (!p.isObject() || !p.path("proof").isString()) {
                throw CliException.badInput("proof file " + proof + " has no \"proof\" (0x-hex of the 256-byte proof)");
            }
            proofHex = p.get("proof").asString();
            source = proof.toString();
            if (publicInputs == null) {
                pub = Artifacts.decimals(p.get("publicInputs"), "proof file " + proof + ": publicInputs");
            } else {
                JsonNode j = Artifacts.readJson(publicInputs, "public inputs file");
                pub = Artifacts.decimals(j.isObject() ? j.get("publicInputs") : j, "public inputs file " + publicInputs);
            }
        }
        if (publicInputs != null && service != null) {
            JsonNode j = Artifacts.readJson(publicInputs, "public inputs file");
            pub = Artifacts.decimals(j.isObject() ? j.get("publicInputs") : j, "public inputs file " + publicInputs);
        }
        byte[] proofBytes = hex(proofHex);
        JsonNode header = Artifacts.artifactHeader(Artifacts.read(vk, "verifying key"), "verifying key " + vk);
        if (!"groth16-verifying-key".equals(header.path("kind").asString(""))) {
            throw CliException.badInput("verifying key " + vk + " is a " + header.path("kind").asString("?") + " file, not a verifying key");
        }
        Groth16Prover prover = Artifacts.prover();
        boolean valid;
        try (VerifyingKey key = prover.loadVerifyingKey(vk)) {
            valid = prover.verify(key, proofBytes, pub);
        } catch (NativeProverException e) {
            if (e.errorCode() == ErrorCode.MALFORMED_PROOF) {
                spec.commandLine().getErr().println("zkml: verification failed: malformed proof or public input: "
                        + Artifacts.firstLine(e.getMessage()));
                return Zkml.INVALID;
            }
            throw e;
        }
        String circuitHash = header.path("circuitSha256").asString("?");
        if (!valid) {
            spec.commandLine().getErr().println("zkml: verification failed: the proof from " + source
                    + " is not valid for these " + pub.size() + " public inputs and circuit " + circuitHash);
            return Zkml.INVALID;
        }
        spec.commandLine().getOut().println("valid: the proof from " + source + " verifies for circuit " + circuitHash
                + " with " + pub.size() + " public inputs");
        return Zkml.OK;
    }

    private static byte[] hex(String s) {
        String h = s.startsWith("0x") || s.startsWith("0X") ? s.substring(2) : s;
        try {
            return HexFormat.of().parseHex(h);
        } catch (IllegalArgumentException e) {
            throw CliException.badInput("the proof is not hex: " + Artifacts.firstLine(e.getMessage()));
        }
    }
}

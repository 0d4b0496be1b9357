package io.zkml.cli;

import java.math.BigInteger;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

import io.zkml.prover.ErrorCode;
import io.zkml.prover.Groth16Prover;
import io.zkml.prover.NativeProverException;
import io.zkml.prover.VerifyingKey;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
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
                "From a service: --service URL --inference ID fetches the inference's proof and public inputs, the "
                + "circuit's verifyingKeyHash and (without --vk) the verifying-key file (GET /v1/circuits/{id}/verifying-key) "
                + "once, then verifies locally. The key, fetched or given with --vk, must hash (SHA-256) to the circuit's "
                + "published verifyingKeyHash, else verification fails (exit 1).",
                "Prints 'valid' and exits 0, or exits 1 if the proof does not verify."})
final class VerifyCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--vk", paramLabel = "FILE", description = "the verifying key (vk.bin of zkml setup); with --service, "
            + "default: fetched from the service")
    Path vk;

    /** --proof, --public, --service, --inference. */
    @Mixin
    ProofSourceOptions from;

    @Option(names = "--save", paramLabel = "FILE", description = "with --service: also write what was fetched as a proof.json, to verify again offline")
    Path save;

    @Option(names = "--save-vk", paramLabel = "FILE", description = "with --service and no --vk: also write the fetched verifying key, to verify again offline")
    Path saveVk;

    @Override
    public Integer call() throws java.io.IOException {
        if (from.service != null || from.inference != null) {
            if (from.service == null || from.inference == null) {
                throw CliException.usage("--service and --inference go together");
            }
            if (from.proof != null) {
                throw CliException.usage("--proof and --service are alternatives");
            }
            if (saveVk != null && vk != null) {
                throw CliException.usage("--save-vk writes a fetched key: it does not go with --vk");
            }
            return fromService();
        }
        if (save != null || saveVk != null) {
            throw CliException.usage("--save and --save-vk go with --service");
        }
        if (vk == null || from.proof == null) {
            throw CliException.usage("give --vk FILE and --proof FILE (or --service URL --inference ID)");
        }
        Artifacts.ProofFile p = Artifacts.readProof(from.proof, from.publicInputs);
        return verify(vk, p.proof(), p.publicInputs(), p.source());
    }

    private int fromService() throws java.io.IOException {
        ServiceClient client = new ServiceClient(from.service, from.apiKey);
        ServiceClient.Published pub = client.published(from.inference, null);
        String circuitId = pub.circuitId();
        String vkHash = pub.verifyingKeyHash();
        Path key = vk;
        Path fetched = null;
        try {
            if (key == null) {
                byte[] bytes = client.get("/v1/circuits/" + circuitId + "/verifying-key");
                fetched = java.nio.file.Files.createTempFile("zkml-vk-", ".bin");
                java.nio.file.Files.write(fetched, bytes);
                key = fetched;
            }
            String localHash = Artifacts.sha256(key, "verifying key");
            if (!localHash.equals(vkHash)) {
                spec.commandLine().getErr().println("zkml: verification failed: the verifying key "
                        + (fetched != null ? "served by " + client.base() + "/v1/circuits/" + circuitId + "/verifying-key" : key.toString())
                        + " (sha256 " + localHash + ") is not the key of circuit " + circuitId + " (verifyingKeyHash " + vkHash + ")");
                return Zkml.INVALID;
            }
            String proofHex = pub.inference().path("proof").asString("");
            List<BigInteger> inputs = from.publicInputs != null ? Artifacts.readPublicInputs(from.publicInputs)
                    : Artifacts.decimals(pub.inference().get("publicInputs"), "inference " + from.inference + ": publicInputs");
            if (save != null) {
                ObjectNode n = Artifacts.JSON.createObjectNode();
                n.put("source", pub.source());
                n.put("inferenceId", from.inference);
                n.put("circuitId", circuitId);
                n.put("circuitHash", pub.circuit().path("circuitHash").asString(""));
                n.put("verifyingKeySha256", vkHash);
                n.set("output", pub.inference().get("output"));
                n.set("publicInputs", pub.inference().get("publicInputs"));
                n.put("proof", proofHex);
                n.set("versions", pub.circuit().get("versions"));
                Artifacts.writeJson(save, n);
            }
            if (saveVk != null) {
                Artifacts.write(saveVk, Artifacts.read(key, "verifying key"));
            }
            return verify(key, Artifacts.proofBytes(proofHex), inputs, pub.source());
        } finally {
            if (fetched != null) {
                java.nio.file.Files.deleteIfExists(fetched);
            }
        }
    }

    private int verify(Path vkFile, byte[] proofBytes, List<BigInteger> pub, String source) {
        JsonNode header = Artifacts.artifactHeader(Artifacts.read(vkFile, "verifying key"), "verifying key " + vkFile);
        if (!"groth16-verifying-key".equals(header.path("kind").asString(""))) {
            throw CliException.badInput("verifying key " + vkFile + " is a " + header.path("kind").asString("?") + " file, not a verifying key");
        }
        Groth16Prover prover = Artifacts.prover();
        boolean valid;
        try (VerifyingKey key = prover.loadVerifyingKey(vkFile)) {
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
}

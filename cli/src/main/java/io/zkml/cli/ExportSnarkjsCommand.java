package io.zkml.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;

import io.zkml.prover.Groth16Prover;
import io.zkml.prover.SnarkjsExport;
import io.zkml.prover.SnarkjsUnsupportedException;
import io.zkml.prover.VerifyingKey;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;

@Command(name = "snarkjs", mixinStandardHelpOptions = true, versionProvider = Zkml.Versions.class,
        description = {"Write a proof as snarkjs's verification_key.json, proof.json and public.json, for "
                + "`snarkjs groth16 verify verification_key.json public.json proof.json` (snarkjs "
                + SnarkjsExport.SNARKJS_VERSION + "; the mapping from gnark is in docs/snarkjs.md).",
                "Files: --vk vk.bin --proof proof.json (proof.json of zkml prove, or a service inference's JSON); "
                + "--public FILE takes the public inputs from another file.",
                "From a service: --service URL --inference ID [--circuit ID] fetches, once, "
                + "GET /v1/inferences/{id} (proof, publicInputs) and the verifying-key file GET /v1/circuits/{id}/verifying-key, "
                + "which must hash (SHA-256) to the circuit's published verifyingKeyHash (else exit 1), and converts them here.",
                "The three files are written only when all three could be made (into a temporary folder inside --out, then moved); "
                + "an --out holding a proof.json that is not snarkjs's (e.g. the circuit folder of zkml prove) is refused. "
                + "A circuit whose proofs snarkjs cannot check (a key with Pedersen commitments, or not Groth16 over BN254) "
                + "is one line on stderr and exit 5, with nothing written."})
final class ExportSnarkjsCommand implements Callable<Integer> {

    /** What converts a key file, proof and public inputs (tests replace it to provoke an unsupported key). */
    interface Exporter {
        SnarkjsExport.Files export(Groth16Prover prover, VerifyingKey vk, byte[] proof, List<String> publicInputs);
    }

    static volatile Exporter exporter = SnarkjsExport::export;

    @Spec
    CommandSpec spec;

    @Option(names = "--vk", paramLabel = "FILE", description = "the verifying key (vk.bin of zkml setup)")
    Path vk;

    /** --proof, --public, --service, --inference. */
    @Mixin
    ProofSourceOptions from;

    @Option(names = "--circuit", paramLabel = "ID", description = "with --service: the circuit the inference must belong to (default: the inference's)")
    String circuit;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "the folder for the three files (created if missing; "
            + "existing files of these names are replaced)")
    Path out;

    @Override
    public Integer call() throws IOException {
        Path existing = out.resolve(SnarkjsExport.Files.PROOF);
        if (Files.isRegularFile(existing)) {
            JsonNode n;
            try {
                n = Artifacts.JSON.readTree(Files.readAllBytes(existing));
            } catch (RuntimeException e) {
                n = null;
            }
            if (n == null || !n.has("pi_a")) {
                throw CliException.usage(existing + " exists and is not a snarkjs proof (a zkml proof.json?); "
                        + "choose another --out, the snarkjs files would replace it");
            }
        }
        SnarkjsExport.Files files;
        String source;
        try {
            if (from.service != null || from.inference != null || circuit != null) {
                if (from.service == null || from.inference == null) {
                    throw CliException.usage("--service and --inference go together (--circuit is optional)");
                }
                if (vk != null || from.proof != null || from.publicInputs != null) {
                    throw CliException.usage("--vk, --proof, --public and --service are alternatives");
                }
                ServiceClient client = new ServiceClient(from.service, from.apiKey);
                ServiceClient.Published pub = client.published(from.inference, circuit);
                source = pub.source();
                files = fromService(client, pub);
            } else {
                if (vk == null || from.proof == null) {
                    throw CliException.usage("give --vk FILE and --proof FILE (or --service URL --inference ID)");
                }
                Artifacts.ProofFile p = Artifacts.readProof(from.proof, from.publicInputs);
                JsonNode header = Artifacts.artifactHeader(Artifacts.read(vk, "verifying key"), "verifying key " + vk);
                if (!"groth16-verifying-key".equals(header.path("kind").asString(""))) {
                    throw CliException.badInput("verifying key " + vk + " is a " + header.path("kind").asString("?")
                            + " file, not a verifying key");
                }
                Groth16Prover prover = Artifacts.prover();
                try (VerifyingKey key = prover.loadVerifyingKey(vk)) {
                    files = exporter.export(prover, key, p.proof(), strings(p.publicInputs()));
                }
                source = p.source();
            }
        } catch (SnarkjsUnsupportedException e) {
            throw unsupported(e.getMessage());
        } catch (IllegalArgumentException e) {
            throw CliException.badInput("cannot export: " + Artifacts.firstLine(e.getMessage()), e);
        }
        writeAll(files, out);
        spec.commandLine().getOut().println("wrote " + out.resolve(SnarkjsExport.Files.VERIFICATION_KEY) + ", "
                + SnarkjsExport.Files.PROOF + " and " + SnarkjsExport.Files.PUBLIC + " (the proof from " + source + ")");
        spec.commandLine().getOut().println("check: snarkjs groth16 verify " + out.resolve(SnarkjsExport.Files.VERIFICATION_KEY)
                + " " + out.resolve(SnarkjsExport.Files.PUBLIC) + " " + out.resolve(SnarkjsExport.Files.PROOF));
        return Zkml.OK;
    }

    /**
     * The circuit's verifying-key file from {@code GET /v1/circuits/{id}/verifying-key}, checked
     * against the circuit's published {@code verifyingKeyHash} (a service cannot hand over another
     * key than the one its circuit names), then converted here like a local file, with the
     * inference's proof and public inputs.
     */
    private static SnarkjsExport.Files fromService(ServiceClient client, ServiceClient.Published pub) throws IOException {
        String path = "/v1/circuits/" + pub.circuitId() + "/verifying-key";
        byte[] served = client.get(path);
        String hash = Artifacts.sha256(served);
        if (!hash.equals(pub.verifyingKeyHash())) {
            throw new CliException(Zkml.INVALID, "the verifying key served by " + client.base() + path + " (sha256 " + hash
                    + ") is not the key of circuit " + pub.circuitId() + " (verifyingKeyHash " + pub.verifyingKeyHash()
                    + "), nothing written");
        }
        List<BigInteger> inputs = Artifacts.decimals(pub.inference().get("publicInputs"),
                "inference " + pub.inferenceId() + ": publicInputs");
        byte[] proofBytes = Artifacts.proofBytes(pub.inference().path("proof").asString(""));
        Path file = Files.createTempFile("zkml-vk-", ".bin");
        try {
            Files.write(file, served);
            Groth16Prover prover = Artifacts.prover();
            try (VerifyingKey key = prover.loadVerifyingKey(file)) {
                return exporter.export(prover, key, proofBytes, strings(inputs));
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }

    static CliException unsupported(String why) {
        return new CliException(Zkml.UNSUPPORTED, "snarkjs cannot check this circuit's proofs, nothing written: "
                + Artifacts.firstLine(why));
    }

    private static List<String> strings(List<BigInteger> values) {
        return values.stream().map(BigInteger::toString).toList();
    }

    private static final List<String> NAMES =
            List.of(SnarkjsExport.Files.VERIFICATION_KEY, SnarkjsExport.Files.PROOF, SnarkjsExport.Files.PUBLIC);

    /**
     * {@link SnarkjsExport.Files#writeTo} a temporary folder beside {@code dir}, then moves the three
     * files into it. A name taken by a folder is refused before anything is moved (a move onto it
     * would fail after the files before it had replaced theirs).
     */
    private static void writeAll(SnarkjsExport.Files files, Path dir) throws IOException {
        Path target = Artifacts.outputDir(dir).toAbsolutePath();
        for (String name : NAMES) {
            if (Files.isDirectory(target.resolve(name), java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                throw CliException.badInput("cannot write the snarkjs files to " + dir + ": " + target.resolve(name)
                        + " is a folder; nothing written");
            }
        }
        Path tmp = Files.createTempDirectory(target, ".snarkjs-");
        try {
            files.writeTo(tmp);
            for (String name : NAMES) {
                Files.move(tmp.resolve(name), target.resolve(name), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
        } catch (UncheckedIOException e) {
            throw CliException.badInput("cannot write the snarkjs files to " + dir + ": " + e.getCause().getMessage(), e);
        } finally {
            try (var w = Files.walk(tmp)) {
                w.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}

package io.zkml.cli;

import java.nio.file.Path;

import picocli.CommandLine.Option;

/**
 * Where {@code verify} and {@code export snarkjs} take a proof from: files ({@code --proof},
 * {@code --public}) or an inference of a service ({@code --service}, {@code --inference}). A
 * picocli mixin, so that both commands have the same options with the same help.
 */
final class ProofSourceOptions {

    @Option(names = "--proof", paramLabel = "FILE", description = "the proof: proof.json of zkml prove, or a service inference's JSON")
    Path proof;

    @Option(names = "--public", paramLabel = "FILE", description = "public inputs (decimal field elements, verifier order) replacing those of --proof")
    Path publicInputs;

    @Option(names = "--service", paramLabel = "URL", description = "a zkml service, e.g. http://localhost:8080 (with --inference)")
    String service;

    @Option(names = "--inference", paramLabel = "ID", description = "the inference to fetch from --service")
    String inference;

    @Option(names = "--api-key", paramLabel = "KEY", defaultValue = "${env:ZKML_API_KEY}",
            description = "with --service: the API key sent as Authorization: Bearer (default: $ZKML_API_KEY)")
    String apiKey;
}

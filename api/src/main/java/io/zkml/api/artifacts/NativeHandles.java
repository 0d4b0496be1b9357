package io.zkml.api.artifacts;

import java.util.UUID;

import org.springframework.stereotype.Component;

import io.zkml.api.jobs.WorkerProperties;
import io.zkml.prover.ConstraintSystem;
import io.zkml.prover.Groth16Prover;
import io.zkml.prover.Prover;
import io.zkml.prover.ProvingKey;
import io.zkml.prover.ProvingSystem;
import io.zkml.prover.VerifyingKey;

/**
 * The native handles this process keeps loaded: per circuit its constraint system and proving
 * key (for proving), per verifying-key hash the verifying key (for verification). Files come from
 * the {@link ArtifactFileCache}; every artifact's versions are checked before it is loaded, and a
 * key is loaded by the prover of its circuit's system, bound to the circuit's hash: a key file whose
 * header names another system or circuit is refused.
 */
@Component
public class NativeHandles implements AutoCloseable {

    /** A circuit's constraint system and proving key, loaded together. */
    public record ProvingHandles(ConstraintSystem cs, ProvingKey pk) implements AutoCloseable {
        @Override
        public void close() {
            try (cs; pk) {
                // closes both
            }
        }
    }

    private final Groth16Prover prover;
    private final ArtifactFileCache files;
    private final ArtifactRepository artifacts;
    private final ServiceVersions versions;
    private final HandleCache<String, ProvingHandles> proving;
    /** Issue 9 (ADR 0027): artifacts found compatible (sha256s; a stored artifact's versions never change). */
    private final io.zkml.api.support.LruCache<String, Boolean> compatible = new io.zkml.api.support.LruCache<>(4096);
    private final HandleCache<String, VerifyingKey> verifying;

    public NativeHandles(Groth16Prover prover, ArtifactFileCache files, ArtifactRepository artifacts,
                         ServiceVersions versions, WorkerProperties props) {
        this.prover = prover;
        this.files = files;
        this.artifacts = artifacts;
        this.versions = versions;
        this.proving = new HandleCache<>(props.loadedCircuits());
        this.verifying = new HandleCache<>(Math.max(8, props.loadedCircuits() * 2));
    }

    /**
     * The loaded constraint system and proving key of a circuit.
     *
     * @throws IncompatibleArtifactException if an artifact was made by another gnark/ABI version
     */
    public HandleCache<String, ProvingHandles>.Lease proving(UUID circuitId, String irSha256, String csSha256,
                                                           String pkSha256) throws Exception {
        return proving(circuitId, ProvingSystem.GROTH16, null, irSha256, csSha256, pkSha256);
    }

    /**
     * The loaded constraint system and proving key of a circuit of this system and circuit hash
     * ({@code null}: not checked).
     *
     * @throws IncompatibleArtifactException if an artifact was made by another gnark/ABI version
     */
    public HandleCache<String, ProvingHandles>.Lease proving(UUID circuitId, ProvingSystem system, String circuitHash,
                                                             String irSha256, String csSha256, String pkSha256) throws Exception {
        requireCompatible(csSha256, "constraint system");
        requireCompatible(pkSha256, "proving key");
        Prover p = system == ProvingSystem.GROTH16 ? prover : Prover.of(system);
        // issue 9 (ADR 0027): keyed by what is loaded (the artifacts' sha256s, the system and the circuit
        // hash the key is bound to), not by the circuit: circuits with the same artifacts share one load
        String key = system + "/" + circuitHash + "/" + irSha256 + "/" + csSha256 + "/" + pkSha256;
        return proving.acquire(key, () -> {
            byte[] ir = artifacts.find(irSha256).orElseThrow(() -> new IllegalStateException("IR " + irSha256 + " is missing"))
                    .bytes();
            ConstraintSystem cs = files.withFile(csSha256, f -> p.loadConstraintSystem(ir, f));
            try {
                return new ProvingHandles(cs, files.withFile(pkSha256, f -> p.loadProvingKey(f, circuitHash)));
            } catch (RuntimeException e) {
                cs.close();
                throw e;
            }
        });
    }

    /**
     * The loaded verifying key with this SHA-256.
     *
     * @throws IncompatibleArtifactException if it was made by another gnark/ABI version
     */
    public HandleCache<String, VerifyingKey>.Lease verifying(String vkSha256) throws Exception {
        return verifying(vkSha256, ProvingSystem.GROTH16, null);
    }

    /**
     * The loaded verifying key with this SHA-256, of this system, for the circuit with this hash
     * ({@code null}: not checked).
     *
     * @throws IncompatibleArtifactException if it was made by another gnark/ABI version
     */
    public HandleCache<String, VerifyingKey>.Lease verifying(String vkSha256, ProvingSystem system, String circuitHash)
            throws Exception {
        requireCompatible(vkSha256, "verifying key");
        Prover p = system == ProvingSystem.GROTH16 ? prover : Prover.of(system);
        return verifying.acquire(vkSha256, () -> files.withFile(vkSha256, f -> p.loadVerifyingKey(f, circuitHash)));
    }

    /** Fails unless the artifact was made by the gnark and ABI versions this process runs. */
    public void requireCompatible(String sha256, String what) {
        if (compatible.peek(sha256) != null) {
            return; // issue 9 (ADR 0027): checked before in this process; the stored versions never change
        }
        ArtifactVersions made = artifacts.versions(sha256)
                .orElseThrow(() -> new IllegalStateException(what + " " + sha256 + " is not in the database"));
        String why = versions.current().incompatibilityWith(made);
        if (why != null) {
            throw new IncompatibleArtifactException("the stored " + what + " " + sha256.substring(0, 12)
                    + "… cannot be loaded: " + why + "; create a new circuit for this model");
        }
        compatible.getUnchecked(sha256, k -> Boolean.TRUE);
    }

    @Override
    public void close() {
        proving.close();
        verifying.close();
    }
}

package io.zkml.api.ceremony;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import io.zkml.api.artifacts.ArtifactFileCache;
import io.zkml.api.artifacts.ArtifactKind;
import io.zkml.api.artifacts.ArtifactRepository;
import io.zkml.api.artifacts.ArtifactVersions;
import io.zkml.api.artifacts.NativeHandles;
import io.zkml.api.artifacts.ServiceVersions;
import io.zkml.api.circuits.CircuitRecord;
import io.zkml.api.circuits.CircuitRepository;
import io.zkml.api.circuits.CircuitService;
import io.zkml.api.circuits.CircuitStatus;
import io.zkml.api.circuits.SetupInfo;
import io.zkml.api.problem.ApiException;
import io.zkml.api.problem.ProblemType;
import io.zkml.api.setup.SetupProperties;
import io.zkml.prover.ConstraintSystem;
import io.zkml.prover.ErrorCode;
import io.zkml.prover.Groth16Ceremony;
import io.zkml.prover.Groth16Prover;
import io.zkml.prover.NativeProverException;
import io.zkml.prover.SetupResult;
import io.zkml.prover.VerifyingKey;

/**
 * Groth16 ceremonies of circuits with {@code "setup": {"trust": "ceremony"}} (issue 7,
 * docs/trust-model.md): the compile job opens one ({@link #open}: phase 1 from the .ptau file, the
 * initial state, the service's own contribution); contributors download the latest state, contribute
 * offline ({@code zkml ceremony contribute}) and upload ({@link #contribute}: verified against the
 * latest state, or refused with nothing stored); {@link #finalize} re-verifies the whole chain,
 * applies a public beacon and makes the keys. Uploads and finalize are serialized by a row lock.
 */
@Service
public class CeremonyService {

    private static final Logger log = LoggerFactory.getLogger(CeremonyService.class);
    private static final Pattern BEACON = Pattern.compile("(0x)?([0-9a-fA-F]{2}){16,64}");
    /** The largest upload accepted as a state (the states of the demo circuits are tens of KB). */
    public static final int MAX_STATE_BYTES = 64 << 20;

    private final CeremonyRepository ceremonies;
    private final CircuitRepository circuitRows;
    private final CircuitService circuits;
    private final ArtifactRepository artifacts;
    private final ArtifactFileCache files;
    private final NativeHandles handles;
    private final ServiceVersions versions;
    private final SetupProperties setupProps;
    private final Groth16Prover prover;

    public CeremonyService(CeremonyRepository ceremonies, CircuitRepository circuitRows, CircuitService circuits,
                           ArtifactRepository artifacts, ArtifactFileCache files, NativeHandles handles,
                           ServiceVersions versions, SetupProperties setupProps, Groth16Prover prover) {
        this.ceremonies = ceremonies;
        this.circuitRows = circuitRows;
        this.circuits = circuits;
        this.artifacts = artifacts;
        this.files = files;
        this.handles = handles;
        this.versions = versions;
        this.setupProps = setupProps;
        this.prover = prover;
    }

    /**
     * Opens the ceremony of a circuit in its compile job: phase 1 from the configured .ptau file
     * (checked), the initial state, and the service's contribution (verified like any other), all
     * stored. Returns what the job's completion must run (in its transaction): the rows, and the
     * circuit's move to {@code awaiting_contributions}; with a minimum of 0 contributions the keys
     * are made at once from the service's contribution and a beacon drawn here, and the circuit is
     * {@code ready} with trust {@code single-party} (nobody else contributed).
     */
    public Runnable open(CircuitRecord circuit, ConstraintSystem cs, Map<String, Long> timings) {
        ArtifactVersions made = versions.current();
        Path ptau = setupProps.ptauPath();
        Path p1 = files.scratchFile(".phase1");
        Path s0 = files.scratchFile(".state");
        Path s1 = files.scratchFile(".state");
        try {
            long t0 = System.nanoTime();
            Groth16Ceremony.StateInfo start = Groth16Ceremony.start(cs, ptau, p1, s0);
            Groth16Ceremony.contribute(s0, s1);
            Groth16Ceremony.verifyContribution(cs, s0, s1);
            timings.put("ceremonyStartMillis", (System.nanoTime() - t0) / 1_000_000);
            String p1Sha = artifacts.put(ArtifactKind.CEREMONY_PHASE1, p1, made);
            String s0Sha = artifacts.put(ArtifactKind.CEREMONY_STATE, s0, made);
            String s1Sha = artifacts.put(ArtifactKind.CEREMONY_STATE, s1, made);
            int min = setupProps.ceremonyMinContributions();
            UUID id = circuit.id();
            if (min == 0) {
                byte[] beacon = new byte[32];
                new SecureRandom().nextBytes(beacon);
                Keys keys = keys(cs, p1, List.of(s1), beacon, made);
                SetupInfo info = new SetupInfo("single-party", start.srsSha256(), start.srsPower(), null);
                timings.put("setupMillis", keys.setupMillis());
                return () -> {
                    ceremonies.create(id, p1Sha, start.srsSha256(), start.srsPower(), 0);
                    ceremonies.addState(id, 0, s0Sha, "initial");
                    ceremonies.addState(id, 1, s1Sha, "service");
                    ceremonies.finalize(id, HexFormat.of().formatHex(beacon));
                    circuitRows.markReady(id, keys.pkSha(), keys.vkSha(), keys.verifierSha(), keys.vkSha(), timings, info);
                };
            }
            SetupInfo info = new SetupInfo("ceremony", start.srsSha256(), start.srsPower(), null);
            return () -> {
                ceremonies.create(id, p1Sha, start.srsSha256(), start.srsPower(), min);
                ceremonies.addState(id, 0, s0Sha, "initial");
                ceremonies.addState(id, 1, s1Sha, "service");
                circuitRows.markAwaitingContributions(id, timings, info);
            };
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            deleteQuietly(p1);
            deleteQuietly(s0);
            deleteQuietly(s1);
        }
    }

    /** The keys a finalize made, stored. */
    record Keys(String pkSha, String vkSha, String verifierSha, long setupMillis) {
    }

    private Keys keys(ConstraintSystem cs, Path phase1, List<Path> states, byte[] beacon, ArtifactVersions made) throws IOException {
        Path pk = files.scratchFile(".pk");
        Path vk = files.scratchFile(".vk");
        try {
            SetupResult r = Groth16Ceremony.finalize(cs, phase1, states, beacon, pk, vk);
            String pkSha = artifacts.put(ArtifactKind.PROVING_KEY, pk, made);
            String vkSha = artifacts.put(ArtifactKind.VERIFYING_KEY, Files.readAllBytes(vk), made);
            if (!vkSha.equals(r.verifyingKeySha256())) {
                throw new IllegalStateException("the native library reports verifying-key hash " + r.verifyingKeySha256()
                        + ", the file hashes to " + vkSha);
            }
            String solidity;
            try (VerifyingKey key = prover.loadVerifyingKey(vk, cs.circuitSha256())) {
                solidity = prover.exportSolidity(key);
            }
            String verifierSha = artifacts.put(ArtifactKind.VERIFIER_SOLIDITY, solidity.getBytes(StandardCharsets.UTF_8), made);
            return new Keys(pkSha, vkSha, verifierSha, r.setupMillis());
        } finally {
            deleteQuietly(pk);
            deleteQuietly(vk);
        }
    }

    /** A ceremony and its chain, as GET shows them. */
    public record View(CircuitRecord circuit, CeremonyRepository.Ceremony ceremony, List<CeremonyRepository.Contribution> states) {
        /** Uploaded contributions (not the initial state, not the service's). */
        public int external() {
            return (int) states.stream().filter(s -> s.contributor().equals("external")).count();
        }

        public CeremonyRepository.Contribution latest() {
            return states.getLast();
        }
    }

    public View view(UUID circuitId) {
        CircuitRecord c = circuits.get(circuitId);
        CeremonyRepository.Ceremony cer = ceremonies.find(circuitId).orElseThrow(() -> notACeremony(c));
        return new View(c, cer, ceremonies.states(circuitId));
    }

    /** The bytes of a stored state or of phase 1 of this circuit's ceremony. */
    public byte[] stateBytes(UUID circuitId, Integer index) {
        View v = view(circuitId);
        String sha;
        if (index == null) {
            sha = v.latest().stateSha256();
        } else if (index < 0) {
            sha = v.ceremony().phase1Sha256();
        } else {
            sha = v.states().stream().filter(s -> s.index() == index).findFirst()
                    .orElseThrow(() -> ApiException.notFound("ceremony state", index.toString())).stateSha256();
        }
        return artifacts.find(sha).orElseThrow(() -> new IllegalStateException("artifact " + sha + " is missing")).bytes();
    }

    /**
     * Verifies an uploaded contribution against the latest state and appends it; an invalid one (a
     * stale state, a bad proof of knowledge, another circuit, a changed or malformed file) is a 422
     * {@code invalid-contribution} and changes nothing.
     */
    @Transactional
    public CeremonyRepository.Contribution contribute(UUID circuitId, byte[] upload) throws Exception {
        CircuitRecord c = circuits.get(circuitId);
        CeremonyRepository.Ceremony cer = ceremonies.lock(circuitId).orElseThrow(() -> notACeremony(c));
        if (cer.finalizedAt() != null || c.status() != CircuitStatus.AWAITING_CONTRIBUTIONS) {
            throw new ApiException(ProblemType.CEREMONY_NOT_OPEN, "the ceremony of circuit " + circuitId
                    + " is closed (finalized at " + cer.finalizedAt() + "); it takes no more contributions",
                    Map.of("circuitStatus", c.status().dbName()));
        }
        if (upload == null || upload.length == 0) {
            throw new ApiException(ProblemType.INVALID_CONTRIBUTION, "the body must be the contribution file (application/octet-stream)");
        }
        List<CeremonyRepository.Contribution> states = ceremonies.states(circuitId);
        CeremonyRepository.Contribution latest = states.getLast();
        Path next = files.scratchFile(".upload");
        try {
            Files.write(next, upload);
            Groth16Ceremony.StateInfo info;
            // issue 9: the latest state is pinned while the native library reads it (not evicted by a fill)
            try (ConstraintSystem cs = constraintSystem(c); ArtifactFileCache.Pinned state = files.acquire(latest.stateSha256())) {
                info = Groth16Ceremony.verifyContribution(cs, state.path(), next);
            } catch (NativeProverException e) {
                if (e.errorCode() == ErrorCode.INVALID_ARGUMENT || e.errorCode() == ErrorCode.IO
                        || e.errorCode() == ErrorCode.VERSION_MISMATCH) {
                    throw new ApiException(ProblemType.INVALID_CONTRIBUTION, "the contribution does not verify against the latest "
                            + "state (" + latest.stateSha256() + ", index " + latest.index() + "): " + detail(e),
                            Map.of("latestStateSha256", latest.stateSha256()));
                }
                throw e;
            }
            String sha = artifacts.put(ArtifactKind.CEREMONY_STATE, upload, versions.current());
            if (!sha.equals(info.stateSha256())) {
                throw new IllegalStateException("the contribution hashes to " + sha + ", the native library says " + info.stateSha256());
            }
            ceremonies.addState(circuitId, latest.index() + 1, sha, "external");
            log.info("circuit {}: ceremony contribution {} accepted ({})", circuitId, latest.index() + 1, sha);
            return ceremonies.states(circuitId).getLast();
        } finally {
            deleteQuietly(next);
        }
    }

    /**
     * Re-verifies the whole chain, applies the beacon (hex, 16 to 64 bytes: e.g. the hash of a block
     * mined after the last contribution) and makes the keys: the circuit becomes {@code ready}.
     * Before the minimum number of contributions: 409 {@code ceremony-incomplete}; a finalized
     * ceremony: 409 {@code ceremony-not-open}; a bad beacon: 400 {@code invalid-request}.
     */
    @Transactional
    public CircuitRecord finalize(UUID circuitId, String beaconHex) throws Exception {
        CircuitRecord c = circuits.get(circuitId);
        CeremonyRepository.Ceremony cer = ceremonies.lock(circuitId).orElseThrow(() -> notACeremony(c));
        if (cer.finalizedAt() != null || c.status() != CircuitStatus.AWAITING_CONTRIBUTIONS) {
            throw new ApiException(ProblemType.CEREMONY_NOT_OPEN, "the ceremony of circuit " + circuitId + " is already finalized",
                    Map.of("circuitStatus", c.status().dbName()));
        }
        if (beaconHex == null || !BEACON.matcher(beaconHex.strip()).matches()) {
            throw new ApiException(ProblemType.INVALID_REQUEST,
                    "beacon is required: hex of 16 to 64 bytes (e.g. the hash of a block mined after the last contribution)");
        }
        List<CeremonyRepository.Contribution> states = ceremonies.states(circuitId);
        View v = new View(c, cer, states);
        if (v.external() < cer.minContributions()) {
            throw new ApiException(ProblemType.CEREMONY_INCOMPLETE, "the ceremony has " + v.external()
                    + " contribution(s) besides the service's and needs " + cer.minContributions() + " before it can be finalized",
                    Map.of("contributions", v.external(), "minContributions", cer.minContributions()));
        }
        String hex = beaconHex.strip().startsWith("0x") ? beaconHex.strip().substring(2) : beaconHex.strip();
        byte[] beacon = HexFormat.of().parseHex(hex);
        // issue 9: every state of the chain and the phase-1 file stay pinned until the keys are made:
        // filling the later ones must not evict the earlier ones (the cache is bounded)
        List<ArtifactFileCache.Pinned> pinned = new ArrayList<>();
        Keys keys;
        try {
            List<Path> chain = new ArrayList<>();
            for (CeremonyRepository.Contribution s : states) {
                if (s.index() > 0) {
                    ArtifactFileCache.Pinned p = files.acquire(s.stateSha256());
                    pinned.add(p);
                    chain.add(p.path());
                }
            }
            ArtifactFileCache.Pinned phase1 = files.acquire(cer.phase1Sha256());
            pinned.add(phase1);
            try (ConstraintSystem cs = constraintSystem(c)) {
                keys = keys(cs, phase1.path(), chain, beacon, versions.current());
            }
        } finally {
            pinned.forEach(ArtifactFileCache.Pinned::close);
        }
        Map<String, Long> timings = new LinkedHashMap<>(c.timings() == null ? Map.of() : c.timings());
        timings.put("setupMillis", keys.setupMillis());
        SetupInfo info = new SetupInfo(v.external() == 0 ? "single-party" : "ceremony", cer.srsSha256(), cer.srsPower(), null);
        ceremonies.finalize(circuitId, hex.toLowerCase(java.util.Locale.ROOT));
        circuitRows.markReady(circuitId, keys.pkSha(), keys.vkSha(), keys.verifierSha(), keys.vkSha(), timings, info);
        log.info("circuit {}: ceremony finalized with {} contribution(s), verifying key {}", circuitId, states.size() - 1, keys.vkSha());
        return circuits.get(circuitId);
    }

    private ConstraintSystem constraintSystem(CircuitRecord c) {
        handles.requireCompatible(c.csSha256(), "constraint system");
        try (ArtifactFileCache.Pinned cs = files.acquire(c.csSha256())) {
            return prover.loadConstraintSystem(circuits.ir(c.id()), cs.path());
        }
    }

    private static ApiException notACeremony(CircuitRecord c) {
        return new ApiException(ProblemType.NOT_FOUND, "circuit " + c.id() + " has no ceremony (its setup is "
                + c.setupInfo().trust() + ")");
    }

    private static String detail(NativeProverException e) {
        String m = e.getMessage();
        String prefix = e.errorCode() + ": ";
        return m != null && m.startsWith(prefix) ? m.substring(prefix.length()) : String.valueOf(m);
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // a leftover temporary file is harmless
        }
    }
}

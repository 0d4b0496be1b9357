package io.zkml.api.setup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.zkml.api.problem.ApiException;
import io.zkml.api.problem.ProblemType;
import io.zkml.api.runtime.ServiceMode;
import io.zkml.prover.ProvingSystem;

/** Which setup a new circuit gets, and which ones are refused where (docs/trust-model.md). */
class SetupTrustTest {

    private static final ServiceMode DEV = ServiceMode.DEVELOPMENT;
    private static final ServiceMode PROD = ServiceMode.PRODUCTION;

    @Test
    void defaults() {
        assertThat(SetupTrust.resolve(ProvingSystem.GROTH16, null, PROD, false)).isEqualTo(SetupTrust.SINGLE_PARTY);
        assertThat(SetupTrust.resolve(ProvingSystem.PLONK, null, PROD, true)).isEqualTo(SetupTrust.UNIVERSAL_SRS);
        assertThat(SetupTrust.resolve(ProvingSystem.PLONK, " Universal-SRS ", PROD, true)).isEqualTo(SetupTrust.UNIVERSAL_SRS);
        assertThat(SetupTrust.resolve(ProvingSystem.PLONK, "local-unsafe", DEV, true)).isEqualTo(SetupTrust.LOCAL_UNSAFE);
    }

    @Test
    void localUnsafeOnlyInDevelopment() {
        refused(ProvingSystem.PLONK, "local-unsafe", PROD, true, "only in development mode", List.of("universal-srs"));
        refused(ProvingSystem.PLONK, "local-unsafe", PROD, false, "only in development mode", List.of());
        assertThat(SetupTrust.LOCAL_UNSAFE.allowedIn(PROD)).isFalse();
        assertThat(SetupTrust.LOCAL_UNSAFE.allowedIn(DEV)).isTrue();
        assertThat(SetupTrust.UNIVERSAL_SRS.allowedIn(PROD)).isTrue();
    }

    @Test
    void plonkWithoutAPowersOfTauFile() {
        refused(ProvingSystem.PLONK, null, DEV, false, "ask for \"setup\": {\"trust\": \"local-unsafe\"}", List.of("local-unsafe"));
        refused(ProvingSystem.PLONK, null, PROD, false, "no powers-of-tau file is configured", List.of());
        refused(ProvingSystem.PLONK, "universal-srs", DEV, false, "none is configured", List.of("local-unsafe"));
    }

    @Test
    void trustsThatDoNotFitOrDoNotExist() {
        refused(ProvingSystem.GROTH16, "universal-srs", DEV, true, "does not apply to groth16", List.of("single-party", "ceremony"));
        refused(ProvingSystem.PLONK, "single-party", DEV, true, "does not apply to plonk", List.of("universal-srs", "local-unsafe"));
        refused(ProvingSystem.PLONK, "ceremony", DEV, true, "does not apply to plonk", List.of("universal-srs", "local-unsafe"));
        refused(ProvingSystem.GROTH16, "x".repeat(100), DEV, true, "is unknown", List.of("single-party", "ceremony"));
    }

    @Test
    void aCeremonyNeedsThePowersOfTauFile() {
        assertThat(SetupTrust.resolve(ProvingSystem.GROTH16, "ceremony", PROD, true)).isEqualTo(SetupTrust.CEREMONY);
        refused(ProvingSystem.GROTH16, "ceremony", PROD, false, "needs a powers-of-tau file (its phase 1)", List.of("single-party"));
    }

    private static void refused(ProvingSystem system, String trust, ServiceMode mode, boolean ptau, String detail,
                                List<String> supported) {
        assertThatThrownBy(() -> SetupTrust.resolve(system, trust, mode, ptau))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.type()).isEqualTo(ProblemType.UNSUPPORTED_SETUP);
                    assertThat(e.getMessage()).contains(detail);
                    assertThat(e.properties().get("supportedTrust")).isEqualTo(supported);
                });
    }
}

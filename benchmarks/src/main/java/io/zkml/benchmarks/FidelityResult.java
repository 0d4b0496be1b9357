package io.zkml.benchmarks;

/**
 * The circuit's answers (exact reference evaluator, bit-identical to the proofs) against Tribuo's
 * float predictions, on {@code input.json} and on random inputs within the declared ranges.
 *
 * @param samples how many inputs were compared
 * @param labelAgreements classification: how many labels agreed; regression: null
 * @param labelAgreementRate classification: {@code labelAgreements / samples}; regression: null
 * @param maxAbsError regression: the largest |circuit − float| over all outputs and samples; else null
 * @param meanAbsError regression: the mean |circuit − float| over all outputs and samples; else null
 * @param errorBound the compiler's proven bound (regression outputs / classification scores), or null
 * @param withinBound regression: {@code maxAbsError <= errorBound}; else null
 * @param provenOutputMatchesReference every proof's output equals the Java reference evaluator's
 */
public record FidelityResult(int samples, Integer labelAgreements, Double labelAgreementRate, Double maxAbsError,
                             Double meanAbsError, Double errorBound, Boolean withinBound,
                             boolean provenOutputMatchesReference) {
}

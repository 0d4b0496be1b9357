package io.zkml.benchmarks;

/**
 * The settings one model was measured under: one point of the suite's settings axes. Axes that have a
 * single value today (proving system, range-check strategy, visibility, batch size) are fields already,
 * so that results stay comparable when they grow (docs/benchmarks.md, "Settings axes").
 *
 * @param sweep which axis this measurement belongs to: {@code demo} (a model of {@code examples/} with
 *     its own settings), {@code size} (a synthetic model at the compiler's default scales),
 *     {@code input-scale} (a synthetic model at a requested input scale) or {@code visibility} (a
 *     synthetic model with public, private or hashed inputs)
 * @param provingSystem {@code groth16} or {@code plonk} (demos with {@code --proving-systems})
 * @param rangeCheck how range checks are built: {@code bits} (a bit decomposition) or {@code lookup}
 *     (gnark's std/rangecheck, one BSB22 commitment; Groth16 only; demos with {@code --proving-systems groth16+lookup})
 * @param visibility of the inputs: {@code public}, {@code private} or {@code hashed} (a Poseidon2 commitment,
 *     docs/commitments.md); outputs are public
 * @param batchSize inferences per proof: 1 (no batching today)
 * @param inputScale the requested input scale (fractional bits), or null: the compiler's choice (or the
 *     demo's {@code quantization.json}); the scale actually used is {@code quantization.inputScale}
 * @param weightScale the requested weight scale, or null (likewise)
 */
public record Setting(String sweep, String provingSystem, String rangeCheck, String visibility, int batchSize,
                      Integer inputScale, Integer weightScale) {

    public static final String DEMO = "demo";
    public static final String SIZE = "size";
    public static final String INPUT_SCALE = "input-scale";
    public static final String VISIBILITY = "visibility";
    public static final String BATCH = "batch";
    /** The input visibilities the {@code visibility} sweep measures. */
    public static final java.util.List<String> VISIBILITIES = java.util.List.of("public", "private", "hashed");

    /** The one value every not-yet-variable axis has today. */
    public static Setting of(String sweep) {
        return new Setting(sweep, "groth16", "bits", "public", 1, null, null);
    }

    /** This setting with another proving system. */
    public Setting withProvingSystem(String system) {
        return new Setting(sweep, system, rangeCheck, visibility, batchSize, inputScale, weightScale);
    }

    /** This setting with another range-check strategy ({@code bits} or {@code lookup}). */
    public Setting withRangeCheck(String rangeCheck) {
        return new Setting(sweep, provingSystem, rangeCheck, visibility, batchSize, inputScale, weightScale);
    }

    /**
     * The default setting with inputs of this visibility, in the {@code visibility} sweep: an input
     * visibility ({@code public}, {@code private}, {@code hashed}; outputs public, weights fixed), or
     * (issue 8) a triple {@code input/output/weights}, e.g. {@code hashed/hashed/fixed} (hashed outputs)
     * or {@code public/public/hashed} (hashed weights).
     */
    public static Setting visibility(String visibility) {
        String[] p = visibility == null ? new String[0] : visibility.split("/", -1);
        boolean ok = p.length == 1 ? VISIBILITIES.contains(p[0])
                : p.length == 3 && VISIBILITIES.contains(p[0]) && (p[1].equals("public") || p[1].equals("hashed"))
                && (p[2].equals("fixed") || p[2].equals("hashed"));
        if (!ok) {
            throw new IllegalArgumentException("visibility needs one of " + VISIBILITIES + " or input/output/weights "
                    + "(output public|hashed, weights fixed|hashed), got \"" + visibility + "\"");
        }
        return new Setting(VISIBILITY, "groth16", "bits", visibility, 1, null, null);
    }

    /** The input visibility ({@code public}, {@code private}, {@code hashed}). */
    public String inputVisibility() {
        return visibility.split("/")[0];
    }

    /** The output visibility: {@code public} unless the visibility is a triple saying {@code hashed}. */
    public String outputVisibility() {
        String[] p = visibility.split("/");
        return p.length == 3 ? p[1] : "public";
    }

    /** The weights' visibility: {@code fixed} unless the visibility is a triple saying {@code hashed} (issue 8). */
    public String weightsVisibility() {
        String[] p = visibility.split("/");
        return p.length == 3 ? p[2] : "fixed";
    }

    /** {@code batchSize} inferences with inputs of this visibility in one proof (BatchCircuit), in the {@code batch} sweep. */
    public static Setting batch(int batchSize, String visibility) {
        visibility(visibility);
        if (batchSize < 2) {
            throw new IllegalArgumentException("a batch setting needs batchSize >= 2, got " + batchSize);
        }
        return new Setting(BATCH, "groth16", "bits", visibility, batchSize, null, null);
    }

    /** The same setting at a requested input scale, in the {@code input-scale} sweep. */
    public static Setting inputScale(int scale) {
        return new Setting(INPUT_SCALE, "groth16", "bits", "public", 1, scale, null);
    }
}

package io.zkml.compiler;

/** What a model predicts: a label (argmax over linear scores) or real values. */
public enum Task {
    CLASSIFICATION,
    REGRESSION;

    /** The lowercase name used in the IR ({@code "classification"} / {@code "regression"}). */
    public String irName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** Parses the IR name; throws {@link IllegalArgumentException} for anything else. */
    public static Task fromIrName(String s) {
        return switch (s) {
            case "classification" -> CLASSIFICATION;
            case "regression" -> REGRESSION;
            default -> throw new IllegalArgumentException("unknown task \"" + s + "\"");
        };
    }
}

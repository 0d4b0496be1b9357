package io.zkml.compiler.model;

import io.zkml.compiler.tribuo.ModelFormatException;

import java.util.List;

/**
 * Reads untrusted model bytes of one file format. Implementations must never run code named by
 * the document (no Java deserialization, no reflection on unchecked names) and must check
 * {@link ImportLimits} before they allocate the model.
 *
 * <p>({@link ModelFormatException} still lives in {@code io.zkml.compiler.tribuo} because the REST
 * layer catches it there; its reasons are format-neutral.)
 */
public interface ModelImporter {

    /** The format name the service selects this importer by, e.g. {@code "tribuo"}. */
    String format();

    /** Reads a model. */
    ImportedModel read(byte[] bytes, ImportLimits limits) throws ModelFormatException;

    /**
     * Reads a model whose input values are given names (the upload's {@code features} field).
     * Formats whose models name their features themselves refuse names (the default).
     *
     * @param featureNames null or empty: the model's own names
     * @throws IllegalArgumentException the names do not fit the model, or the format takes none
     */
    default ImportedModel read(byte[] bytes, ImportLimits limits, List<String> featureNames) throws ModelFormatException {
        if (featureNames != null && !featureNames.isEmpty()) {
            throw new IllegalArgumentException("the " + format() + " format names its features itself; leave features out");
        }
        return read(bytes, limits);
    }

    /** The model classes this importer accepts (for error messages and the API). */
    List<String> supportedModelClasses();
}

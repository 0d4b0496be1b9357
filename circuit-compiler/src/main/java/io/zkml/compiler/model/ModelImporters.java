package io.zkml.compiler.model;

import io.zkml.compiler.onnx.OnnxImporter;
import io.zkml.compiler.tribuo.TribuoImporter;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A registry of importers by format name. Immutable. */
public final class ModelImporters {

    private final Map<String, ModelImporter> byFormat;

    private ModelImporters(Map<String, ModelImporter> byFormat) {
        this.byFormat = byFormat;
    }

    /** The importers this compiler ships: {@code "tribuo"} → {@link TribuoImporter}, {@code "onnx"} → {@link OnnxImporter}. */
    public static ModelImporters standard() {
        return of(List.of(new TribuoImporter(), new OnnxImporter()));
    }

    /** A registry of the given importers; their formats must be distinct. */
    public static ModelImporters of(List<? extends ModelImporter> importers) {
        Map<String, ModelImporter> m = new LinkedHashMap<>();
        for (ModelImporter i : importers) {
            if (m.putIfAbsent(i.format(), i) != null) {
                throw new IllegalArgumentException("two importers for format \"" + i.format() + "\"");
            }
        }
        return new ModelImporters(java.util.Collections.unmodifiableMap(m));
    }

    /** The importer of a format, if there is one. */
    public Optional<ModelImporter> forFormat(String format) {
        return Optional.ofNullable(format == null ? null : byFormat.get(format));
    }

    /** The known formats, in registration order. */
    public List<String> formats() {
        return List.copyOf(byFormat.keySet());
    }
}

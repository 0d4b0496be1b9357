package io.zkml.compiler.tribuo;

import io.zkml.compiler.model.ImportLimits;
import io.zkml.compiler.model.ModelImporter;

import java.util.List;

/** The {@code "tribuo"} format: Tribuo 4.3 protobuf models, read by {@link TribuoModelReader}. */
public final class TribuoImporter implements ModelImporter {

    public static final String FORMAT = "tribuo";

    @Override
    public String format() {
        return FORMAT;
    }

    @Override
    public ImportedModel read(byte[] bytes, ImportLimits limits) throws ModelFormatException {
        return TribuoModelReader.read(bytes, limits);
    }

    @Override
    public List<String> supportedModelClasses() {
        return TribuoModelReader.SUPPORTED_MODEL_CLASSES;
    }
}

package io.zkml.compiler.tribuo;

import io.zkml.compiler.model.LinearStructure;
import io.zkml.compiler.model.ModelFamily;
import io.zkml.compiler.model.ModelStructure;

/**
 * A model read by {@link TribuoModelReader}. Kept for the code that names this type; the
 * interface is {@link io.zkml.compiler.model.ImportedModel}. The defaults describe a linear model
 * from {@link #weights()} and {@link #biases()}, so that implementations written before trees
 * (test doubles) keep working; the reader's tree models override them.
 */
public interface ImportedModel extends io.zkml.compiler.model.ImportedModel {

    @Override
    default String format() {
        return TribuoImporter.FORMAT;
    }

    @Override
    default ModelFamily family() {
        return ModelFamily.LINEAR;
    }

    @Override
    default ModelStructure structure() {
        return new LinearStructure(weights(), biases());
    }

    @Override
    default int memberCount() {
        return 1;
    }

    @Override
    default int maxDepth() {
        return 0;
    }
}

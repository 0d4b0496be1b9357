package io.zkml.compiler.onnx;

import io.zkml.compiler.model.ImportLimits;
import io.zkml.compiler.model.ImportedModel;
import io.zkml.compiler.model.ModelImporter;
import io.zkml.compiler.tribuo.ModelFormatException;

import java.util.List;

/** The {@code "onnx"} format: ONNX MLPs, read by {@link OnnxModelReader} (docs/onnx-models.md). */
public final class OnnxImporter implements ModelImporter {

    public static final String FORMAT = "onnx";

    @Override
    public String format() {
        return FORMAT;
    }

    @Override
    public ImportedModel read(byte[] bytes, ImportLimits limits) throws ModelFormatException {
        return OnnxModelReader.readModel(bytes, null, limits);
    }

    @Override
    public ImportedModel read(byte[] bytes, ImportLimits limits, List<String> featureNames) throws ModelFormatException {
        return OnnxModelReader.readModel(bytes, featureNames, limits);
    }

    @Override
    public List<String> supportedModelClasses() {
        return List.of("ONNX feed-forward networks of " + String.join(", ", OnnxModelReader.SUPPORTED_OPERATORS)
                + " (ai.onnx opsets " + OnnxModelReader.MIN_OPSET + "-" + OnnxModelReader.MAX_OPSET + ")",
                "ONNX tree ensembles: ai.onnx.ml TreeEnsembleClassifier, TreeEnsembleRegressor (skl2onnx, onnxmltools)",
                "ONNX linear models of ai.onnx.ml " + String.join(", ", OnnxModelReader.SUPPORTED_ML_OPERATORS)
                        + " (opsets " + OnnxModelReader.MIN_ML_OPSET + "-" + OnnxModelReader.MAX_ML_OPSET + ")");
    }
}

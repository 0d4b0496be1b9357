package io.zkml.compiler.onnx;

import io.zkml.compiler.Task;
import io.zkml.compiler.model.ConvNetStructure;

import java.util.List;

/**
 * An ONNX convolutional network read into a {@link ConvNetStructure} by {@link OnnxConvReader} (the REST
 * family {@code mlp} covers convolutional networks too). Its float predictions are the project's own
 * evaluation of that structure in double precision (tests check it against ONNX Runtime's outputs,
 * testdata/onnx/); ONNX bytes are never handed to native code. Classification: the label is the
 * index of the largest score, as a string ({@code "0"}, …), and the values are the scores before
 * any Softmax.
 */
public final class OnnxConvModel extends OnnxNetworkModel<ConvNetStructure> {

    OnnxConvModel(ConvNetStructure structure, Task task, List<String> features, List<String> outputs, String modelClass,
            String producer, long irVersion, int opset) {
        super(structure, task, features, outputs, modelClass, producer, irVersion, opset);
    }

    @Override
    double[] evaluate(double[] input) {
        return structure().evaluate(input);
    }
}

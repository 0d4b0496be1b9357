package io.zkml.cli;

import java.nio.file.Path;

import io.zkml.compiler.CircuitCompiler;
import io.zkml.compiler.CompilationException;
import io.zkml.compiler.CompiledCircuit;
import io.zkml.compiler.QuantizationSettings;
import io.zkml.compiler.model.ImportLimits;
import io.zkml.compiler.model.ImportedModel;
import io.zkml.compiler.model.ModelImporter;
import io.zkml.compiler.model.ModelImporters;
import io.zkml.compiler.tribuo.ModelFormatException;

/**
 * Model file + settings → compiled circuit, exactly as the service's compile job does it: the
 * importer of the format from {@link ModelImporters#standard()} with {@link ImportLimits#defaults()},
 * then {@link CircuitCompiler#compile} with the SHA-256 of the model bytes as the IR's source hash.
 */
final class ModelCompilation {

    private ModelCompilation() {
    }

    /** What was compiled: the model's hash and the circuit. */
    record Result(String modelSha256, ImportedModel model, CompiledCircuit circuit) {
    }

    static Result compile(Path modelFile, String format, QuantizationSettings settings, String name) {
        ModelImporters importers = ModelImporters.standard();
        ModelImporter importer = importers.forFormat(format).orElseThrow(() ->
                CliException.usage("unknown model format \"" + format + "\" (known: " + String.join(", ", importers.formats()) + ")"));
        byte[] bytes = Artifacts.read(modelFile, "model file");
        ImportedModel model;
        try {
            model = importer.read(bytes, ImportLimits.defaults());
        } catch (ModelFormatException e) {
            throw CliException.badInput("model file " + modelFile + ": " + Artifacts.firstLine(e.getMessage()), e);
        }
        String sha = Artifacts.sha256(bytes);
        try {
            return new Result(sha, model, CircuitCompiler.compile(model, name, sha, settings));
        } catch (CompilationException | IllegalArgumentException e) {
            throw CliException.badInput("compilation failed: " + Artifacts.firstLine(e.getMessage()), e);
        }
    }

    /** The default circuit name: the model file's name without its extension. */
    static String defaultName(Path modelFile) {
        String n = modelFile.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot > 0 ? n.substring(0, dot) : n;
    }
}

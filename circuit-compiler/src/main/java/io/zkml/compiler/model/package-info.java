/**
 * The compiler's format-neutral view of a model: {@link io.zkml.compiler.model.ImportedModel}
 * with its {@link io.zkml.compiler.model.ModelStructure} (linear weights or decision trees in the
 * IR's node encoding), and the importers that produce it ({@link io.zkml.compiler.model.ModelImporters}).
 */
package io.zkml.compiler.model;

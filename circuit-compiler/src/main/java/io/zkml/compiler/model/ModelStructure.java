package io.zkml.compiler.model;

/**
 * What a model computes, as plain numbers: the weights of a linear model or the trees of a tree
 * ensemble. Feature indices are positions in {@link ImportedModel#features()}; output indices are
 * positions in {@link ImportedModel#outputs()}.
 */
public sealed interface ModelStructure permits LinearStructure, TreeEnsembleStructure, NetworkStructure, ConvNetStructure {
}

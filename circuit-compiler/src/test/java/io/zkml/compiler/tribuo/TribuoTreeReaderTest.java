package io.zkml.compiler.tribuo;

import com.google.protobuf.Any;
import io.zkml.compiler.Task;
import io.zkml.compiler.model.DecisionTree;
import io.zkml.compiler.model.ImportLimits;
import io.zkml.compiler.model.ModelFamily;
import io.zkml.compiler.model.ModelImporters;
import io.zkml.compiler.model.TreeEnsembleStructure;
import io.zkml.compiler.model.TreeEnsembleStructure.Combiner;
import io.zkml.compiler.tribuo.ModelFormatException.Reason;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.tribuo.Model;
import org.tribuo.MutableDataset;
import org.tribuo.Prediction;
import org.tribuo.classification.Label;
import org.tribuo.classification.dtree.CARTClassificationTrainer;
import org.tribuo.classification.ensemble.AdaBoostTrainer;
import org.tribuo.classification.ensemble.FullyWeightedVotingCombiner;
import org.tribuo.classification.ensemble.VotingCombiner;
import org.tribuo.common.tree.ExtraTreesTrainer;
import org.tribuo.common.tree.RandomForestTrainer;
import org.tribuo.common.tree.TreeModel;
import org.tribuo.common.tree.protos.TreeModelProto;
import org.tribuo.common.tree.protos.TreeNodeProto;
import org.tribuo.common.tree.protos.SplitNodeProto;
import org.tribuo.common.tree.protos.LeafNodeProto;
import org.tribuo.ensemble.WeightedEnsembleModel;
import org.tribuo.impl.ArrayExample;
import org.tribuo.protos.core.ModelProto;
import org.tribuo.protos.core.WeightedEnsembleModelProto;
import org.tribuo.regression.Regressor;
import org.tribuo.regression.ensemble.AveragingCombiner;
import org.tribuo.regression.rtree.CARTJointRegressionTrainer;
import org.tribuo.regression.rtree.CARTRegressionTrainer;
import org.tribuo.regression.rtree.impurity.MeanSquaredError;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class TribuoTreeReaderTest {

    /** Every model under test, by name, with what the reader must make of it. */
    static final Map<String, Model<?>> MODELS = new LinkedHashMap<>();
    static Model<Label> cart;
    static Model<Regressor> cartRegression;
    static WeightedEnsembleModel<Label> forest;

    @BeforeAll
    @SuppressWarnings("unchecked")
    static void train() {
        MutableDataset<Label> labelled = TribuoFixtures.labelled(300, 11);
        MutableDataset<Regressor> regression = TribuoFixtures.regression(300, 12);
        cart = new CARTClassificationTrainer(6).train(labelled);
        cartRegression = new CARTRegressionTrainer(6).train(regression);
        forest = (WeightedEnsembleModel<Label>) new RandomForestTrainer<>(
                new CARTClassificationTrainer(5, 0.67f, 13L), new VotingCombiner(), 7, 13L).train(labelled);
        MODELS.put("cart classification", cart);
        MODELS.put("cart regression", cartRegression);
        MODELS.put("random forest, voting", forest);
        MODELS.put("random forest, fully weighted voting", new RandomForestTrainer<>(
                new CARTClassificationTrainer(5, 0.67f, 14L), new FullyWeightedVotingCombiner(), 6, 14L).train(labelled));
        MODELS.put("extra trees, voting", new ExtraTreesTrainer<>(
                new CARTClassificationTrainer(5, 1.0f, true, 15L), new VotingCombiner(), 5, 15L).train(labelled));
        MODELS.put("extra trees, fully weighted voting", new ExtraTreesTrainer<>(
                new CARTClassificationTrainer(4, 1.0f, true, 16L), new FullyWeightedVotingCombiner(), 5, 16L).train(labelled));
        MODELS.put("random forest regression, averaging", new RandomForestTrainer<>(
                new CARTRegressionTrainer(5, 5, 0.0f, 0.67f, false, new MeanSquaredError(), 17L),
                new AveragingCombiner(), 5, 17L).train(regression));
        MODELS.put("extra trees regression, averaging", new ExtraTreesTrainer<>(
                new CARTRegressionTrainer(4, 5, 0.0f, 1.0f, true, new MeanSquaredError(), 18L),
                new AveragingCombiner(), 4, 18L).train(regression));
        MODELS.put("adaboost (unequal weights), voting", new AdaBoostTrainer(new CARTClassificationTrainer(2), 5, 19L).train(labelled));
        List<Model<Label>> three = List.of(new CARTClassificationTrainer(1).train(labelled),
                new CARTClassificationTrainer(2).train(labelled), new CARTClassificationTrainer(3).train(labelled));
        // 0.5 = 0.25 + 0.25 exactly: vote ties, broken by the lowest label id
        MODELS.put("unequal weights with ties, voting", WeightedEnsembleModel.createEnsembleFromExistingModels(
                "w", three, new VotingCombiner(), new float[]{0.5f, 0.25f, 0.25f}));
        MODELS.put("unequal weights, fully weighted voting", WeightedEnsembleModel.createEnsembleFromExistingModels(
                "fw", three, new FullyWeightedVotingCombiner(), new float[]{3f, 1f, 0.25f}));
        List<Model<Regressor>> regs = List.of(new CARTRegressionTrainer(2).train(regression),
                new CARTRegressionTrainer(3).train(regression), new CARTRegressionTrainer(4).train(regression));
        MODELS.put("unequal weights, averaging", WeightedEnsembleModel.createEnsembleFromExistingModels(
                "avg", regs, new AveragingCombiner(), new float[]{2f, 1f, 0.5f}));
    }

    static ImportedModel read(Model<?> m) throws ModelFormatException {
        return TribuoModelReader.read(TribuoFixtures.protobufBytes(m));
    }

    static ModelFormatException rejected(byte[] bytes, ImportLimits limits) {
        ModelFormatException e = catchThrowableOfType(ModelFormatException.class, () -> TribuoModelReader.read(bytes, limits));
        assertThat(e).as("the reader must reject these bytes").isNotNull();
        assertThat(e.getMessage()).isNotBlank();
        return e;
    }

    /** ≥ 1000 seeded inputs: random ones, every split threshold exactly (and one ulp either side), zeros. */
    static List<double[]> inputs(TreeEnsembleStructure s, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<double[]> xs = new ArrayList<>();
        xs.add(new double[3]);
        for (TreeEnsembleStructure.Member m : s.members()) {
            for (DecisionTree t : m.trees()) {
                for (int i = 0; i < t.internalNodes(); i++) {
                    for (double v : new double[]{t.threshold()[i], Math.nextDown(t.threshold()[i]), Math.nextUp(t.threshold()[i])}) {
                        double[] x = {r.nextDouble(-4, 4), r.nextDouble(-4, 4), r.nextDouble(-4, 4)};
                        x[t.feature()[i]] = v;
                        xs.add(x);
                    }
                }
            }
        }
        while (xs.size() < 1200) {
            xs.add(new double[]{r.nextDouble(-4, 4), r.nextDouble(-4, 4), r.nextDouble(-4, 4)});
        }
        return xs;
    }

    // ---- accepted models: the structure predicts exactly what Tribuo predicts ----

    @Test
    @SuppressWarnings({"unchecked", "rawtypes"})
    void the_pure_double_structure_predicts_what_tribuo_predicts_for_every_tree_model() throws Exception {
        for (Map.Entry<String, Model<?>> e : MODELS.entrySet()) {
            Model<?> original = e.getValue();
            ImportedModel m = read(original);
            TreeEnsembleStructure s = (TreeEnsembleStructure) m.structure();
            assertThat(m.features()).containsExactly("alpha", "mid", "zeta");
            int thresholdInputs = 0;
            List<double[]> xs = inputs(s, e.getKey().hashCode());
            assertThat(xs).hasSizeGreaterThanOrEqualTo(1000);
            for (double[] x : xs) {
                TreeEnsembleStructure.Result ours = s.predict(x);
                FloatPrediction tribuo = m.predict(x); // the deserialized model
                if (m.task() == Task.CLASSIFICATION) {
                    assertThat(m.outputs().get(ours.label())).as("%s at %s", e.getKey(), java.util.Arrays.toString(x))
                            .isEqualTo(tribuo.label());
                    for (int j = 0; j < ours.values().length; j++) {
                        assertThat(ours.values()[j]).as("%s score %s", e.getKey(), m.outputs().get(j))
                                .isCloseTo(tribuo.values().get(m.outputs().get(j)), org.assertj.core.api.Assertions.within(1e-12));
                    }
                    // and the model as trained, before serialization
                    Prediction<Label> p = ((Model<Label>) original).predict(new ArrayExample<>(
                            org.tribuo.classification.LabelFactory.UNKNOWN_LABEL, m.features().toArray(new String[0]), x.clone()));
                    assertThat(m.outputs().get(ours.label())).isEqualTo(p.getOutput().getLabel());
                } else {
                    assertThat(ours.label()).isEqualTo(-1);
                    for (int d = 0; d < ours.values().length; d++) {
                        assertThat(Math.abs(ours.values()[d] - tribuo.values().get(m.outputs().get(d))))
                                .as("%s dimension %s at %s", e.getKey(), m.outputs().get(d), java.util.Arrays.toString(x))
                                .isLessThanOrEqualTo(1e-9);
                    }
                }
                thresholdInputs++;
            }
            assertThat(thresholdInputs).isGreaterThanOrEqualTo(1000);
        }
    }

    @Test
    void the_tie_test_ensemble_really_has_ties() throws Exception {
        ImportedModel m = read(MODELS.get("unequal weights with ties, voting"));
        TreeEnsembleStructure s = (TreeEnsembleStructure) m.structure();
        long ties = inputs(s, 5).stream().map(s::predict).filter(r -> {
            double max = java.util.Arrays.stream(r.values()).max().orElseThrow();
            return java.util.Arrays.stream(r.values()).filter(v -> v == max).count() > 1;
        }).count();
        assertThat(ties).as("inputs with two labels at the same top vote").isPositive();
    }

    @Test
    void families_members_depths_and_combiners_are_reported() throws Exception {
        ImportedModel c = read(cart);
        assertThat(c.format()).isEqualTo("tribuo");
        assertThat(c.family()).isEqualTo(ModelFamily.TREE);
        assertThat(c.family().apiName()).isEqualTo("tree");
        assertThat(c.modelClass()).isEqualTo("org.tribuo.common.tree.TreeModel");
        assertThat(c.memberCount()).isEqualTo(1);
        assertThat(c.maxDepth()).isEqualTo(((TreeModel<Label>) cart).getDepth()).isPositive();
        TreeEnsembleStructure cs = (TreeEnsembleStructure) c.structure();
        assertThat(cs.combiner()).isEqualTo(Combiner.SINGLE);
        assertThat(cs.members().get(0).weight()).isEqualTo(1.0);
        assertThat(cs.members().get(0).trees().get(0).outputDimension()).isEqualTo(-1);
        for (int id = 0; id < c.outputs().size(); id++) {
            assertThat(c.outputs().get(id)).isEqualTo(cart.getOutputIDInfo().getOutput(id).getLabel());
        }

        ImportedModel r = read(cartRegression);
        assertThat(r.task()).isEqualTo(Task.REGRESSION);
        assertThat(r.family()).isEqualTo(ModelFamily.TREE);
        assertThat(r.outputs()).containsExactly("aa_first", "zz_second");
        TreeEnsembleStructure rs = (TreeEnsembleStructure) r.structure();
        assertThat(rs.members().get(0).trees()).extracting(DecisionTree::outputDimension).containsExactly(0, 1);
        assertThat(rs.members().get(0).trees()).allSatisfy(t -> assertThat(t.leafLabel()).isNull());
        assertThat(r.maxDepth()).isEqualTo(((TreeModel<Regressor>) cartRegression).getDepth());

        ImportedModel f = read(forest);
        assertThat(f.family()).isEqualTo(ModelFamily.ENSEMBLE);
        assertThat(f.memberCount()).isEqualTo(7);
        TreeEnsembleStructure fs = (TreeEnsembleStructure) f.structure();
        assertThat(fs.combiner()).isEqualTo(Combiner.VOTING);
        assertThat(fs.members()).allSatisfy(mem -> assertThat(mem.weight()).isEqualTo((double) (1.0f / 7)));
        assertThat(((TreeEnsembleStructure) read(MODELS.get("unequal weights, averaging")).structure()).members())
                .extracting(TreeEnsembleStructure.Member::weight).containsExactly(2.0, 1.0, 0.5);
        assertThat(((TreeEnsembleStructure) read(MODELS.get("random forest, fully weighted voting")).structure()).combiner())
                .isEqualTo(Combiner.FULLY_WEIGHTED_VOTING);
        assertThat(((TreeEnsembleStructure) read(MODELS.get("extra trees regression, averaging")).structure()).combiner())
                .isEqualTo(Combiner.AVERAGING);

        assertThatThrownBy(f::weights).isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("structure()");
        assertThatThrownBy(f::biases).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void training_ranges_are_tribuo_feature_statistics() throws Exception {
        assertThat(read(forest).trainingRanges()).hasSize(3).allSatisfy(fr -> {
            assertThat(fr.min()).isBetween(-3.0, -2.5);
            assertThat(fr.max()).isBetween(2.5, 3.0);
        });
    }

    @Test
    void the_registry_finds_the_tribuo_importer_by_format() throws Exception {
        ModelImporters reg = ModelImporters.standard();
        assertThat(reg.formats()).containsExactly("tribuo", "onnx");
        assertThat(reg.forFormat("keras")).isEmpty();
        assertThat(reg.forFormat(null)).isEmpty();
        var importer = reg.forFormat("tribuo").orElseThrow();
        assertThat(importer.supportedModelClasses()).contains("org.tribuo.common.tree.TreeModel",
                "org.tribuo.regression.rtree.IndependentRegressionTreeModel", "org.tribuo.ensemble.WeightedEnsembleModel",
                "org.tribuo.classification.sgd.linear.LinearSGDModel");
        var m = importer.read(TribuoFixtures.protobufBytes(forest), ImportLimits.defaults());
        assertThat(m.family()).isEqualTo(ModelFamily.ENSEMBLE);
        var linear = importer.read(TribuoFixtures.protobufBytes(TribuoFixtures.logisticModel()), ImportLimits.defaults());
        assertThat(linear.family()).isEqualTo(ModelFamily.LINEAR);
        assertThat(linear.memberCount()).isEqualTo(1);
        assertThat(linear.maxDepth()).isZero();
        assertThat(((io.zkml.compiler.model.LinearStructure) linear.structure()).weights()).isDeepEqualTo(linear.weights());
    }

    // ---- limits ----

    @Test
    void limits_on_depth_members_and_nodes_are_checked() throws Exception {
        byte[] c = TribuoFixtures.protobufBytes(cart);
        int depth = ((TreeModel<Label>) cart).getDepth();
        ModelFormatException e = rejected(c, new ImportLimits(depth - 1, 1024, 1 << 20));
        assertThat(e.reason()).isEqualTo(Reason.LIMIT_EXCEEDED);
        assertThat(e.limitName()).isEqualTo("maxTreeDepth");
        assertThat(e.limitValue()).isEqualTo(depth - 1);
        assertThat(e.actualValue()).isEqualTo(depth);
        assertThat(e).hasMessageContaining("maxTreeDepth").hasMessageContaining(String.valueOf(depth - 1));
        assertThat(TribuoModelReader.read(c, new ImportLimits(depth, 1, 1 << 20)).maxDepth()).isEqualTo(depth);

        byte[] f = TribuoFixtures.protobufBytes(forest);
        e = rejected(f, new ImportLimits(16, 6, 1 << 20));
        assertThat(e.reason()).isEqualTo(Reason.LIMIT_EXCEEDED);
        assertThat(e.limitName()).isEqualTo("maxEnsembleMembers");
        assertThat(e.actualValue()).isEqualTo(7);
        TribuoModelReader.read(f, new ImportLimits(16, 7, 1 << 20));

        long nodes = ((TreeEnsembleStructure) read(forest).structure()).internalNodeCount();
        e = rejected(f, new ImportLimits(16, 1024, (int) nodes - 1));
        assertThat(e.reason()).isEqualTo(Reason.LIMIT_EXCEEDED);
        assertThat(e.limitName()).isEqualTo("maxTreeNodes");
        assertThat(e.limitValue()).isEqualTo(nodes - 1);
        assertThat(e.actualValue()).isEqualTo(nodes);
        TribuoModelReader.read(f, new ImportLimits(16, 1024, (int) nodes));
        // the non-configurable readers keep defaults
        assertThat(ImportLimits.defaults()).isEqualTo(new ImportLimits(16, 1024, 1 << 20));
        assertThatThrownBy(() -> new ImportLimits(ImportLimits.DEPTH_CEILING + 1, 1, 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void limits_are_checked_on_the_protobuf_before_tribuo_deserializes() throws Exception {
        // An ensemble of 5000 copies of a one-leaf member whose metadata Tribuo could not read (no
        // feature domain, no provenance): if Tribuo ran first this would be NOT_PROTOBUF.
        ModelProto proto = forest.serialize();
        WeightedEnsembleModelProto ep = proto.getSerializedData().unpack(WeightedEnsembleModelProto.class);
        ModelProto member = ep.getModels(0);
        TreeModelProto tm = member.getSerializedData().unpack(TreeModelProto.class);
        ModelProto broken = member.toBuilder().setSerializedData(Any.pack(tm.toBuilder()
                .setMetadata(tm.getMetadata().toBuilder().clearFeatureDomain().clearProvenance())
                .clearNodes().addNodes(leafOf(tm))
                .build())).build();
        WeightedEnsembleModelProto.Builder many = ep.toBuilder().clearModels().clearWeights();
        for (int i = 0; i < 5000; i++) {
            many.addModels(broken).addWeights(1f);
        }
        byte[] bytes = proto.toBuilder().setSerializedData(Any.pack(many.build())).build().toByteArray();
        ModelFormatException e = rejected(bytes, ImportLimits.defaults());
        assertThat(e.reason()).isEqualTo(Reason.LIMIT_EXCEEDED);
        assertThat(e.limitName()).isEqualTo("maxEnsembleMembers");
        assertThat(e.actualValue()).isEqualTo(5000);

        // 3000 split nodes that do not even form a tree: counted (and refused) before anything else.
        TreeModelProto single = cart.serialize().getSerializedData().unpack(TreeModelProto.class);
        TreeNodeProto split = single.getNodes(0);
        TreeModelProto.Builder flood = single.toBuilder().clearNodes();
        for (int i = 0; i < 3000; i++) {
            flood.addNodes(split);
        }
        byte[] floodBytes = cart.serialize().toBuilder().setSerializedData(Any.pack(flood.build())).build().toByteArray();
        e = rejected(floodBytes, new ImportLimits(16, 1024, 1000));
        assertThat(e.reason()).isEqualTo(Reason.LIMIT_EXCEEDED);
        assertThat(e.limitName()).isEqualTo("maxTreeNodes");
        assertThat(e.actualValue()).isEqualTo(3000);
        assertThat(rejected(floodBytes, ImportLimits.defaults()).reason()).as("not a tree").isEqualTo(Reason.NOT_PROTOBUF);
    }

    static TreeNodeProto leafOf(TreeModelProto tm) throws Exception {
        for (TreeNodeProto n : tm.getNodesList()) {
            if (n.getSerializedData().is(LeafNodeProto.class)) {
                return n.toBuilder().setSerializedData(Any.pack(n.getSerializedData().unpack(LeafNodeProto.class).toBuilder()
                        .setCurIdx(0).setParentIdx(-1).build())).build();
            }
        }
        throw new IllegalStateException("no leaf");
    }

    /** A well-formed chain: each split sends ≤ to a leaf and > to the next split. */
    static byte[] chain(int depth) throws Exception {
        ModelProto proto = cart.serialize();
        TreeModelProto tp = proto.getSerializedData().unpack(TreeModelProto.class);
        SplitNodeProto splitTemplate = null;
        LeafNodeProto leafTemplate = null;
        for (TreeNodeProto n : tp.getNodesList()) {
            if (n.getSerializedData().is(SplitNodeProto.class) && splitTemplate == null) {
                splitTemplate = n.getSerializedData().unpack(SplitNodeProto.class);
            } else if (n.getSerializedData().is(LeafNodeProto.class) && leafTemplate == null) {
                leafTemplate = n.getSerializedData().unpack(LeafNodeProto.class);
            }
        }
        TreeNodeProto nodeTemplate = tp.getNodes(0);
        TreeModelProto.Builder b = tp.toBuilder().clearNodes();
        // node 2k: split, 2k+1: its leaf, 2k+2: next split; the last split has two leaves.
        int idx = 0;
        for (int k = 0; k < depth; k++) {
            int me = idx;
            int leaf = me + 1;
            int next = me + 2;
            b.addNodes(nodeTemplate.toBuilder().setSerializedData(Any.pack(splitTemplate.toBuilder()
                    .setCurIdx(me).setParentIdx(k == 0 ? -1 : me - 2).setLessThanOrEqualIdx(leaf).setGreaterThanIdx(next).build())));
            b.addNodes(nodeTemplate.toBuilder().setSerializedData(Any.pack(leafTemplate.toBuilder()
                    .setCurIdx(leaf).setParentIdx(me).build())));
            idx += 2;
        }
        b.addNodes(nodeTemplate.toBuilder().setSerializedData(Any.pack(leafTemplate.toBuilder()
                .setCurIdx(idx).setParentIdx(idx - 2).build())));
        return proto.toBuilder().setSerializedData(Any.pack(b.build())).build().toByteArray();
    }

    @Test
    void a_deep_tree_is_refused_on_its_protobuf_and_a_shallow_crafted_one_reads() throws Exception {
        ModelFormatException e = rejected(chain(20_000), ImportLimits.defaults());
        assertThat(e.reason()).isEqualTo(Reason.LIMIT_EXCEEDED);
        assertThat(e.limitName()).isEqualTo("maxTreeDepth");
        assertThat(e.actualValue()).isEqualTo(20_000);
        ImportedModel ok = TribuoModelReader.read(chain(16), ImportLimits.defaults());
        assertThat(ok.maxDepth()).isEqualTo(16);
        TreeEnsembleStructure s = (TreeEnsembleStructure) ok.structure();
        for (double[] x : inputs(s, 3)) {
            assertThat(ok.outputs().get(s.predict(x).label())).isEqualTo(ok.predict(x).label());
        }
    }

    @Test
    void a_malformed_node_list_is_not_protobuf() throws Exception {
        ModelProto proto = cart.serialize();
        TreeModelProto tp = proto.getSerializedData().unpack(TreeModelProto.class);
        SplitNodeProto root = tp.getNodes(0).getSerializedData().unpack(SplitNodeProto.class);
        for (SplitNodeProto bad : List.of(root.toBuilder().setGreaterThanIdx(Integer.MAX_VALUE).build(),
                root.toBuilder().setGreaterThanIdx(root.getLessThanOrEqualIdx()).build(),
                root.toBuilder().setGreaterThanIdx(0).build(),
                root.toBuilder().setParentIdx(3).build())) {
            byte[] bytes = proto.toBuilder().setSerializedData(Any.pack(tp.toBuilder()
                    .setNodes(0, tp.getNodes(0).toBuilder().setSerializedData(Any.pack(bad))).build())).build().toByteArray();
            assertThat(rejected(bytes, ImportLimits.defaults()).reason()).as(bad.toString()).isEqualTo(Reason.NOT_PROTOBUF);
        }
    }

    // ---- refused model kinds and foreign classes ----

    @Test
    void a_tree_model_with_a_foreign_class_name_anywhere_is_refused_before_it_is_loaded() throws Exception {
        ModelProto proto = cart.serialize();
        TreeModelProto tp = proto.getSerializedData().unpack(TreeModelProto.class);
        String canary = StaticInitCanary.class.getName();
        // a node's class name
        byte[] node = proto.toBuilder().setSerializedData(Any.pack(tp.toBuilder()
                .setNodes(1, tp.getNodes(1).toBuilder().setClassName(canary)).build())).build().toByteArray();
        // a leaf's output class name
        int leafIdx = 0;
        while (!tp.getNodes(leafIdx).getSerializedData().is(LeafNodeProto.class)) {
            leafIdx++;
        }
        LeafNodeProto leaf = tp.getNodes(leafIdx).getSerializedData().unpack(LeafNodeProto.class);
        byte[] output = proto.toBuilder().setSerializedData(Any.pack(tp.toBuilder().setNodes(leafIdx, tp.getNodes(leafIdx).toBuilder()
                .setSerializedData(Any.pack(leaf.toBuilder().setOutput(leaf.getOutput().toBuilder().setClassName(canary)).build())))
                .build())).build().toByteArray();
        // an ensemble's combiner
        ModelProto fp = forest.serialize();
        WeightedEnsembleModelProto ep = fp.getSerializedData().unpack(WeightedEnsembleModelProto.class);
        byte[] combiner = fp.toBuilder().setSerializedData(Any.pack(ep.toBuilder()
                .setCombiner(ep.getCombiner().toBuilder().setClassName(canary)).build())).build().toByteArray();
        // a message type no tree uses, inside a node
        byte[] any = proto.toBuilder().setSerializedData(Any.pack(tp.toBuilder().setNodes(1, tp.getNodes(1).toBuilder()
                .setSerializedData(Any.pack(ModelProto.getDefaultInstance()))).build())).build().toByteArray();
        for (byte[] bytes : List.of(node, output, combiner, any)) {
            ModelFormatException e = rejected(bytes, ImportLimits.defaults());
            assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED_MODEL_TYPE);
        }
        assertThat(rejected(node, ImportLimits.defaults())).hasMessageContaining("StaticInitCanary");
        assertThat(System.getProperty(StaticInitCanary.PROPERTY)).as("the canary's static initializer ran").isNull();
    }

    @Test
    void an_ensemble_with_a_linear_member_is_an_unsupported_model_type() throws Exception {
        Model<Label> linear = TribuoFixtures.train(new org.tribuo.classification.sgd.linear.LinearSGDTrainer(
                new org.tribuo.classification.sgd.objectives.LogMulticlass(), new org.tribuo.math.optimisers.AdaGrad(0.5), 2, 1000, 1, 1L),
                TribuoFixtures.labelled(300, 11));
        var mixed = WeightedEnsembleModel.createEnsembleFromExistingModels("mixed", List.of(cart, linear), new VotingCombiner());
        ModelFormatException e = rejected(TribuoFixtures.protobufBytes(mixed), ImportLimits.defaults());
        assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED_MODEL_TYPE);
        assertThat(e).hasMessageContaining("org.tribuo.classification.sgd.linear.LinearSGDModel");
    }

    @Test
    void a_joint_regression_tree_is_an_unsupported_model_type() {
        var joint = new CARTJointRegressionTrainer(3).train(TribuoFixtures.regression(100, 20));
        ModelFormatException e = rejected(TribuoFixtures.protobufBytes(joint), ImportLimits.defaults());
        assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED_MODEL_TYPE);
        assertThat(e).hasMessageContaining("CARTJointRegressionTrainer");
    }

    @Test
    void a_kmeans_model_is_an_unsupported_model_type() {
        var cf = new org.tribuo.clustering.ClusteringFactory();
        MutableDataset<org.tribuo.clustering.ClusterID> ds = new MutableDataset<>(
                new org.tribuo.provenance.SimpleDataSourceProvenance("test", cf), cf);
        SplittableRandom r = new SplittableRandom(21);
        for (int i = 0; i < 60; i++) {
            ds.add(new ArrayExample<>(org.tribuo.clustering.ClusteringFactory.UNASSIGNED_CLUSTER_ID, TribuoFixtures.FEATURES,
                    new double[]{r.nextDouble(), r.nextDouble(), r.nextDouble()}));
        }
        var km = new org.tribuo.clustering.kmeans.KMeansTrainer(3, 5, new org.tribuo.math.distance.L2Distance(), 1, 21L).train(ds);
        ModelFormatException e = rejected(TribuoFixtures.protobufBytes(km), ImportLimits.defaults());
        assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED_MODEL_TYPE);
        assertThat(e).hasMessageContaining("org.tribuo.clustering.kmeans.KMeansModel");
    }

    @Test
    void xgboost_and_libsvm_model_classes_are_unsupported_model_types() {
        // Their jars pull native libraries; a ModelProto naming the class is what the reader sees first.
        for (String cls : List.of("org.tribuo.common.xgboost.XGBoostModel", "org.tribuo.classification.libsvm.LibSVMClassificationModel",
                "org.tribuo.classification.sgd.fm.FMClassificationModel")) {
            byte[] bytes = ModelProto.newBuilder().setVersion(0).setClassName(cls)
                    .setSerializedData(Any.pack(TreeModelProto.getDefaultInstance())).build().toByteArray();
            ModelFormatException e = rejected(bytes, ImportLimits.defaults());
            assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED_MODEL_TYPE);
            assertThat(e).hasMessageContaining(cls);
        }
    }
}

package io.zkml.compiler.tribuo;

import com.google.protobuf.Any;
import io.zkml.compiler.Task;
import io.zkml.compiler.tribuo.ModelFormatException.Reason;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.tribuo.Model;
import org.tribuo.classification.Label;
import org.tribuo.classification.baseline.DummyClassifierTrainer;
import org.tribuo.classification.sgd.fm.FMClassificationTrainer;
import org.tribuo.classification.sgd.linear.LogisticRegressionTrainer;
import org.tribuo.classification.sgd.objectives.LogMulticlass;
import org.tribuo.classification.sgd.protos.ClassificationLinearSGDProto;
import org.tribuo.common.sgd.AbstractLinearSGDModel;
import org.tribuo.math.la.DenseMatrix;
import org.tribuo.math.optimisers.AdaGrad;
import org.tribuo.protos.core.ModelProto;
import org.tribuo.regression.Regressor;

import java.io.ByteArrayOutputStream;
import java.io.ObjectOutputStream;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.within;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class TribuoModelReaderTest {

    static Model<Label> logistic;
    static Model<Label> hinge;
    static Model<Regressor> regression;

    @BeforeAll
    static void train() {
        logistic = TribuoFixtures.logisticModel();
        hinge = TribuoFixtures.hingeModel();
        regression = TribuoFixtures.regressionModel();
    }

    static ModelFormatException rejected(byte[] bytes) {
        ModelFormatException e = catchThrowableOfType(ModelFormatException.class, () -> TribuoModelReader.read(bytes));
        assertThat(e).as("the reader must reject these bytes").isNotNull();
        assertThat(e.getMessage()).isNotBlank();
        return e;
    }

    // ---- rejected inputs ----

    @Test
    void empty_bytes_are_rejected_as_empty() {
        assertThat(rejected(new byte[0]).reason()).isEqualTo(Reason.EMPTY);
        assertThat(rejected(null).reason()).isEqualTo(Reason.EMPTY);
    }

    @Test
    void more_than_the_limit_is_rejected_as_too_large() {
        assertThat(rejected(new byte[TribuoModelReader.MAX_BYTES + 1]).reason()).isEqualTo(Reason.TOO_LARGE);
    }

    @Test
    void a_java_serialized_tribuo_model_is_rejected_without_being_deserialized() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ObjectOutputStream oos = new ObjectOutputStream(out)) {
            oos.writeObject(logistic); // Tribuo models are Serializable: the classic RCE vector
        }
        ModelFormatException e = rejected(out.toByteArray());
        assertThat(e.reason()).isEqualTo(Reason.JAVA_SERIALIZED);
        assertThat(e).hasMessageContaining("protobuf");
    }

    @Test
    void random_bytes_are_rejected_as_not_protobuf() {
        SplittableRandom r = new SplittableRandom(42);
        for (int i = 0; i < 200; i++) {
            byte[] bytes = new byte[1 + r.nextInt(2000)];
            r.nextBytes(bytes);
            if ((bytes[0] & 0xff) == 0xAC) {
                bytes[0] = 0;
            }
            assertThat(rejected(bytes).reason()).as("random bytes #%d", i).isEqualTo(Reason.NOT_PROTOBUF);
        }
    }

    @Test
    void a_truncated_model_is_rejected_as_not_protobuf() {
        byte[] ok = TribuoFixtures.protobufBytes(logistic);
        for (int len : new int[]{1, 10, ok.length / 2, ok.length - 1}) {
            assertThat(rejected(Arrays.copyOf(ok, len)).reason()).as("first %d bytes", len).isEqualTo(Reason.NOT_PROTOBUF);
        }
    }

    @Test
    void a_factorization_machine_model_is_an_unsupported_model_type() {
        var fm = new FMClassificationTrainer(new LogMulticlass(), new AdaGrad(0.5), 2, 1000, 1L, 2, 0.1)
                .train(TribuoFixtures.labelled(100, 4));
        ModelFormatException e = rejected(TribuoFixtures.protobufBytes(fm));
        assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED_MODEL_TYPE);
        assertThat(e).hasMessageContaining("FMClassificationModel").hasMessageContaining("LinearSGDModel");
    }

    @Test
    void a_dummy_classifier_model_is_an_unsupported_model_type() {
        var dummy = DummyClassifierTrainer.createMostFrequentTrainer().train(TribuoFixtures.labelled(50, 5));
        assertThat(rejected(TribuoFixtures.protobufBytes(dummy)).reason()).isEqualTo(Reason.UNSUPPORTED_MODEL_TYPE);
    }

    @Test
    void a_model_class_outside_the_allow_list_is_never_loaded() {
        byte[] bytes = ModelProto.newBuilder().setVersion(0).setClassName(StaticInitCanary.class.getName())
                .setSerializedData(Any.getDefaultInstance()).build().toByteArray();
        assertThat(rejected(bytes).reason()).isEqualTo(Reason.UNSUPPORTED_MODEL_TYPE);
        assertThat(System.getProperty(StaticInitCanary.PROPERTY)).isNull();
    }

    /** Rewrites the inner classification proto of the logistic model. */
    static byte[] tampered(UnaryOperator<ClassificationLinearSGDProto.Builder> edit) throws Exception {
        ModelProto proto = logistic.serialize();
        ClassificationLinearSGDProto inner = proto.getSerializedData().unpack(ClassificationLinearSGDProto.class);
        return proto.toBuilder().setSerializedData(Any.pack(edit.apply(inner.toBuilder()).build())).build().toByteArray();
    }

    @Test
    void a_nested_component_class_outside_the_allow_list_is_rejected_before_tribuo_loads_it() throws Exception {
        byte[] bytes = tampered(b -> {
            b.getNormalizerBuilder().setClassName(StaticInitCanary.class.getName());
            return b;
        });
        ModelFormatException e = rejected(bytes);
        assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED_MODEL_TYPE);
        assertThat(e).hasMessageContaining("StaticInitCanary");
        assertThat(System.getProperty(StaticInitCanary.PROPERTY)).isNull();
    }

    @Test
    void a_provenance_class_outside_tribuo_and_olcut_is_rejected_before_olcut_loads_it() throws Exception {
        byte[] bytes = tampered(b -> {
            b.getMetadataBuilder().getProvenanceBuilder().getOmpBuilder(0).setProvenanceClassName(StaticInitCanary.class.getName());
            return b;
        });
        assertThat(rejected(bytes).reason()).isEqualTo(Reason.UNSUPPORTED_MODEL_TYPE);
        assertThat(System.getProperty(StaticInitCanary.PROPERTY)).isNull();

        byte[] notProvenance = tampered(b -> {
            b.getMetadataBuilder().getProvenanceBuilder().getOmpBuilder(0).setProvenanceClassName("org.tribuo.Model");
            return b;
        });
        assertThat(rejected(notProvenance)).hasMessageContaining("org.tribuo.Model");
    }

    @Test
    void a_class_in_an_allowed_package_named_by_the_provenance_is_checked_without_being_initialized() throws Exception {
        String canary = org.tribuo.zkmltest.PackageCanary.class.getName();
        byte[] objectProvenance = tampered(b -> {
            b.getMetadataBuilder().getProvenanceBuilder().getOmpBuilder(0).setProvenanceClassName(canary);
            return b;
        });
        assertThat(rejected(objectProvenance)).hasMessageContaining(canary).hasMessageContaining("Provenance class");
        // an enum provenance names its enum class in "additional": it must be an enum
        byte[] enumProvenance = tampered(b -> {
            b.getMetadataBuilder().getProvenanceBuilder().getSmpBuilder(0)
                    .setProvenanceClassName(com.oracle.labs.mlrg.olcut.provenance.primitives.EnumProvenance.class.getName())
                    .setAdditional(canary);
            return b;
        });
        assertThat(rejected(enumProvenance)).hasMessageContaining(canary).hasMessageContaining("Enum class");
        assertThat(System.getProperty(org.tribuo.zkmltest.PackageCanary.PROPERTY)).as("the canary's static initializer ran").isNull();
    }

    @Test
    void an_unexpected_message_type_inside_the_model_is_rejected() throws Exception {
        byte[] bytes = tampered(b -> {
            b.getParamsBuilder().setSerializedData(Any.pack(ModelProto.newBuilder().setClassName("x").build()));
            return b;
        });
        ModelFormatException e = rejected(bytes);
        assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED_MODEL_TYPE);
        assertThat(e).hasMessageContaining("tribuo.core.ModelProto");
    }

    /** Replaces the weight matrix of the logistic model by a raw dense tensor. */
    static byte[] withWeightTensor(List<Integer> dims, int values) throws Exception {
        return tampered(b -> {
            try {
                var params = b.getParams().getSerializedData().unpack(org.tribuo.math.protos.LinearParametersProto.class);
                var tensor = params.getWeightMatrix().toBuilder().setSerializedData(Any.pack(
                        org.tribuo.math.protos.DenseTensorProto.newBuilder().addAllDimensions(dims)
                                .setValues(com.google.protobuf.ByteString.copyFrom(new byte[values * Double.BYTES])).build()));
                b.getParamsBuilder().setSerializedData(Any.pack(params.toBuilder().setWeightMatrix(tensor).build()));
                return b;
            } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @Test
    void a_weight_tensor_whose_dimensions_overflow_an_int_is_rejected_before_tribuo_allocates_it() throws Exception {
        // 65536 · 65537 overflows int to 65536: Tribuo's own check would pass and allocate 34 GB.
        ModelFormatException e = rejected(withWeightTensor(List.of(65536, 65537), 65536));
        assertThat(e.reason()).isEqualTo(Reason.TOO_LARGE);
        assertThat(rejected(withWeightTensor(List.of(3, 4), 11)).reason()).isEqualTo(Reason.NOT_PROTOBUF);
    }

    @Test
    void a_weight_matrix_of_the_wrong_shape_is_rejected_as_not_protobuf() throws Exception {
        assertThat(rejected(withWeightTensor(List.of(3, 7), 21)).reason()).isEqualTo(Reason.NOT_PROTOBUF);
    }

    @Test
    void a_model_with_inconsistent_data_is_rejected_as_not_protobuf() throws Exception {
        byte[] bytes = tampered(b -> {
            b.getMetadataBuilder().clearOutputDomain();
            return b;
        });
        assertThat(rejected(bytes).reason()).isEqualTo(Reason.NOT_PROTOBUF);
    }

    // ---- accepted models ----

    @Test
    void a_logistic_regression_model_is_read_with_features_in_tribuo_id_order() throws Exception {
        ImportedModel m = TribuoModelReader.read(TribuoFixtures.protobufBytes(logistic));

        assertThat(m.task()).isEqualTo(Task.CLASSIFICATION);
        assertThat(m.modelClass()).isEqualTo("org.tribuo.classification.sgd.linear.LinearSGDModel");
        assertThat(m.features()).containsExactly("alpha", "mid", "zeta");
        for (int id = 0; id < m.outputs().size(); id++) {
            assertThat(m.outputs().get(id)).isEqualTo(logistic.getOutputIDInfo().getOutput(id).getLabel());
        }
        DenseMatrix w = ((AbstractLinearSGDModel<?>) logistic).getWeightsCopy();
        assertThat(w.getDimension2Size()).as("Tribuo 4.3 stores the bias as an extra last column").isEqualTo(4);
        for (int j = 0; j < m.outputs().size(); j++) {
            assertThat(m.weights()[j]).containsExactly(w.get(j, 0), w.get(j, 1), w.get(j, 2));
            assertThat(m.biases()[j]).isEqualTo(w.get(j, 3));
        }
    }

    @Test
    void the_tribuo_logistic_regression_trainer_makes_a_supported_model() throws Exception {
        Model<Label> lr = new LogisticRegressionTrainer().train(TribuoFixtures.labelled(100, 9));
        assertThat(TribuoModelReader.read(TribuoFixtures.protobufBytes(lr)).task()).isEqualTo(Task.CLASSIFICATION);
    }

    @Test
    void the_label_is_the_argmax_of_the_linear_scores_for_softmax_and_hinge_models() throws Exception {
        for (Model<Label> model : List.of(logistic, hinge)) {
            ImportedModel m = TribuoModelReader.read(TribuoFixtures.protobufBytes(model));
            SplittableRandom r = new SplittableRandom(7);
            for (int k = 0; k < 100; k++) {
                double[] x = {r.nextDouble(-4, 4), r.nextDouble(-4, 4), r.nextDouble(-4, 4)};
                double[] s = linear(m, x);
                int best = 0;
                for (int j = 1; j < s.length; j++) {
                    if (s[j] > s[best]) {
                        best = j;
                    }
                }
                FloatPrediction p = m.predict(x);
                assertThat(p.label()).isEqualTo(m.outputs().get(best));
                assertThat(p.values()).containsOnlyKeys(m.outputs());
            }
        }
    }

    @Test
    void regression_outputs_follow_the_model_dimension_order_and_match_tribuo() throws Exception {
        ImportedModel m = TribuoModelReader.read(TribuoFixtures.protobufBytes(regression));

        assertThat(m.task()).isEqualTo(Task.REGRESSION);
        assertThat(m.outputs()).containsExactlyInAnyOrder("aa_first", "zz_second");
        SplittableRandom r = new SplittableRandom(8);
        for (int k = 0; k < 100; k++) {
            double[] x = {r.nextDouble(-3, 3), r.nextDouble(-3, 3), r.nextDouble(-3, 3)};
            double[] s = linear(m, x);
            FloatPrediction p = m.predict(x);
            assertThat(p.label()).isNull();
            for (int j = 0; j < s.length; j++) {
                assertThat(p.values().get(m.outputs().get(j))).isCloseTo(s[j], within(1e-9));
            }
        }
        // The data: zz_second ≈ 2·zeta − alpha + 0.5, aa_first ≈ −3·mid + 10 (features alpha, mid, zeta).
        int second = m.outputs().indexOf("zz_second");
        int first = m.outputs().indexOf("aa_first");
        assertThat(m.weights()[second][2]).isCloseTo(2, within(0.2));
        assertThat(m.weights()[first][1]).isCloseTo(-3, within(0.2));
        assertThat(m.biases()[first]).isCloseTo(10, within(0.5));
    }

    @Test
    void training_ranges_come_from_tribuo_feature_statistics() throws Exception {
        ImportedModel m = TribuoModelReader.read(TribuoFixtures.protobufBytes(regression));
        assertThat(m.trainingRanges()).hasSize(3).allSatisfy(fr -> {
            assertThat(fr.min()).isBetween(-3.0, -2.5);
            assertThat(fr.max()).isBetween(2.5, 3.0);
        });
    }

    static double[] linear(ImportedModel m, double[] x) {
        double[] s = new double[m.outputs().size()];
        for (int j = 0; j < s.length; j++) {
            s[j] = m.biases()[j];
            for (int i = 0; i < x.length; i++) {
                s[j] += m.weights()[j][i] * x[i];
            }
        }
        return s;
    }
}

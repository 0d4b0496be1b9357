package io.zkml.compiler.tribuo;

import com.google.protobuf.Any;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.oracle.labs.mlrg.olcut.config.protobuf.protos.SimpleProvenanceProto;
import com.oracle.labs.mlrg.olcut.provenance.Provenance;
import com.oracle.labs.mlrg.olcut.provenance.primitives.EnumProvenance;
import io.zkml.compiler.tribuo.ModelFormatException.Reason;
import org.tribuo.Model;
import org.tribuo.classification.protos.ImmutableLabelInfoProto;
import org.tribuo.classification.protos.LabelProto;
import org.tribuo.classification.sgd.protos.ClassificationLinearSGDProto;
import org.tribuo.math.protos.DenseTensorProto;
import org.tribuo.math.protos.LinearParametersProto;
import org.tribuo.protos.core.CategoricalIDInfoProto;
import org.tribuo.protos.core.ImmutableFeatureMapProto;
import org.tribuo.protos.core.ModelProto;
import org.tribuo.protos.core.RealIDInfoProto;
import org.tribuo.regression.protos.DimensionTupleProto;
import org.tribuo.regression.protos.ImmutableRegressionInfoProto;
import org.tribuo.regression.protos.RegressorProto;
import org.tribuo.regression.sgd.protos.RegressionLinearSGDProto;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Reads a Tribuo model in Tribuo's protobuf format ({@code Model.serializeToStream} /
 * {@code serializeToFile}, Tribuo 4.3) from untrusted bytes.
 *
 * <p>Security: Java serialization is refused outright (the bytes are never given to an
 * {@code ObjectInputStream}). Tribuo's protobuf reader instantiates classes named inside the
 * document by reflection ({@code Class.forName}, which also runs static initializers), and so
 * does OLCUT's provenance reader. So before Tribuo sees the bytes, this reader parses the whole
 * protobuf tree itself and checks every class name in it:
 * <ul>
 *   <li>every Tribuo {@code class_name} must be on a fixed allow-list (the classes a linear SGD
 *       model is made of);</li>
 *   <li>every {@code google.protobuf.Any} must hold one of a fixed set of message types, which are
 *       unpacked and checked recursively (anything else is refused);</li>
 *   <li>every provenance class name must be a class under {@code org.tribuo.} or
 *       {@code com.oracle.labs.mlrg.olcut.} that implements OLCUT's {@code Provenance} (checked by
 *       loading it <em>without</em> initializing it), and enum provenance types must be such enums.</li>
 * </ul>
 * Only then is {@link Model#deserialize(ModelProto)} called.
 */
public final class TribuoModelReader {

    /** Largest upload accepted. */
    public static final int MAX_BYTES = 16 * 1024 * 1024;
    /** Largest number of features of a supported model. */
    public static final int MAX_FEATURES = 4096;
    /** Largest number of outputs (labels or regression dimensions) of a supported model. */
    public static final int MAX_OUTPUTS = 256;
    /** Largest tensor inside a supported model: outputs × (features + bias). */
    static final long MAX_TENSOR_ELEMENTS = (long) MAX_OUTPUTS * (MAX_FEATURES + 1);

    static final String CLASSIFICATION_SGD = "org.tribuo.classification.sgd.linear.LinearSGDModel";
    static final String REGRESSION_SGD = "org.tribuo.regression.sgd.linear.LinearSGDModel";
    /** Model classes this compiler supports. */
    public static final List<String> SUPPORTED_MODEL_CLASSES = List.of(CLASSIFICATION_SGD, REGRESSION_SGD);

    /** Every Tribuo class a supported model may name (model, domains, outputs, parameters, normalizers). */
    private static final Set<String> ALLOWED_TRIBUO_CLASSES = Set.of(
            CLASSIFICATION_SGD, REGRESSION_SGD,
            "org.tribuo.ImmutableFeatureMap", "org.tribuo.RealIDInfo", "org.tribuo.CategoricalIDInfo",
            "org.tribuo.classification.ImmutableLabelInfo", "org.tribuo.classification.Label",
            "org.tribuo.regression.ImmutableRegressionInfo", "org.tribuo.regression.Regressor",
            "org.tribuo.regression.Regressor$DimensionTuple",
            "org.tribuo.math.LinearParameters", "org.tribuo.math.la.DenseMatrix", "org.tribuo.math.la.DenseVector",
            "org.tribuo.math.util.NoopNormalizer", "org.tribuo.math.util.ExpNormalizer",
            "org.tribuo.math.util.Normalizer", "org.tribuo.math.util.SigmoidNormalizer");

    /** Message types an {@code Any} inside a supported model may hold. */
    private static final Map<String, Message> ALLOWED_ANY_TYPES = Stream.<Message>of(
                    ClassificationLinearSGDProto.getDefaultInstance(), RegressionLinearSGDProto.getDefaultInstance(),
                    ImmutableFeatureMapProto.getDefaultInstance(), RealIDInfoProto.getDefaultInstance(),
                    CategoricalIDInfoProto.getDefaultInstance(),
                    ImmutableLabelInfoProto.getDefaultInstance(), LabelProto.getDefaultInstance(),
                    ImmutableRegressionInfoProto.getDefaultInstance(), RegressorProto.getDefaultInstance(),
                    DimensionTupleProto.getDefaultInstance(),
                    LinearParametersProto.getDefaultInstance(), DenseTensorProto.getDefaultInstance())
            .collect(Collectors.toUnmodifiableMap(m -> m.getDescriptorForType().getFullName(), Function.identity()));

    private static final List<String> PROVENANCE_PACKAGES = List.of("org.tribuo.", "com.oracle.labs.mlrg.olcut.");
    private static final int MAX_DEPTH = 64;

    private TribuoModelReader() {
    }

    /**
     * Reads a supported Tribuo model.
     *
     * @throws ModelFormatException EMPTY, TOO_LARGE, JAVA_SERIALIZED, NOT_PROTOBUF (not a valid Tribuo
     *                              protobuf model) or UNSUPPORTED_MODEL_TYPE
     */
    public static ImportedModel read(byte[] bytes) throws ModelFormatException {
        if (bytes == null || bytes.length == 0) {
            throw new ModelFormatException(Reason.EMPTY, "the model file is empty");
        }
        if (bytes.length > MAX_BYTES) {
            throw new ModelFormatException(Reason.TOO_LARGE,
                    "the model file is " + bytes.length + " bytes; the limit is " + MAX_BYTES + " bytes");
        }
        if (bytes.length >= 2 && (bytes[0] & 0xff) == 0xAC && (bytes[1] & 0xff) == 0xED) {
            throw new ModelFormatException(Reason.JAVA_SERIALIZED,
                    "this is a Java-serialized object, which is never accepted (deserializing untrusted Java objects "
                            + "can run arbitrary code); save the model in Tribuo's protobuf format "
                            + "(Model.serializeToFile / serializeToStream)");
        }
        ModelProto proto;
        try {
            proto = ModelProto.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw notProtobuf("the file is not a protobuf message (" + e.getMessage() + ")", e);
        }
        String className = proto.getClassName();
        if (className.isEmpty() || !proto.hasSerializedData()) {
            throw notProtobuf("the file is not a Tribuo protobuf model (no model class or no model data)", null);
        }
        if (!SUPPORTED_MODEL_CLASSES.contains(className)) {
            throw new ModelFormatException(Reason.UNSUPPORTED_MODEL_TYPE,
                    "model type \"" + printable(className) + "\" is not supported; supported: Tribuo linear SGD "
                            + "classification and regression models " + SUPPORTED_MODEL_CLASSES);
        }
        if (proto.getVersion() != 0) {
            throw new ModelFormatException(Reason.UNSUPPORTED_MODEL_TYPE,
                    "serialized model version " + proto.getVersion() + " of " + className
                            + " is not supported (Tribuo 4.3 writes version 0)");
        }
        // Check the whole tree before anything is instantiated by reflection.
        checkTree(proto, 0);

        Model<?> model;
        try {
            model = Model.deserialize(proto);
        } catch (RuntimeException e) {
            throw notProtobuf("the Tribuo model data is invalid: " + printable(rootMessage(e)), e);
        }
        try {
            return TribuoLinearModel.of(model, proto);
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw notProtobuf("the Tribuo model data is inconsistent: " + printable(e.getMessage()), e);
        }
    }

    private static ModelFormatException notProtobuf(String message, Throwable cause) {
        return new ModelFormatException(Reason.NOT_PROTOBUF, message, cause);
    }

    /** Walks every field of the message; unpacks and checks every Any; checks every class name. */
    private static void checkTree(Message m, int depth) throws ModelFormatException {
        if (depth > MAX_DEPTH) {
            throw notProtobuf("the model data is nested too deeply", null);
        }
        for (Map.Entry<FieldDescriptor, Object> e : m.getAllFields().entrySet()) {
            FieldDescriptor f = e.getKey();
            List<?> values = f.isRepeated() ? (List<?>) e.getValue() : List.of(e.getValue());
            for (Object v : values) {
                if (v instanceof Any any) {
                    checkAny(any, depth);
                } else if (v instanceof Message child) {
                    checkTree(child, depth + 1);
                } else if (v instanceof String s) {
                    checkClassNameField(m, f, s);
                }
            }
        }
    }

    private static void checkAny(Any any, int depth) throws ModelFormatException {
        if (any.getTypeUrl().isEmpty() && any.getValue().isEmpty()) {
            return; // an empty Any: classes without serialized state (normalizers)
        }
        String url = any.getTypeUrl();
        String type = url.substring(url.lastIndexOf('/') + 1);
        Message prototype = ALLOWED_ANY_TYPES.get(type);
        if (prototype == null || !url.equals("type.googleapis.com/" + type)) {
            throw new ModelFormatException(Reason.UNSUPPORTED_MODEL_TYPE,
                    "the model contains data of type \"" + printable(url) + "\", which a linear SGD model does not use");
        }
        Message unpacked;
        try {
            unpacked = prototype.getParserForType().parseFrom(any.getValue());
        } catch (InvalidProtocolBufferException ex) {
            throw notProtobuf("invalid " + type + " inside the model: " + ex.getMessage(), ex);
        }
        if (unpacked instanceof DenseTensorProto tensor) {
            checkTensor(tensor);
        }
        checkTree(unpacked, depth + 1);
    }

    /**
     * Tribuo checks a dense tensor's value count against the int product of its dimensions, which
     * overflows: dimensions [65536, 65537] with 65536 values would pass and then allocate 34 GB.
     * Check the exact product, and the size limits, before Tribuo allocates anything.
     */
    private static void checkTensor(DenseTensorProto tensor) throws ModelFormatException {
        long product = 1;
        for (int d : tensor.getDimensionsList()) {
            if (d < 1) {
                throw notProtobuf("a tensor in the model has a dimension of " + d, null);
            }
            product *= d;
            if (product > MAX_TENSOR_ELEMENTS) {
                throw new ModelFormatException(Reason.TOO_LARGE, "a tensor in the model has more than "
                        + MAX_TENSOR_ELEMENTS + " elements (dimensions " + tensor.getDimensionsList() + ")");
            }
        }
        if (tensor.getValues().size() != product * Double.BYTES) {
            throw notProtobuf("a tensor in the model claims dimensions " + tensor.getDimensionsList() + " but holds "
                    + tensor.getValues().size() + " bytes of values", null);
        }
    }

    private static void checkClassNameField(Message container, FieldDescriptor f, String value) throws ModelFormatException {
        String field = f.getName();
        String container_ = container.getDescriptorForType().getFullName();
        if (container_.startsWith("olcut.")) {
            if (field.equals("provenance_class_name")) {
                checkProvenanceClass(value, Provenance.class);
            } else if (field.equals("additional") && container instanceof SimpleProvenanceProto smp
                    && smp.getProvenanceClassName().equals(EnumProvenance.class.getName())) {
                checkProvenanceClass(value, Enum.class);
            }
            // object_class_name and the other strings are only read as text by OLCUT.
            return;
        }
        if (field.equals("class_name") && !ALLOWED_TRIBUO_CLASSES.contains(value)) {
            throw new ModelFormatException(Reason.UNSUPPORTED_MODEL_TYPE,
                    "the model contains a component of class \"" + printable(value)
                            + "\", which a supported linear SGD model does not use");
        }
    }

    /** Loads the class WITHOUT initializing it and checks package and type. */
    private static void checkProvenanceClass(String name, Class<?> expected) throws ModelFormatException {
        boolean allowedPackage = PROVENANCE_PACKAGES.stream().anyMatch(name::startsWith);
        boolean ok = false;
        if (allowedPackage) {
            try {
                Class<?> c = Class.forName(name, false, TribuoModelReader.class.getClassLoader());
                ok = expected.isAssignableFrom(c);
            } catch (ClassNotFoundException | LinkageError e) {
                ok = false;
            }
        }
        if (!ok) {
            throw new ModelFormatException(Reason.UNSUPPORTED_MODEL_TYPE,
                    "the model's provenance names class \"" + printable(name)
                            + "\", which is not a Tribuo/OLCUT " + expected.getSimpleName() + " class");
        }
    }

    private static String rootMessage(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
    }

    /** Bounded, printable text for messages (never echo arbitrary bytes). */
    static String printable(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder();
        s.codePoints().limit(120).forEach(cp -> b.appendCodePoint(cp >= 0x20 && cp < 0x7f ? cp : '?'));
        return s.codePointCount(0, s.length()) > 120 ? b + "..." : b.toString();
    }
}

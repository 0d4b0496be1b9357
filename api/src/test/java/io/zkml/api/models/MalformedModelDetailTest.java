package io.zkml.api.models;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.zkml.api.testing.Http;
import io.zkml.api.testing.Http.Response;
import io.zkml.api.testing.TestModels;
import io.zkml.api.testing.TestPostgres;
import io.zkml.compiler.onnx.OnnxModelReader;

/**
 * Issue 9, defect 9: a malformed ONNX or Tribuo upload is a 422 {@code invalid-model} whose detail is
 * one clear sentence (nested too deeply, truncated, malformed), never protobuf's internal wording
 * ("CodedInputStream ... setRecursionLimit()", "Protocol message ...") or class names.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MalformedModelDetailTest {

    @DynamicPropertySource
    static void embeddedPostgres(DynamicPropertyRegistry registry) {
        TestPostgres.register(registry);
    }

    @LocalServerPort
    int port;

    Http http;

    @BeforeAll
    void client() {
        http = new Http(port);
    }

    /** A ModelProto whose graph nests graphs (node → attribute → graph) deeper than the reader allows. */
    static byte[] deeplyNestedOnnx() {
        GraphProto g = GraphProto.newBuilder().setName("leaf").build();
        for (int i = 0; i < OnnxModelReader.RECURSION_LIMIT; i++) {
            g = GraphProto.newBuilder().setName("g" + i).addNode(NodeProto.newBuilder().setOpType("If")
                    .addAttribute(AttributeProto.newBuilder().setName("then_branch")
                            .setType(AttributeProto.AttributeType.GRAPH).setG(g))).build();
        }
        return ModelProto.newBuilder().setIrVersion(8)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(17))
                .setGraph(g).build().toByteArray();
    }

    private JsonNode invalidModel(byte[] file, String format, String mustContain) {
        Response r = http.postMultipart("/v1/models", Http.parts("file", file, "format", format));
        assertThat(r.status()).as(r.toString()).isEqualTo(422);
        JsonNode p = r.json();
        assertThat(p.get("type").asString()).isEqualTo("urn:zkml:problem:invalid-model");
        String detail = p.get("detail").asString();
        assertThat(detail).as(format).isNotBlank()
                .doesNotContain("CodedInputStream").doesNotContain("setRecursionLimit").doesNotContain("Protocol message")
                .doesNotContain("com.google").doesNotContain("Exception").doesNotContain("protocol message");
        assertThat(r.body()).doesNotContain("CodedInputStream").doesNotContain("com.google").doesNotContain("Exception");
        if (mustContain != null) {
            assertThat(detail).contains(mustContain);
        }
        return p;
    }

    @Test
    void malformedOnnxUploadsGetOneClearSentence() throws Exception {
        invalidModel(deeplyNestedOnnx(), "onnx", "nested too deeply (limit " + OnnxModelReader.RECURSION_LIMIT);
        byte[] onnx = Files.readAllBytes(TestModels.repositoryRoot().resolve("testdata/onnx/mlp-tabular.onnx"));
        invalidModel(Arrays.copyOf(onnx, onnx.length / 2), "onnx", "truncated");
        byte[] random = new byte[512];
        new Random(9).nextBytes(random);
        random[0] = (byte) 0xff; // not a Java stream header, not a valid first tag
        invalidModel(random, "onnx", "not an ONNX model");
    }

    @Test
    void aTruncatedTribuoUploadGetsOneClearSentence() {
        byte[] tribuo = TestModels.creditRisk().model();
        invalidModel(Arrays.copyOf(tribuo, tribuo.length / 2), "tribuo", "truncated");
        byte[] random = new byte[512];
        new Random(9).nextBytes(random);
        random[0] = (byte) 0xff;
        invalidModel(random, "tribuo", null);
    }

}

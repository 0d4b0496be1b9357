package io.zkml.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * One real run of {@code --suite quick --report DIR} (1 run, no warm-up, no EVM: seconds), then checks of
 * every file the report has: the JSON's setting fields, the CSV's header and rows, each plot as PNG and
 * SVG, and the self-contained HTML.
 */
class SuiteReportTest {

    @TempDir
    static Path dir;

    static int code;
    static String stderr;

    static final List<String> PLOTS = List.of("constraints-vs-model-size", "prove-time-vs-constraints",
            "memory-vs-constraints", "gas-vs-public-inputs", "fidelity-vs-input-scale", "constraints-vs-input-scale");

    @BeforeAll
    static void runQuickSuite() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        code = BenchmarkMain.run(new String[]{"--suite", "quick", "--runs", "1", "--warmup", "0", "--skip-evm",
                "--report", dir.resolve("report").toString()}, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        stderr = err.toString(StandardCharsets.UTF_8) + out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void jsonRecordsTheSettingOfEveryMeasurement() throws Exception {
        assertThat(code).as(stderr).isZero();
        JsonNode n = JsonMapper.builder().build().readTree(Files.readString(dir.resolve("report/results.json")));
        assertThat(n.get("schema").asString()).isEqualTo("zkml-bench/2");
        assertThat(n.get("settings").get("suite").asString()).isEqualTo("quick");
        JsonNode models = n.get("models");
        assertThat(models).hasSize(Suite.quick().cases().size());
        assertThat(models.get(0).get("name").asString()).isEqualTo("synthetic-2");
        assertThat(models.get(1).get("name").asString()).isEqualTo("forest-2x2x4");
        assertThat(models.get(2).get("setting").get("sweep").asString()).isEqualTo("input-scale");
        assertThat(models.get(2).get("setting").get("inputScale").asInt()).isEqualTo(6);
        assertThat(models.get(2).get("quantization").get("inputScale").asInt()).isEqualTo(6);
        assertThat(models.get(2).get("circuit").get("constraints").asInt())
                .isLessThan(models.get(3).get("circuit").get("constraints").asInt()); // s_in 6 < 12: narrower range checks
        // the visibility sweep (issue 8): the same model with private, then hashed inputs
        JsonNode priv = models.get(4);
        JsonNode hashed = models.get(5);
        assertThat(priv.get("setting").get("sweep").asString()).isEqualTo("visibility");
        assertThat(priv.get("setting").get("visibility").asString()).isEqualTo("private");
        assertThat(hashed.get("setting").get("visibility").asString()).isEqualTo("hashed");
        int outputs = 1; // a classifier: the label
        assertThat(priv.get("circuit").get("publicInputs").asInt()).isEqualTo(outputs);
        assertThat(hashed.get("circuit").get("publicInputs").asInt()).isEqualTo(1 + outputs);
        assertThat(priv.get("circuit").get("constraints").asInt())
                .isEqualTo(models.get(0).get("circuit").get("constraints").asInt()); // hiding costs nothing
        // one packed element + the salt, 186 constraints each, + the equality with the public commitment
        assertThat(hashed.get("circuit").get("constraints").asInt())
                .isEqualTo(priv.get("circuit").get("constraints").asInt() + 186 * 2 + 1);
        assertThat(hashed.get("fidelity").get("provenOutputMatchesReference").asBoolean()).isTrue();
        // a batch of 4 with hashed inputs in one proof: one commitment, 4 labels
        JsonNode batch = models.get(6);
        assertThat(batch.get("setting").get("sweep").asString()).isEqualTo("batch");
        assertThat(batch.get("setting").get("batchSize").asInt()).isEqualTo(4);
        assertThat(batch.get("circuit").get("publicInputs").asInt()).isEqualTo(1 + 4 * outputs);
        assertThat(batch.get("circuit").get("constraints").asInt())
                .isGreaterThan(4 * priv.get("circuit").get("constraints").asInt());
        assertThat(batch.get("fidelity").get("provenOutputMatchesReference").asBoolean()).isTrue();
        // non-terminal stderr: plain progress lines
        assertThat(stderr).contains("zkml bench: [7/7]").doesNotContain("\r");
    }

    @Test
    void csvHasTheDocumentedHeaderAndOneRowPerMeasurement() throws Exception {
        List<String> lines = Files.readAllLines(dir.resolve("report/results.csv"));
        assertThat(lines.get(0)).isEqualTo(String.join(",", CsvWriter.HEADER));
        assertThat(lines.get(0)).startsWith("model,source,status,sweep,proving_system,range_check,visibility,batch_size,"
                + "requested_input_scale,requested_weight_scale,family,");
        assertThat(lines).hasSize(1 + Suite.quick().cases().size());
        int cols = CsvWriter.HEADER.size();
        for (String l : lines.subList(1, lines.size())) {
            assertThat(l.split(",", -1)).as(l).hasSize(cols);
            assertThat(l).contains(",measured,").containsPattern(",groth16,bits,(public|private|hashed),[0-9]+,");
        }
        assertThat(lines.get(6)).startsWith("synthetic-2,synthetic,measured,visibility,groth16,bits,hashed,1,,,linear,");
        assertThat(lines.get(7)).startsWith("synthetic-2,synthetic,measured,batch,groth16,bits,hashed,4,,,linear,");
        assertThat(lines.get(3)).startsWith("synthetic-2,synthetic,measured,input-scale,groth16,bits,public,1,6,,linear,");
    }

    @Test
    void everyPlotExistsAsPngAndSvg() throws Exception {
        for (String p : PLOTS) {
            byte[] png = Files.readAllBytes(dir.resolve("report/plots/" + p + ".png"));
            BufferedImage img = ImageIO.read(new ByteArrayInputStream(png));
            assertThat(img).as(p).isNotNull();
            assertThat(img.getWidth()).isEqualTo(Plots.WIDTH);
            assertThat(distinctColours(img)).as(p).isGreaterThan(3);
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setNamespaceAware(true);
            // JFreeSVG writes the SVG 1.1 DOCTYPE: parse without fetching its DTD (no network in tests)
            f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
            Document svg = f.newDocumentBuilder()
                    .parse(dir.resolve("report/plots/" + p + ".svg").toFile());
            assertThat(svg.getDocumentElement().getLocalName() == null ? svg.getDocumentElement().getNodeName()
                    : svg.getDocumentElement().getLocalName()).as(p).isEqualTo("svg");
            assertThat(Files.size(dir.resolve("report/plots/" + p + ".svg"))).as(p).isGreaterThan(2_000);
        }
        // --skip-evm: the gas plot says so, beside the published line
        assertThat(Files.readString(dir.resolve("report/plots/gas-vs-public-inputs.svg"))).contains("no EVM data");
    }

    @Test
    void htmlIsSelfContainedWithMachineVersionsPlotsAndPublishedFigures() throws Exception {
        String html = Files.readString(dir.resolve("report/report.html"));
        assertThat(html).startsWith("<!DOCTYPE html>");
        assertThat(html).doesNotContain("http://").doesNotContain("https://").doesNotContain("<script")
                .doesNotContain("<link").doesNotContain("@import");
        Matcher src = Pattern.compile("src=\"([^\"]*)\"").matcher(html);
        int images = 0;
        while (src.find()) {
            assertThat(src.group(1)).startsWith("data:image/svg+xml;base64,");
            images++;
        }
        assertThat(images).isEqualTo(PLOTS.size());
        for (String p : PLOTS) {
            assertThat(html).contains("<figure id=\"" + p + "\">");
        }
        MachineInfo m = MachineInfo.current();
        assertThat(html).contains("<h2>Machine</h2>").contains(ReportWriter.esc(m.javaVersion()))
                .contains("<h2>Versions</h2>").contains("v0.16.");
        if (m.cpuModel() != null) {
            assertThat(html).contains(ReportWriter.esc(m.cpuModel()));
        }
        assertThat(html).contains("Modulus").contains("MNIST MLP 784-56-10").contains(PublishedFigures.NO_ONNX)
                .contains("ms per tree per input").contains(ReportWriter.esc(PublishedFigures.SOURCE_DOC));
        int anchors = html.split("<tr class=\"anchor\">", -1).length - 1;
        assertThat(anchors).isEqualTo(PublishedFigures.rows(emptyReport()).size());
    }

    @Test
    void plotsStillRenderWithoutText() throws Exception {
        Plots.Plot p = new Plots.Plot("t", "title", "x (unit)", "y (unit)", true, false,
                java.util.Map.of("s", List.of(new double[]{1, 2}, new double[]{10, 3})), List.of("note"), "caption");
        Plots.Rendered r = Plots.render(p, false);
        assertThat(ImageIO.read(new ByteArrayInputStream(r.png()))).isNotNull();
        assertThat(r.svg()).contains("<svg").doesNotContain("title");
    }

    private static BenchReport emptyReport() {
        return new BenchReport(BenchReport.SCHEMA, "", "", MachineInfo.current(), null, null, List.of(), List.of(), List.of());
    }

    private static int distinctColours(BufferedImage img) {
        return (int) Arrays.stream(img.getRGB(0, 0, img.getWidth(), img.getHeight(), null, 0, img.getWidth()))
                .distinct().limit(10).count();
    }
}

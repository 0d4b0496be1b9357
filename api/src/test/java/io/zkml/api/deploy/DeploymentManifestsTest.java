package io.zkml.api.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * The deployment files (issue 9): the Kubernetes manifests in {@code deploy/k8s} validated against
 * the Kubernetes schemas with {@code kubernetes-validate --strict} (PyPI; it bundles the schemas, so
 * it runs offline; {@code .ci/run} installs it), a broken manifest rejected by the same validator,
 * the kustomization listing exactly the manifests there, and what they must contain (probes,
 * resources, PDBs, autoscaling on queue depth); {@code docker-compose.yml}: PostgreSQL, one API and
 * two workers. Without the validator the schema check skips, except in CI ({@code CI=true}).
 */
class DeploymentManifestsTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Path K8S = ROOT.resolve("deploy/k8s");
    private static final String VALIDATOR = "kubernetes-validate";

    @TempDir
    Path tmp;

    @SuppressWarnings("unchecked")
    private static Map<String, Object> yaml(Path p) throws IOException {
        return (Map<String, Object>) new Yaml().load(Files.readString(p));
    }

    @SuppressWarnings("unchecked")
    private static <T> T at(Object node, String... path) {
        Object o = node;
        for (String k : path) {
            if (o instanceof List<?> l) {
                o = l.get(Integer.parseInt(k));
            } else {
                o = ((Map<String, Object>) o).get(k);
            }
            assertThat(o).as(String.join(".", path) + " (at " + k + ")").isNotNull();
        }
        return (T) o;
    }

    private static List<Path> manifests() throws IOException {
        try (Stream<Path> s = Files.list(K8S)) {
            return s.filter(p -> p.toString().endsWith(".yaml") && !p.getFileName().toString().equals("kustomization.yaml"))
                    .sorted().toList();
        }
    }

    private record Run(int exit, String output) {
    }

    private static Run validate(List<Path> files) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(VALIDATOR, "--strict", "--quiet", "-k", "1.33.0"));
        files.forEach(f -> cmd.add(f.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), out);
    }

    private static boolean validatorAvailable() {
        try {
            Process p = new ProcessBuilder(VALIDATOR, "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    @Test
    void everyManifestPassesTheKubernetesSchemasStrictlyAndABrokenOneDoesNot() throws Exception {
        boolean ci = "true".equalsIgnoreCase(System.getenv("CI"));
        boolean available = validatorAvailable();
        if (ci) {
            assertThat(available).as(VALIDATOR + " is needed in CI (.ci/run installs it from PyPI)").isTrue();
        }
        assumeTrue(available, VALIDATOR + " is not installed (pip install kubernetes-validate); skipping the schema check");
        Run ok = validate(manifests());
        assertThat(ok.exit()).as(ok.output()).isZero();
        assertThat(ok.output()).doesNotContain("ERROR");

        Path broken = tmp.resolve("broken.yaml");
        Files.writeString(broken, Files.readString(K8S.resolve("worker-deployment.yaml")).replace("  replicas: 2", "  replica: 2"));
        Run bad = validate(List.of(broken));
        assertThat(bad.exit()).as(bad.output()).isNotZero();
        assertThat(bad.output()).contains("'replica' was unexpected");
    }

    @Test
    void theKustomizationListsExactlyTheManifests() throws Exception {
        List<String> listed = at(yaml(K8S.resolve("kustomization.yaml")), "resources");
        TreeSet<String> files = new TreeSet<>(manifests().stream().map(p -> p.getFileName().toString()).toList());
        assertThat(new TreeSet<>(listed)).isEqualTo(files);
    }

    @Test
    void deploymentsHaveRolesProbesResourcesBudgetsAndWorkersScaleOnQueueDepth() throws Exception {
        for (String role : List.of("api", "worker")) {
            Map<String, Object> d = yaml(K8S.resolve(role + "-deployment.yaml"));
            assertThat((String) at(d, "kind")).isEqualTo("Deployment");
            Map<String, Object> c = at(d, "spec", "template", "spec", "containers", "0");
            List<Map<String, Object>> env = at(c, "env");
            assertThat(env).anySatisfy(e -> {
                assertThat(e.get("name")).isEqualTo("ZKML_ROLE");
                assertThat(e.get("value")).isEqualTo(role);
            });
            assertThat((String) at(c, "readinessProbe", "httpGet", "path")).isEqualTo("/actuator/health/readiness");
            assertThat((String) at(c, "livenessProbe", "httpGet", "path")).isEqualTo("/actuator/health/liveness");
            assertThat((Object) at(c, "resources", "requests", "cpu")).isNotNull();
            assertThat((Object) at(c, "resources", "requests", "memory")).isNotNull();
            Map<String, Object> pdb = yaml(K8S.resolve(role + "-pdb.yaml"));
            assertThat((String) at(pdb, "kind")).isEqualTo("PodDisruptionBudget");
            assertThat((Object) at(pdb, "spec", "selector", "matchLabels"))
                    .isEqualTo(at(d, "spec", "selector", "matchLabels"));
        }
        Map<String, Object> hpa = yaml(K8S.resolve("worker-hpa.yaml"));
        assertThat((String) at(hpa, "spec", "scaleTargetRef", "name")).isEqualTo("zkml-worker");
        assertThat((String) at(hpa, "spec", "metrics", "0", "external", "metric", "name")).isEqualTo("zkml_jobs_queued");
        Map<String, Object> config = yaml(K8S.resolve("configmap.yaml"));
        assertThat((String) at(config, "data", "ZKML_MODE")).isEqualTo("production");
    }

    @Test
    void composeRunsPostgresOneApiAndTwoWorkersInProduction() throws Exception {
        Map<String, Object> compose = yaml(ROOT.resolve("docker-compose.yml"));
        Map<String, Object> services = at(compose, "services");
        assertThat(services.keySet()).containsExactlyInAnyOrder("postgres", "api", "worker-1", "worker-2");
        assertThat((String) at(services, "api", "environment", "ZKML_ROLE")).isEqualTo("api");
        assertThat((String) at(services, "worker-1", "environment", "ZKML_ROLE")).isEqualTo("worker");
        assertThat((String) at(services, "worker-2", "environment", "ZKML_ROLE")).isEqualTo("worker");
        for (String s : List.of("api", "worker-1", "worker-2")) {
            assertThat((String) at(services, s, "environment", "ZKML_MODE")).isEqualTo("production");
            assertThat((String) at(services, s, "environment", "SPRING_DATASOURCE_URL")).contains("//postgres:5432/");
        }
        assertThat((String) at(services, "postgres", "image")).startsWith("postgres:");
    }
}

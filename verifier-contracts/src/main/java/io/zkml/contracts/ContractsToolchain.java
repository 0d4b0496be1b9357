package io.zkml.contracts;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Where the pinned JavaScript tools live: the {@code verifier-contracts/} folder with its
 * {@code package.json}, {@code package-lock.json} and the {@code node_modules/} that {@code npm ci}
 * fills (solc-js and anvil), plus the {@code node} executable that runs solc-js.
 *
 * <p>Found, in this order, from the system property {@code zkml.contracts.dir}, the environment
 * variable {@code ZKML_CONTRACTS_DIR}, or by walking up from the working directory to a folder that
 * is (or contains) {@code verifier-contracts/}. {@code node} is {@code zkml.node} / {@code ZKML_NODE}
 * or the {@code node} on {@code PATH}.
 *
 * @param contractsDir the {@code verifier-contracts/} folder
 * @param node the node executable (a path, or a bare name resolved on {@code PATH})
 */
public record ContractsToolchain(Path contractsDir, String node) {

    /** The {@code name} in {@code verifier-contracts/package.json}. */
    static final String PACKAGE_NAME = "zkml-verifier-contracts";

    private static final JsonMapper JSON = JsonMapper.builder().build();

    public ContractsToolchain {
        Objects.requireNonNull(contractsDir, "contractsDir");
        Objects.requireNonNull(node, "node");
        contractsDir = contractsDir.toAbsolutePath().normalize();
    }

    /**
     * Finds the toolchain and checks that {@code npm ci} has installed it.
     *
     * @throws ToolchainException if the folder or the installed packages cannot be found
     */
    public static ContractsToolchain locate() {
        Path dir = configuredDir();
        if (dir == null) {
            dir = searchUpwards(Path.of("").toAbsolutePath());
        }
        if (dir == null) {
            throw new ToolchainException("cannot find the verifier-contracts folder from "
                    + Path.of("").toAbsolutePath() + ": run from the repository (or a folder inside it), "
                    + "or set -Dzkml.contracts.dir / ZKML_CONTRACTS_DIR");
        }
        String node = firstNonBlank(System.getProperty("zkml.node"), System.getenv("ZKML_NODE"), "node");
        ContractsToolchain tc = new ContractsToolchain(dir, node);
        tc.requireInstalled();
        return tc;
    }

    /** {@code node_modules/} of the contracts folder. */
    public Path nodeModules() {
        return contractsDir.resolve("node_modules");
    }

    /**
     * The anvil executable of the platform package that {@code @foundry-rs/anvil} lists as an
     * optional dependency ({@code @foundry-rs/anvil-linux-amd64} here), or the copy that anvil's own
     * install script may have downloaded next to its wrapper.
     */
    public Path anvilBinary() {
        String exe = isWindows() ? "anvil.exe" : "anvil";
        Path platform = nodeModules().resolve("@foundry-rs").resolve("anvil-" + platformSuffix()).resolve("bin").resolve(exe);
        if (Files.isExecutable(platform)) {
            return platform;
        }
        Path fallback = nodeModules().resolve("@foundry-rs").resolve("anvil").resolve(exe);
        if (Files.isExecutable(fallback)) {
            return fallback;
        }
        throw new ToolchainException("anvil is not installed: " + platform + " is missing. "
                + hint() + " (the binary comes from the optional npm package @foundry-rs/anvil-" + platformSuffix()
                + "; anvil is published for linux/darwin amd64/arm64 and win32 amd64)");
    }

    /** The version of the installed {@code solc} package (e.g. {@code 0.8.37}). */
    public String solcPackageVersion() {
        return packageVersion("solc");
    }

    /** The version of the installed {@code @foundry-rs/anvil} package (e.g. {@code 1.7.1}). */
    public String anvilPackageVersion() {
        return packageVersion("@foundry-rs/anvil");
    }

    /**
     * Checks that solc-js and anvil are installed.
     *
     * @throws ToolchainException with what to do if they are not
     */
    public void requireInstalled() {
        if (!Files.isRegularFile(contractsDir.resolve("package.json"))) {
            throw new ToolchainException(contractsDir + " has no package.json: not the verifier-contracts folder");
        }
        if (!Files.isRegularFile(nodeModules().resolve("solc").resolve("package.json"))) {
            throw new ToolchainException("solc is not installed in " + nodeModules() + ". " + hint());
        }
        anvilBinary();
    }

    private String packageVersion(String name) {
        Path pkg = nodeModules().resolve(name).resolve("package.json");
        try {
            JsonNode n = JSON.readTree(Files.readString(pkg));
            return n.path("version").asString();
        } catch (IOException | RuntimeException e) {
            throw new ToolchainException("cannot read " + pkg + ": " + e.getMessage() + ". " + hint());
        }
    }

    private String hint() {
        return "Run `npm ci` in " + contractsDir + " (the Maven build does it: ./mvnw -pl verifier-contracts install), "
                + "or skip the EVM tests with -DskipEvmTests";
    }

    private static Path configuredDir() {
        String configured = firstNonBlank(System.getProperty("zkml.contracts.dir"), System.getenv("ZKML_CONTRACTS_DIR"), null);
        return configured == null ? null : Path.of(configured);
    }

    private static Path searchUpwards(Path start) {
        for (Path d = start; d != null; d = d.getParent()) {
            if (isContractsDir(d)) {
                return d;
            }
            Path child = d.resolve("verifier-contracts");
            if (isContractsDir(child)) {
                return child;
            }
        }
        return null;
    }

    private static boolean isContractsDir(Path d) {
        Path pkg = d.resolve("package.json");
        if (!Files.isRegularFile(pkg)) {
            return false;
        }
        try {
            return PACKAGE_NAME.equals(JSON.readTree(Files.readString(pkg)).path("name").asString());
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static String platformSuffix() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        String o = os.contains("win") ? "win32" : os.contains("mac") || os.contains("darwin") ? "darwin" : "linux";
        String a = arch.equals("aarch64") || arch.equals("arm64") ? "arm64" : "amd64";
        return o + "-" + a;
    }

    private static boolean isWindows() {
        return System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("win");
    }

    private static String firstNonBlank(String a, String b, String c) {
        if (a != null && !a.isBlank()) {
            return a;
        }
        if (b != null && !b.isBlank()) {
            return b;
        }
        return c;
    }
}

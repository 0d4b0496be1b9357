package io.zkml.contracts;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Compiles Solidity with the pinned solc-js from {@code verifier-contracts/node_modules} through
 * solc's standard-JSON interface. Each call starts one short-lived {@code node} process (loading the
 * WebAssembly compiler takes about a second). Thread-safe.
 */
public final class SolidityCompiler {

    /** How long one compilation may take before the node process is killed. */
    private static final Duration TIMEOUT = Duration.ofMinutes(3);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final ContractsToolchain toolchain;
    private final CompilerSettings settings;
    private final String script;

    public SolidityCompiler(ContractsToolchain toolchain, CompilerSettings settings) {
        this.toolchain = Objects.requireNonNull(toolchain, "toolchain");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.script = resource("solc-standard-json.js");
    }

    /** A compiler with {@link CompilerSettings#defaults()} and the {@linkplain ContractsToolchain#locate() located} toolchain. */
    public static SolidityCompiler locate() {
        return new SolidityCompiler(ContractsToolchain.locate(), CompilerSettings.defaults());
    }

    public CompilerSettings settings() {
        return settings;
    }

    public ContractsToolchain toolchain() {
        return toolchain;
    }

    /**
     * Compiles one source unit and returns one contract of it.
     *
     * @param sourceName the source unit name (e.g. {@code Verifier.sol}); appears in messages
     * @param source the Solidity source
     * @param contractName the contract to return (gnark's verifier is {@code Verifier})
     * @throws SolidityCompilationException if solc reports an error or the contract is not in the output
     * @throws ToolchainException if node or solc-js cannot run
     */
    public CompiledContract compile(String sourceName, String source, String contractName) {
        Objects.requireNonNull(sourceName, "sourceName");
        Objects.requireNonNull(source, "source");
        return compile(Map.of(sourceName, source), sourceName, contractName);
    }

    /**
     * Compiles several source units together (imports between them resolve by unit name, e.g.
     * {@code import "./IZkml.sol"} from {@code ZkmlOracle.sol}) and returns one contract.
     *
     * @param sources unit name to Solidity source; nothing is read from disk or the network
     * @param sourceName the unit that defines {@code contractName}
     * @throws SolidityCompilationException if solc reports an error or the contract is not in the output
     * @throws ToolchainException if node or solc-js cannot run
     */
    public CompiledContract compile(Map<String, String> sources, String sourceName, String contractName) {
        Objects.requireNonNull(sources, "sources");
        Objects.requireNonNull(sourceName, "sourceName");
        Objects.requireNonNull(contractName, "contractName");
        if (!sources.containsKey(sourceName)) {
            throw new IllegalArgumentException("no source unit " + sourceName + " among " + new TreeMap<>(sources).keySet());
        }
        JsonNode result = run(standardJsonInput(sources));
        String version = result.path("version").asString();
        JsonNode output = result.path("output");

        List<String> errors = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        for (JsonNode e : output.path("errors")) {
            String msg = e.path("formattedMessage").asString(e.path("message").asString());
            if ("error".equals(e.path("severity").asString())) {
                errors.add(msg.strip());
            } else {
                warnings.add(msg.strip());
            }
        }
        if (!errors.isEmpty()) {
            throw new SolidityCompilationException("solc " + version + " failed to compile " + sourceName, errors);
        }
        JsonNode contract = output.path("contracts").path(sourceName).path(contractName);
        if (contract.isMissingNode()) {
            List<String> found = new ArrayList<>();
            output.path("contracts").path(sourceName).propertyNames().forEach(found::add);
            throw new SolidityCompilationException("no contract " + contractName + " in " + sourceName
                    + " (found " + found + ")", List.of());
        }
        String creation = contract.path("evm").path("bytecode").path("object").asString();
        String deployed = contract.path("evm").path("deployedBytecode").path("object").asString();
        if (creation.isEmpty() || deployed.isEmpty()) {
            throw new SolidityCompilationException(contractName + " in " + sourceName
                    + " has no bytecode (abstract contract or interface?)", List.of());
        }
        return new CompiledContract(sourceName, contractName, JSON.writeValueAsString(contract.path("abi")),
                HexFormat.of().parseHex(creation), HexFormat.of().parseHex(deployed), version, settings, warnings);
    }

    /** solc's full version string, e.g. {@code 0.8.37+commit.f401782d.Emscripten.clang} (runs node once). */
    public String version() {
        return run(standardJsonInput("Empty.sol", "// SPDX-License-Identifier: MIT\npragma solidity >=0.8.0;\n"))
                .path("version").asString();
    }

    private String standardJsonInput(String sourceName, String source) {
        return standardJsonInput(Map.of(sourceName, source));
    }

    private String standardJsonInput(Map<String, String> sources) {
        ObjectNode in = JSON.createObjectNode();
        in.put("language", "Solidity");
        ObjectNode units = in.putObject("sources");
        new TreeMap<>(sources).forEach((name, content) -> units.putObject(name).put("content", content));
        ObjectNode s = in.putObject("settings");
        s.putObject("optimizer").put("enabled", settings.optimizer()).put("runs", settings.optimizerRuns());
        s.put("evmVersion", settings.evmVersion());
        ArrayNode selection = s.putObject("outputSelection").putObject("*").putArray("*");
        selection.add("abi").add("evm.bytecode.object").add("evm.deployedBytecode.object");
        return JSON.writeValueAsString(in);
    }

    private JsonNode run(String input) {
        ProcessBuilder pb = new ProcessBuilder(toolchain.node(), "-e", script)
                .directory(toolchain.contractsDir().toFile());
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new ToolchainException("cannot run node ('" + toolchain.node() + "'): " + e.getMessage()
                    + ". Node.js >= 20 is needed for solc-js (set -Dzkml.node or ZKML_NODE to its path), "
                    + "or skip the EVM tests with -DskipEvmTests", e);
        }
        try {
            CompletableFuture<byte[]> stdout = readAsync(p.getInputStream());
            CompletableFuture<byte[]> stderr = readAsync(p.getErrorStream());
            try (OutputStream os = p.getOutputStream()) {
                os.write(input.getBytes(StandardCharsets.UTF_8));
            }
            if (!p.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new ToolchainException("solc-js did not finish within " + TIMEOUT.toSeconds() + " s");
            }
            String out = new String(stdout.join(), StandardCharsets.UTF_8);
            String err = new String(stderr.join(), StandardCharsets.UTF_8).strip();
            if (p.exitValue() != 0) {
                throw new ToolchainException("solc-js (node) exited with " + p.exitValue() + ": " + err);
            }
            try {
                return JSON.readTree(out);
            } catch (JacksonException e) {
                throw new ToolchainException("solc-js wrote invalid JSON (" + e.getOriginalMessage() + "); stderr: " + err);
            }
        } catch (IOException e) {
            p.destroyForcibly();
            throw new ToolchainException("talking to solc-js failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new ToolchainException("interrupted while compiling", e);
        }
    }

    private static CompletableFuture<byte[]> readAsync(InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            try (in) {
                return in.readAllBytes();
            } catch (IOException e) {
                throw new ToolchainException("reading solc-js output failed: " + e.getMessage(), e);
            }
        }, command -> Thread.ofVirtual().name("solc-js-reader").start(command));
    }

    private static String resource(String name) {
        try (InputStream in = SolidityCompiler.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource io/zkml/contracts/" + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read resource " + name, e);
        }
    }
}

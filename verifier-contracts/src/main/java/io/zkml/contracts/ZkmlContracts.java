package io.zkml.contracts;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The project's own contracts ({@code verifier-contracts/src/main/solidity}, packaged into this
 * jar under {@code io/zkml/contracts/solidity/}): {@code ZkmlRegistry}, {@code ZkmlOracle} and the
 * example consumer {@code RiskBasedLendingPool}, compiled together by the pinned solc. See
 * docs/contracts.md.
 */
public final class ZkmlContracts {

    /** The Solidity source units, in dependency order. */
    public static final List<String> SOURCES = List.of("IZkml.sol", "ZkmlRegistry.sol", "ZkmlOracle.sol",
            "RiskBasedLendingPool.sol");

    private final SolidityCompiler compiler;
    private final Map<String, String> sources;

    public ZkmlContracts(SolidityCompiler compiler) {
        this.compiler = Objects.requireNonNull(compiler, "compiler");
        this.sources = sources();
    }

    /** Every source unit by name, read from the classpath. */
    public static Map<String, String> sources() {
        Map<String, String> out = new LinkedHashMap<>();
        for (String name : SOURCES) {
            String path = "solidity/" + name;
            try (InputStream in = ZkmlContracts.class.getResourceAsStream(path)) {
                if (in == null) {
                    throw new IllegalStateException("contract source " + path + " is not on the classpath");
                }
                out.put(name, new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new UncheckedIOException("reading " + path, e);
            }
        }
        return out;
    }

    public CompiledContract registry() {
        return compiler.compile(sources, "ZkmlRegistry.sol", "ZkmlRegistry");
    }

    public CompiledContract oracle() {
        return compiler.compile(sources, "ZkmlOracle.sol", "ZkmlOracle");
    }

    public CompiledContract lendingPool() {
        return compiler.compile(sources, "RiskBasedLendingPool.sol", "RiskBasedLendingPool");
    }
}

package io.zkml.contracts;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The pinned snarkjs (npm, {@code node_modules/snarkjs}) run as its own command line: {@code node
 * node_modules/snarkjs/cli.js groth16 verify verification_key.json public.json proof.json}, the
 * command docs/snarkjs.md gives for checking a proof by hand.
 */
public final class SnarkjsCli {

    private static final Duration TIMEOUT = Duration.ofSeconds(120);

    private final ContractsToolchain toolchain;

    private SnarkjsCli(ContractsToolchain toolchain) {
        this.toolchain = toolchain;
    }

    /** snarkjs of the located toolchain; {@link ToolchainException} saying to run npm ci when it is missing. */
    public static SnarkjsCli locate() {
        ContractsToolchain tc = ContractsToolchain.locate();
        SnarkjsCli s = new SnarkjsCli(tc);
        if (!Files.isRegularFile(s.cli())) {
            throw new ToolchainException("snarkjs is not installed: " + s.cli() + " is missing. Run `npm ci` in "
                    + tc.contractsDir() + " (the Maven build does it), or skip with -DskipEvmTests");
        }
        return s;
    }

    /** {@code node_modules/snarkjs/cli.js}. */
    public Path cli() {
        return toolchain.nodeModules().resolve("snarkjs").resolve("cli.js");
    }

    /** The installed snarkjs version (package.json). */
    public String version() {
        try {
            String pkg = Files.readString(toolchain.nodeModules().resolve("snarkjs").resolve("package.json"));
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"version\"\\s*:\\s*\"([^\"]+)\"").matcher(pkg);
            return m.find() ? m.group(1) : "?";
        } catch (IOException e) {
            throw new ToolchainException("cannot read snarkjs's package.json: " + e.getMessage());
        }
    }

    /**
     * What {@code snarkjs groth16 verify} said.
     *
     * @param valid the exit status was 0 and snarkjs printed {@code OK!}
     * @param exitCode the exit status
     * @param output stdout and stderr
     */
    public record Outcome(boolean valid, int exitCode, String output) {
    }

    /** Runs {@code snarkjs groth16 verify vk public proof} with {@code dir} as working directory. */
    public Outcome groth16Verify(Path verificationKey, Path publicSignals, Path proof) {
        ProcessBuilder pb = new ProcessBuilder(toolchain.node(), cli().toString(), "groth16", "verify",
                verificationKey.toAbsolutePath().toString(), publicSignals.toAbsolutePath().toString(),
                proof.toAbsolutePath().toString())
                .directory(toolchain.contractsDir().toFile())
                .redirectErrorStream(true);
        try {
            Process p = pb.start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new ToolchainException("snarkjs did not finish within " + TIMEOUT.toSeconds() + " s");
            }
            String output = new String(out, StandardCharsets.UTF_8);
            return new Outcome(p.exitValue() == 0 && output.contains("OK!"), p.exitValue(), output);
        } catch (IOException e) {
            throw new ToolchainException("cannot run node ('" + toolchain.node() + "'): " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ToolchainException("interrupted while snarkjs ran");
        }
    }

    /**
     * Runs {@code snarkjs args...} in {@code dir} (e.g. {@code powersoftau new bn128 8 p0.ptau}).
     *
     * @throws ToolchainException if it does not exit 0 within the timeout, with its output
     */
    public String run(Path dir, String... args) {
        java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of(toolchain.node(), cli().toString()));
        cmd.addAll(java.util.List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true);
        try {
            Process p = pb.start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new ToolchainException("snarkjs " + String.join(" ", args) + " did not finish within " + TIMEOUT.toSeconds() + " s");
            }
            String output = new String(out, StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new ToolchainException("snarkjs " + String.join(" ", args) + " exited " + p.exitValue() + ": " + output);
            }
            return output;
        } catch (IOException e) {
            throw new ToolchainException("cannot run node ('" + toolchain.node() + "'): " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ToolchainException("interrupted while snarkjs ran");
        }
    }

    /**
     * A powers-of-tau file of this power with one contribution ({@code powersoftau new bn128}, then
     * {@code contribute} with this entropy), in snarkjs's {@code .ptau} format, without the Lagrange
     * sections of {@code prepare phase2} (the reader computes them; phase 2 preparation takes minutes
     * from power 10 on). Small powers only: tests.
     */
    public Path powersOfTau(Path dir, int power, String entropy) {
        run(dir, "powersoftau", "new", "bn128", Integer.toString(power), "pot0.ptau");
        run(dir, "powersoftau", "contribute", "pot0.ptau", "pot" + power + ".ptau", "--name=zkml-test", "-e=" + entropy);
        try {
            Files.deleteIfExists(dir.resolve("pot0.ptau"));
        } catch (IOException e) {
            // a leftover file in a test directory
        }
        return dir.resolve("pot" + power + ".ptau");
    }
}

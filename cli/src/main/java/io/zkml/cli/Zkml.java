package io.zkml.cli;

import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import io.zkml.compiler.CircuitCompiler;
import io.zkml.compiler.ir.CircuitIr;
import io.zkml.prover.ErrorCode;
import io.zkml.prover.NativeProverException;
import io.zkml.prover.NativeVersions;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The {@code zkml} command: the service's compiler and prover, on files. Each subcommand reads and
 * writes the named files of a circuit folder ({@link Artifacts}); errors are one line on stderr.
 */
@Command(name = "zkml", mixinStandardHelpOptions = true, versionProvider = Zkml.Versions.class,
        description = {"Zero-knowledge proofs of ML predictions, from files: compile a model into a circuit, "
                + "set up Groth16 keys, prove, verify, export a proof for snarkjs, inspect an IR, reproduce a published circuit.",
                "The same compiler and prover code as the service (no second implementation)."},
        subcommands = {CompileCommand.class, SetupCommand.class, ProveCommand.class, VerifyCommand.class,
                ExportCommand.class, InspectCommand.class, ReproduceCommand.class, ChainCommand.class, CeremonyCommand.class,
                CommandLine.HelpCommand.class})
public final class Zkml implements Runnable {

    /** Success (verify: the proof is valid; reproduce: identical). */
    public static final int OK = 0;
    /** verify: the proof is invalid for these public inputs; reproduce: the circuit differs. */
    public static final int INVALID = 1;
    /** Bad command line: unknown option, missing argument, options that do not go together. */
    public static final int USAGE = 2;
    /** A bad input file (missing, unreadable, malformed, wrong kind or version) or service answer. */
    public static final int BAD_INPUT = 3;
    /** A bug or an environment problem (native library cannot load, an inconsistency). */
    public static final int INTERNAL = 4;
    /** export snarkjs: snarkjs cannot check this circuit's proofs (nothing is written). */
    public static final int UNSUPPORTED = 5;

    /** The exit codes, as every command's usage help lists them. */
    static final Map<String, String> EXIT_CODES;

    static {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("0", "success (verify: the proof is valid; reproduce: byte-identical)");
        m.put("1", "verify: the proof is invalid or malformed, or the key is not the circuit's; export snarkjs: the served key "
                + "is not the circuit's; reproduce: different");
        m.put("2", "usage error: unknown option, missing or conflicting arguments");
        m.put("3", "bad input: a file or a service answer is missing, unreadable, malformed or of another version");
        m.put("4", "internal error (a bug, or the native library cannot be loaded)");
        m.put("5", "export snarkjs: snarkjs cannot check this circuit's proofs (a key with commitments, or not Groth16 "
                + "over BN254); nothing is written");
        EXIT_CODES = java.util.Collections.unmodifiableMap(m);
    }

    static final int USAGE_WIDTH = 100;

    @Spec
    CommandSpec spec;

    @CommandLine.Option(names = "--debug", scope = CommandLine.ScopeType.INHERIT,
            description = "print the stack trace of an error")
    boolean debug;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is needed");
    }

    public static void main(String[] args) {
        // web3j (zkml chain) logs through SLF4J, which has no provider here and would say so on stderr:
        // stderr carries only zkml's own one-line messages.
        System.setProperty("slf4j.internal.verbosity", "ERROR");
        System.exit(execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs {@code zkml args}, writing to {@code out} and {@code err}, and returns the exit code. */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        boolean debug = Arrays.asList(args).contains("--debug");
        CommandLine cl = commandLine();
        cl.setOut(out);
        cl.setErr(err);
        cl.setParameterExceptionHandler((ex, a) -> {
            String cmd = ex.getCommandLine().getCommandSpec().qualifiedName();
            err.println("zkml: error: " + Artifacts.firstLine(ex.getMessage()) + " (see '" + cmd + " --help')");
            if (debug) {
                ex.printStackTrace(err);
            }
            err.flush();
            return USAGE;
        });
        cl.setExecutionExceptionHandler((ex, c, parseResult) -> {
            CliException e = classify(ex);
            err.println("zkml: error: " + e.getMessage());
            if (debug) {
                ex.printStackTrace(err);
            }
            err.flush();
            return e.exitCode();
        });
        int code = cl.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    /** The command line with every subcommand, a fixed usage width and the exit codes in each usage help. */
    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Zkml());
        cl.setUsageHelpWidth(USAGE_WIDTH);
        configure(cl);
        return cl;
    }

    private static void configure(CommandLine c) {
        c.getCommandSpec().usageMessage().width(USAGE_WIDTH).autoWidth(false)
                .exitCodeListHeading("%nExit codes:%n").exitCodeList(EXIT_CODES);
        c.getSubcommands().values().forEach(Zkml::configure);
    }

    /** Maps an exception to its one-line message and exit code. */
    static CliException classify(Throwable ex) {
        if (ex instanceof CliException c) {
            return c;
        }
        if (ex instanceof NativeProverException n) {
            ErrorCode k = n.errorCode();
            int code = switch (k) {
                case INTERNAL, UNKNOWN_HANDLE -> INTERNAL;
                default -> BAD_INPUT;
            };
            return new CliException(code, Artifacts.firstLine(n.getMessage()), n);
        }
        if (ex instanceof NoSuchFileException f) {
            return new CliException(BAD_INPUT, "no such file: " + f.getFile(), f);
        }
        if (ex instanceof java.io.IOException io) {
            return new CliException(BAD_INPUT, "I/O error: " + Artifacts.firstLine(io.getMessage()), io);
        }
        if (ex instanceof UnsatisfiedLinkError u) {
            return new CliException(INTERNAL, "cannot load the native prover library: " + u.getMessage(), u);
        }
        return new CliException(INTERNAL, "internal error: " + ex.getClass().getSimpleName() + ": "
                + Artifacts.firstLine(ex.getMessage()) + " (rerun with --debug for the stack trace)", ex);
    }

    /** {@code zkml --version}: the compiler, the IR version, and the native library's versions. */
    static final class Versions implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String nativeLine;
            try {
                NativeVersions n = Artifacts.prover().versions();
                nativeLine = "gnark " + n.gnarkVersion() + ", ABI " + n.abiVersion() + ", curve " + n.curve() + ", " + n.goVersion();
            } catch (RuntimeException | LinkageError e) {
                nativeLine = "native library not loadable: " + Artifacts.firstLine(e.getMessage());
            }
            return new String[] {"zkml " + CircuitCompiler.version() + " (compiler " + CircuitCompiler.PRODUCER + " "
                    + CircuitCompiler.version() + ", IR version " + CircuitIr.VERSION + ")", nativeLine};
        }
    }
}

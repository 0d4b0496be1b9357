package io.zkml.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;

import io.zkml.prover.ConstraintSystem;
import io.zkml.prover.Groth16Ceremony;
import io.zkml.prover.Groth16Prover;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "ceremony", mixinStandardHelpOptions = true, versionProvider = Zkml.Versions.class,
        description = {"Take part in a Groth16 ceremony (phase 2 of a circuit's setup; docs/trust-model.md): the keys are "
                + "sound if any one contributor was honest, so a contributor need not trust the service or anyone else.",
                "Run it offline: the randomness is drawn from the OS random source in this process and dropped."},
        subcommands = {CeremonyCommand.Contribute.class, CeremonyCommand.Verify.class})
final class CeremonyCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a ceremony command is needed (contribute, verify)");
    }

    @Command(name = "contribute", mixinStandardHelpOptions = true, versionProvider = Zkml.Versions.class,
            description = {"Contribute to a ceremony state: reads --state (the latest state, e.g. GET "
                    + "/v1/circuits/{id}/ceremony/state), multiplies its secret by fresh randomness with a proof of knowledge "
                    + "bound to the state's hash, writes --out (the contribution to upload) and prints both hashes.",
                    "Check that the printed state hash is the one the ceremony announces before uploading."})
    static final class Contribute implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--state", required = true, paramLabel = "FILE", description = "the state to contribute on")
        Path state;

        @Option(names = "--out", required = true, paramLabel = "FILE", description = "where to write the contribution")
        Path out;

        @Override
        public Integer call() {
            Artifacts.requireFile(state, "ceremony state");
            Artifacts.prover();
            Groth16Ceremony.StateInfo next = Groth16Ceremony.contribute(state, out);
            spec.commandLine().getOut().printf("contributed on %s (sha256 %s)%nwrote %s: sha256 %s (domain %d)%n",
                    state, Artifacts.sha256(state, "ceremony state"), out, next.stateSha256(), next.domainSize());
            return Zkml.OK;
        }
    }

    @Command(name = "verify", mixinStandardHelpOptions = true, versionProvider = Zkml.Versions.class,
            description = {"Check one contribution of a ceremony: --next must be a valid contribution on --prev for the "
                    + "circuit of --dir (circuit.ir.json and circuit.cs, as compile writes them). Exit 0 = valid, "
                    + "3 = invalid (stale state, bad proof of knowledge, another circuit, a changed byte)."})
    static final class Verify implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--dir", required = true, paramLabel = "DIR", description = "the circuit folder written by compile")
        Path dir;

        @Option(names = "--prev", required = true, paramLabel = "FILE", description = "the state before")
        Path prev;

        @Option(names = "--next", required = true, paramLabel = "FILE", description = "the contribution to check")
        Path next;

        @Override
        public Integer call() {
            byte[] ir = Artifacts.read(dir.resolve(Artifacts.IR), "IR");
            Artifacts.requireFile(dir.resolve(Artifacts.CS), "constraint system");
            Groth16Prover prover = Artifacts.prover();
            try (ConstraintSystem cs = prover.loadConstraintSystem(ir, dir.resolve(Artifacts.CS))) {
                Groth16Ceremony.StateInfo v = Groth16Ceremony.verifyContribution(cs, prev, next);
                spec.commandLine().getOut().printf("valid contribution: state sha256 %s on a state of circuit %s%n",
                        v.stateSha256(), cs.circuitSha256());
            }
            return Zkml.OK;
        }
    }
}

package io.zkml.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;

import io.zkml.prover.ConstraintSystem;
import io.zkml.prover.Groth16Prover;
import io.zkml.prover.SetupResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import tools.jackson.databind.node.ObjectNode;

@Command(name = "setup", mixinStandardHelpOptions = true, versionProvider = Zkml.Versions.class,
        description = {"Run a Groth16 setup for a compiled circuit: reads circuit.ir.json and circuit.cs from --dir, "
                + "writes pk.bin (proving key), vk.bin (verifying key) and setup.json (the verifying key's SHA-256, versions).",
                "SINGLE-PARTY SETUP, FOR DEVELOPMENT ONLY: the toxic waste is drawn from the OS random source in this "
                + "process and discarded. Whoever runs it could forge proofs; keys are not reproducible (a new setup gives "
                + "new keys). It is not a ceremony and not a universal SRS."})
final class SetupCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--dir", required = true, paramLabel = "DIR", description = "the circuit folder written by compile")
    Path dir;

    @Override
    public Integer call() {
        byte[] ir = Artifacts.read(dir.resolve(Artifacts.IR), "IR");
        Artifacts.requireFile(dir.resolve(Artifacts.CS), "constraint system");
        Groth16Prover prover = Artifacts.prover();
        try (ConstraintSystem cs = prover.loadConstraintSystem(ir, dir.resolve(Artifacts.CS))) {
            SetupResult r = prover.setup(cs, dir.resolve(Artifacts.PK), dir.resolve(Artifacts.VK));
            ObjectNode n = Artifacts.JSON.createObjectNode();
            n.put("setup", "groth16, single-party (development only: not a ceremony, keys not reproducible)");
            n.put("circuitHash", cs.circuitSha256());
            n.put("verifyingKeySha256", r.verifyingKeySha256());
            n.put("provingKeySha256", Artifacts.sha256(dir.resolve(Artifacts.PK), "proving key"));
            n.put("setupMillis", r.setupMillis());
            n.set("versions", Artifacts.versions(prover));
            Artifacts.writeJson(dir.resolve(Artifacts.SETUP), n);
            spec.commandLine().getErr().println("zkml: warning: single-party Groth16 setup, for development only "
                    + "(whoever ran it can forge proofs; see docs/reproducibility.md)");
            spec.commandLine().getOut().printf("set up %s: verifying key sha256 %s (%d ms)%nwrote %s, %s, %s in %s%n",
                    cs.circuitSha256(), r.verifyingKeySha256(), r.setupMillis(), Artifacts.PK, Artifacts.VK, Artifacts.SETUP, dir);
        }
        return Zkml.OK;
    }
}

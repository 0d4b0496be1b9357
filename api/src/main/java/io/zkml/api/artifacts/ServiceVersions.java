package io.zkml.api.artifacts;

import org.springframework.stereotype.Component;

import io.zkml.compiler.CircuitCompiler;
import io.zkml.compiler.ir.CircuitIr;
import io.zkml.prover.Groth16Prover;
import io.zkml.prover.NativeVersions;

/** The versions of the programs this process runs; recorded with every artifact it makes. */
@Component
public class ServiceVersions {

    private final ArtifactVersions current;

    public ServiceVersions(Groth16Prover prover) {
        NativeVersions n = prover.versions();
        this.current = new ArtifactVersions(CircuitCompiler.VERSION, n.gnarkVersion(), n.abiVersion(), n.curve(),
                n.goVersion(), CircuitIr.VERSION);
    }

    public ArtifactVersions current() {
        return current;
    }
}

package io.zkml.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code zkml export FORMAT}: a proof in another tool's file formats. */
@Command(name = "export", mixinStandardHelpOptions = true, versionProvider = Zkml.Versions.class,
        description = {"Write a proof in another tool's file formats, so that tool checks it independently: "
                + "zkml export snarkjs."},
        subcommands = {ExportSnarkjsCommand.class})
final class ExportCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a format is needed: zkml export snarkjs");
    }
}

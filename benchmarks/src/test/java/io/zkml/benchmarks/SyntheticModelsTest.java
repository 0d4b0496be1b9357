package io.zkml.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.zkml.compiler.CircuitCompiler;
import io.zkml.compiler.CompiledCircuit;
import io.zkml.compiler.tribuo.ImportedModel;
import io.zkml.compiler.tribuo.TribuoModelReader;

class SyntheticModelsTest {

    @Test
    void isARealTribuoModelThatTheCompilerAccepts() throws Exception {
        DemoModel m = SyntheticModels.classifier(12, 1);
        ImportedModel imported = TribuoModelReader.read(m.modelBytes());
        assertThat(imported.features()).hasSize(12).startsWith("f00000", "f00001");
        assertThat(imported.outputs()).containsExactlyInAnyOrderElementsOf(SyntheticModels.LABELS);
        CompiledCircuit c = CircuitCompiler.compile(imported, m.name(), m.modelSha256(), m.settings());
        assertThat(c.quantizeInput(m.input())).hasSize(12);
    }

    @Test
    void isTheSameForTheSameSeed() throws Exception {
        DemoModel a = SyntheticModels.classifier(5, 3);
        DemoModel b = SyntheticModels.classifier(5, 3);
        ImportedModel ia = TribuoModelReader.read(a.modelBytes());
        ImportedModel ib = TribuoModelReader.read(b.modelBytes());
        assertThat(ia.weights()).isDeepEqualTo(ib.weights());
        assertThat(a.input()).containsExactly(b.input());
    }
}

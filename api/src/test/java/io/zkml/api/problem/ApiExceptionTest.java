package io.zkml.api.problem;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ApiExceptionTest {

    @Test
    void aNotFoundMessageEchoesAtMost64PrintableCharactersOfTheId() {
        String longId = "x".repeat(10_000);
        assertThat(ApiException.notFound("model", longId).getMessage())
                .isEqualTo("no model with id '" + "x".repeat(64) + "...'");
        assertThat(ApiException.notFound("circuit", "a\u001b[31mb\nc\u00e9").getMessage())
                .isEqualTo("no circuit with id 'a?[31mb?c?'");
        assertThat(ApiException.notFound("inference", "3f1c-ok").getMessage())
                .isEqualTo("no inference with id '3f1c-ok'");
    }
}

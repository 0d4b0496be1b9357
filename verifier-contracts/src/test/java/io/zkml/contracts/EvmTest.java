package io.zkml.contracts;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;

/**
 * Marks a test that needs node, solc-js and anvil from {@code npm ci}. Such a test fails (with
 * what to do) when they are missing; {@code -DskipEvmTests} skips it on purpose.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Tag("evm")
@DisabledIfSystemProperty(named = "skipEvmTests", matches = "(?i)true|", disabledReason = "-DskipEvmTests")
public @interface EvmTest {
}

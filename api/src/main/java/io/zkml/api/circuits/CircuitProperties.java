package io.zkml.api.circuits;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Circuit requests ({@code zkml.circuits.*}, issue 9 defect 3).
 *
 * @param maxSampleInputs the most {@code quantization.sampleInputs} rows one request may give
 *     (default 10,000; more is a 422 {@code invalid-quantization-settings} before anything is stored)
 */
@ConfigurationProperties("zkml.circuits")
public record CircuitProperties(@DefaultValue("10000") int maxSampleInputs) {
}

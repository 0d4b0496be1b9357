package io.zkml.api.idempotency;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Idempotency keys ({@code zkml.idempotency.*}, issue 9).
 *
 * @param ttl how long a key is remembered (default {@code 24h}): a key first used longer ago is a new
 *     key (its request creates a new resource), and such rows are purged when keys are claimed
 */
@ConfigurationProperties("zkml.idempotency")
public record IdempotencyProperties(@DefaultValue("24h") Duration ttl) {

    public IdempotencyProperties {
        if (ttl == null || ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("zkml.idempotency.ttl must be positive, got " + ttl);
        }
    }
}

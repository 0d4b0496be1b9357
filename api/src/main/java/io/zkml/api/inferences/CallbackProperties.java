package io.zkml.api.inferences;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Inference callbacks ({@code zkml.callbacks.*}, issue 9).
 *
 * @param signingSecret the HMAC-SHA256 key of the {@code X-Zkml-Signature} header; without it a
 *     request with a {@code callbackUrl} is refused (every API and worker process needs the same one)
 * @param allowPrivateNetworks whether a callback may go to a loopback, link-local or private address
 *     (default {@code false}: no requests into the service's own network)
 * @param timeout how long one delivery may take (default {@code 10s})
 */
@ConfigurationProperties("zkml.callbacks")
public record CallbackProperties(String signingSecret, @DefaultValue("false") boolean allowPrivateNetworks,
                                 @DefaultValue("10s") Duration timeout) {

    public boolean configured() {
        return signingSecret != null && !signingSecret.isBlank();
    }
}

package io.zkml.api.inferences;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import io.zkml.api.jobs.Job;
import io.zkml.api.jobs.JobContext;
import io.zkml.api.jobs.JobFailedException;
import io.zkml.api.jobs.JobHandler;
import io.zkml.api.jobs.JobKind;
import io.zkml.api.support.Json;

/**
 * Delivers an ended inference to its {@code callbackUrl} (issue 9): {@code POST} of
 * {@code {"event": "inference.<status>", "inference": <as GET shows it>}} with
 * {@code X-Zkml-Event}, {@code X-Zkml-Delivery} (the job id: the same on every retry) and
 * {@link InferenceCallbacks#SIGNATURE_HEADER}. A 2xx answer delivers it; anything else (or no answer)
 * is retried with exponential backoff up to the job's attempts (6); 410 Gone stops at once. A host
 * that resolves to a loopback, link-local or private address is refused unless
 * {@code zkml.callbacks.allow-private-networks}. Redirects are not followed.
 */
@Component
class CallbackJobHandler implements JobHandler {

    private static final Logger log = LoggerFactory.getLogger(CallbackJobHandler.class);

    private final InferenceRepository inferences;
    private final JdbcClient jdbc;
    private final Json json;
    private final CallbackProperties props;
    private final HttpClient http;

    CallbackJobHandler(InferenceRepository inferences, JdbcClient jdbc, Json json, CallbackProperties props) {
        this.inferences = inferences;
        this.jdbc = jdbc;
        this.json = json;
        this.props = props;
        this.http = HttpClient.newBuilder().connectTimeout(props.timeout()).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    @Override
    public JobKind kind() {
        return JobKind.CALLBACK;
    }

    @Override
    public void run(Job job, JobContext context) throws Exception {
        UUID id = job.subjectId();
        InferenceRecord r = inferences.find(id).orElseThrow(() -> new JobFailedException("inference " + id + " does not exist"));
        String url = jdbc.sql("SELECT callback_url FROM inferences WHERE id = ?").param(id).query(String.class).optional()
                .orElse(null);
        if (url == null) {
            throw new JobFailedException("inference " + id + " has no callback URL");
        }
        if (!props.configured()) {
            throw new JobFailedException("zkml.callbacks.signing-secret is not set on this worker");
        }
        URI uri = URI.create(url);
        if (!props.allowPrivateNetworks()) {
            for (InetAddress a : InetAddress.getAllByName(uri.getHost())) {
                if (a.isLoopbackAddress() || a.isLinkLocalAddress() || a.isSiteLocalAddress() || a.isAnyLocalAddress()
                        || a.isMulticastAddress()) {
                    throw new JobFailedException("the callback host " + uri.getHost() + " resolves to a non-public address "
                            + a.getHostAddress() + " (zkml.callbacks.allow-private-networks is false)");
                }
            }
        }
        Map<String, Object> payload = new LinkedHashMap<>();
        // issue 9: a batch (an inferences row with batch_rows) is delivered as GET /v1/batches/{id} shows it
        Integer rows = inferences.batchRows(id);
        String event = (rows == null ? "inference." : "batch.") + r.status().dbName();
        payload.put("event", event);
        if (rows == null) {
            payload.put("inference", InferenceController.InferenceResponse.of(r));
        } else {
            payload.put("batch", BatchController.BatchResponse.of(new BatchService.Created(r, rows, null)));
        }
        byte[] body = json.write(payload).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(props.timeout())
                .header("Content-Type", "application/json")
                .header("User-Agent", "zkml-callbacks/1")
                .header("X-Zkml-Event", event)
                .header("X-Zkml-Delivery", job.id().toString())
                .header(InferenceCallbacks.SIGNATURE_HEADER, InferenceCallbacks.signature(props.signingSecret(), Instant.now(), body))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        HttpResponse<Void> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.discarding());
        } catch (IOException e) {
            throw new IOException("callback to " + uri.getHost() + " failed: " + e.getMessage(), e);
        }
        int status = response.statusCode();
        if (status == 410) {
            throw new JobFailedException("callback answered HTTP 410 Gone: not retried");
        }
        if (status < 200 || status > 299) {
            throw new IOException("callback answered HTTP " + status);
        }
        log.info("callback of inference {} delivered to {} (attempt {})", id, uri.getHost(), job.attempts());
        context.complete(() -> { });
    }

    @Override
    public void onRequeued(UUID subjectId) {
        // the job row is the delivery status
    }

    @Override
    public void onFailed(UUID subjectId, String error) {
        // the job row is the delivery status; the inference itself already ended
    }
}

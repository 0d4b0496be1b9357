package io.zkml.api.artifacts;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/**
 * The worker's artifact cache at {@code /actuator/prometheus} (issue 9):
 * {@code zkml_artifact_cache_bytes} (files it knows of), {@code zkml_artifact_cache_max_bytes}
 * ({@code zkml.worker.cache-max-bytes}), {@code zkml_artifact_cache_fills_total} (artifacts read
 * from PostgreSQL) and {@code zkml_artifact_cache_evictions_total}.
 */
@Component
class ArtifactCacheMetrics {

    ArtifactCacheMetrics(ArtifactFileCache cache, ObjectProvider<MeterRegistry> registries) {
        MeterRegistry registry = registries.getIfAvailable();
        if (registry == null) {
            return;
        }
        Gauge.builder("zkml.artifact.cache.bytes", cache, ArtifactFileCache::cachedBytes)
                .description("bytes of the artifact files in this process's cache").baseUnit("bytes").register(registry);
        Gauge.builder("zkml.artifact.cache.max.bytes", cache, ArtifactFileCache::maxBytes)
                .description("zkml.worker.cache-max-bytes").baseUnit("bytes").register(registry);
        FunctionCounter.builder("zkml.artifact.cache.fills", cache, ArtifactFileCache::fills)
                .description("artifacts read from PostgreSQL into the cache").register(registry);
        FunctionCounter.builder("zkml.artifact.cache.evictions", cache, ArtifactFileCache::evictions)
                .description("cached files deleted to stay under the bound").register(registry);
    }
}

package io.zkml.api.jobs;

import java.util.List;

import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.transaction.support.TransactionTemplate;

/** Starts the job workers unless {@code zkml.worker.enabled=false} (an API-only node). */
@Configuration(proxyBeanMethods = false)
class JobConfiguration {

    @Bean
    @ConditionalOnBooleanProperty(name = "zkml.worker.enabled", matchIfMissing = true)
    JobWorkers jobWorkers(JobRepository jobs, List<JobHandler> handlers, TransactionTemplate tx, JobSignal signal,
                          WorkerProperties props) {
        return new JobWorkers(jobs, handlers, tx, signal, props);
    }
}

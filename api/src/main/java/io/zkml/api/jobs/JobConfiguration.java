package io.zkml.api.jobs;

import java.util.List;

import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.transaction.support.TransactionTemplate;

import io.zkml.api.runtime.RuntimeSettings;

/**
 * Starts the job workers in the roles {@code all} and {@code worker} ({@code zkml.role}), unless
 * {@code zkml.worker.enabled=false} (the older way to make an API-only node, still honoured).
 */
@Configuration(proxyBeanMethods = false)
class JobConfiguration {

    @Bean
    @Conditional(RunsWorkers.class)
    JobWorkers jobWorkers(JobRepository jobs, List<JobHandler> handlers, TransactionTemplate tx, JobSignal signal,
                          WorkerProperties props, JobMetrics metrics) {
        return new JobWorkers(jobs, handlers, tx, signal, props, metrics);
    }

    @Bean
    @Conditional(RunsWorkers.class)
    JobListener jobListener(javax.sql.DataSource dataSource, JobSignal signal, WorkerProperties props) {
        return new JobListener(dataSource, signal, props);
    }

    static final class RunsWorkers extends SpringBootCondition {
        @Override
        public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
            var env = context.getEnvironment();
            if (!RuntimeSettings.role(env).runsWorkers()) {
                return ConditionOutcome.noMatch("zkml.role is api");
            }
            if (!env.getProperty("zkml.worker.enabled", Boolean.class, true)) {
                return ConditionOutcome.noMatch("zkml.worker.enabled is false");
            }
            return ConditionOutcome.match("zkml.role runs workers");
        }
    }
}

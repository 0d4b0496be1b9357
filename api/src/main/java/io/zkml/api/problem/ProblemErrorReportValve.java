package io.zkml.api.problem;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;

import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.core.StandardHost;
import org.apache.catalina.valves.ErrorReportValve;

import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpStatusCode;

/**
 * Tomcat's own error page as problem+json (issue 9, defect 6): requests the container rejects
 * before any servlet runs ({@code /v1/models/%zz}, an encoded slash, an over-long header) used to
 * get Tomcat's HTML page. This valve replaces the host's {@link ErrorReportValve}; it writes only
 * where nothing was written yet, so errors Spring answers itself ({@link ProblemErrorController})
 * are unchanged. The detail is fixed text: nothing of Tomcat's message reaches the client.
 */
public class ProblemErrorReportValve extends ErrorReportValve {

    @Override
    protected void report(Request request, Response response, Throwable throwable) {
        int status = response.getStatus();
        if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
            return;
        }
        ProblemType type = Problems.forStatus(HttpStatusCode.valueOf(status));
        String detail = status >= 500 ? "an internal error occurred"
                : "the request was rejected before it reached the API (e.g. a malformed URL, an encoded slash or an "
                + "over-long header)";
        String body = "{\"type\":\"" + type.uri() + "\",\"title\":\"" + type.title() + "\",\"status\":" + status
                + ",\"detail\":\"" + detail + "\"}";
        try {
            response.setContentType("application/problem+json");
            response.setCharacterEncoding(StandardCharsets.UTF_8.name());
            Writer w = response.getReporter();
            if (w != null) {
                w.write(body);
                response.finishResponse();
            }
        } catch (IOException | IllegalStateException e) {
            // the client went away, or the response cannot take a body: nothing more to do
        }
    }

    /** Installs the valve on the embedded Tomcat's host before it starts. */
    @Configuration(proxyBeanMethods = false)
    static class Installer {
        @Bean
        WebServerFactoryCustomizer<TomcatServletWebServerFactory> problemErrorReportValve() {
            return factory -> factory.addContextCustomizers(context -> {
                if (context.getParent() instanceof StandardHost host) {
                    host.setErrorReportValveClass(ProblemErrorReportValve.class.getName());
                }
            });
        }
    }
}

package io.zkml.api.problem;

import java.util.List;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.web.HttpMediaTypeNotAcceptableException;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * Content negotiation before anything is stored (issue 9, defect 4): every write under {@code /v1}
 * answers JSON (or problem+json), so a POST, PUT, PATCH or DELETE whose {@code Accept} admits
 * neither is refused with 406 before its handler runs, instead of creating the resource and then
 * failing to render the answer. Reads keep Spring's own negotiation (some serve text or bytes).
 */
@Configuration(proxyBeanMethods = false)
class AcceptCheck {

    private static final List<MediaType> ANSWERS = List.of(MediaType.APPLICATION_JSON, MediaType.APPLICATION_PROBLEM_JSON);

    @Bean
    WebMvcConfigurer acceptCheckBeforeWrites() {
        return new WebMvcConfigurer() {
            @Override
            public void addInterceptors(InterceptorRegistry registry) {
                registry.addInterceptor(new HandlerInterceptor() {
                    @Override
                    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler)
                            throws HttpMediaTypeNotAcceptableException {
                        check(request);
                        return true;
                    }
                }).addPathPatterns("/v1/**").order(Ordered.HIGHEST_PRECEDENCE);
            }
        };
    }

    static void check(HttpServletRequest request) throws HttpMediaTypeNotAcceptableException {
        String method = request.getMethod();
        if (method.equals("GET") || method.equals("HEAD") || method.equals("OPTIONS")) {
            return;
        }
        String accept = request.getHeader("Accept");
        if (accept == null || accept.isBlank()) {
            return;
        }
        List<MediaType> accepted;
        try {
            accepted = MediaType.parseMediaTypes(accept);
        } catch (InvalidMediaTypeException e) {
            throw new HttpMediaTypeNotAcceptableException("the Accept header cannot be parsed: " + e.getMessage());
        }
        for (MediaType a : accepted) {
            for (MediaType answer : ANSWERS) {
                if (a.isCompatibleWith(answer) && a.getQualityValue() > 0) {
                    return;
                }
            }
        }
        throw new HttpMediaTypeNotAcceptableException(ANSWERS);
    }
}

package io.zkml.api.security;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.core.MethodParameter;
import org.springframework.http.MediaType;
import org.springframework.http.converter.HttpMessageConverter;
import org.springframework.http.server.ServerHttpRequest;
import org.springframework.http.server.ServerHttpResponse;
import org.springframework.http.server.ServletServerHttpRequest;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.servlet.mvc.method.annotation.ResponseBodyAdvice;

/**
 * When someone other than the owner reads an inference through {@code zkml.auth.public-artifacts},
 * the response keeps the public parts (status, output, public inputs, proof, calldata) and drops
 * the private input ({@code input}).
 */
@ControllerAdvice
class PublicViewAdvice implements ResponseBodyAdvice<Object> {

    /** Members of an inference that only its owner sees. */
    static final java.util.List<String> PRIVATE_MEMBERS = java.util.List.of("input", "quantizedInput", "salt",
            "callback"); // issue 9: the callback URL and its delivery status are the owner's

    private final JsonMapper mapper;

    PublicViewAdvice(JsonMapper mapper) {
        this.mapper = mapper;
    }

    @Override
    public boolean supports(MethodParameter returnType, Class<? extends HttpMessageConverter<?>> converterType) {
        return true;
    }

    @Override
    public Object beforeBodyWrite(Object body, MethodParameter returnType, MediaType contentType,
                                  Class<? extends HttpMessageConverter<?>> converterType, ServerHttpRequest request,
                                  ServerHttpResponse response) {
        if (body == null || body instanceof org.springframework.http.ProblemDetail
                || !(request instanceof ServletServerHttpRequest sr)
                || sr.getServletRequest().getAttribute(AccessInterceptor.PUBLIC_VIEW) == null
                || !MediaType.APPLICATION_JSON.isCompatibleWith(contentType)
                || !sr.getServletRequest().getRequestURI().startsWith(sr.getServletRequest().getContextPath() + "/v1/inferences/")) {
            return body;
        }
        JsonNode tree = mapper.valueToTree(body);
        if (tree instanceof ObjectNode o) {
            PRIVATE_MEMBERS.forEach(o::remove);
            return o;
        }
        return body;
    }
}

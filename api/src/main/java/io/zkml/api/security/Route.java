package io.zkml.api.security;

import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a request is, for access control: which scope it needs, whether it is always public or a read
 * of public artifacts, whether it starts jobs, and which owned resource (if any) its path names.
 * Classified by method and path only, so that controllers need no annotations.
 *
 * @param scope the scope a key needs, or null for an always-public route
 * @param publicArtifact a read of public artifacts ({@code zkml.auth.public-artifacts} opens it)
 * @param startsJobs a POST that queues a compile or prove job (counted against the concurrent-jobs quota)
 * @param proves a POST of an inference (counted against proofs per minute)
 * @param resource the owned resource the path names, if any
 * @param ceremony a read of a circuit's Groth16 ceremony or an upload of a contribution to it: open to
 *     every key with the scope, whoever owns the circuit, while {@code zkml.auth.open-ceremonies} is on
 *     (issue 7: anyone may join; finalize stays the owner's)
 */
record Route(Scope scope, boolean publicArtifact, boolean startsJobs, boolean proves, Optional<Resource> resource,
        boolean ceremony) {

    Route(Scope scope, boolean publicArtifact, boolean startsJobs, boolean proves, Optional<Resource> resource) {
        this(scope, publicArtifact, startsJobs, proves, resource, false);
    }

    /** An owned resource named by a path: its table and its id as the client wrote it. */
    record Resource(String kind, String table, String id) {
    }

    private static final Pattern RESOURCE = Pattern.compile("^/v1/(models|circuits|inferences|batches)/([^/]+)(/.*)?$");
    private static final Set<String> PUBLIC_CIRCUIT_FILES = Set.of("/verifier.sol", "/verifying-key",
            "/verification_key.json", "/verification-bundle.json");
    private static final Set<String> ALWAYS_PUBLIC = Set.of("/v1/openapi.yaml", "/verify", "/verify/", "/error");

    static Route of(String method, String path) {
        boolean read = method.equals("GET") || method.equals("HEAD");
        if (read && ALWAYS_PUBLIC.contains(path) || method.equals("OPTIONS")) {
            return new Route(null, false, false, false, Optional.empty());
        }
        if (path.equals("/v1/api-keys") || path.startsWith("/v1/api-keys/")) {
            return new Route(Scope.ADMIN, false, false, false, Optional.empty());
        }
        if (path.equals("/v1/verifications") && method.equals("POST")) {
            // Checks a proof against a circuit's verifying key: public data only, nothing stored.
            return new Route(Scope.READ, true, false, false, Optional.empty());
        }
        Matcher m = RESOURCE.matcher(path);
        Optional<Resource> resource = Optional.empty();
        String rest = "";
        if (m.matches()) {
            String kind = switch (m.group(1)) {
                case "models" -> "model";
                case "circuits" -> "circuit";
                case "batches" -> "batch"; // issue 9: a batch is an inferences row, only its owner reads it
                default -> "inference";
            };
            resource = Optional.of(new Resource(kind, kind.equals("batch") ? "inferences" : m.group(1), m.group(2)));
            rest = m.group(3) == null ? "" : m.group(3);
        }
        if (read) {
            boolean publicArtifact = resource.isPresent()
                    && (resource.get().table().equals("circuits") && PUBLIC_CIRCUIT_FILES.contains(rest)
                        || resource.get().kind().equals("inference") && rest.isEmpty());
            boolean ceremony = resource.isPresent() && resource.get().table().equals("circuits")
                    && (rest.equals("/ceremony") || rest.startsWith("/ceremony/"));
            return new Route(Scope.READ, publicArtifact, false, false, resource, ceremony);
        }
        boolean post = method.equals("POST");
        boolean startsJobs = post && resource.isPresent()
                && (resource.get().table().equals("models") && rest.equals("/circuits")
                    || resource.get().table().equals("circuits") && !rest.isEmpty());
        boolean proves = post && resource.isPresent() && resource.get().table().equals("circuits")
                && rest.startsWith("/inferences");
        boolean contribution = post && resource.isPresent() && resource.get().table().equals("circuits")
                && rest.equals("/ceremony/contributions");
        return new Route(Scope.PROVE, false, startsJobs, proves, resource, contribution);
    }
}

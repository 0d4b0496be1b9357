package io.zkml.api.support;

import java.util.UUID;
import java.util.regex.Pattern;

import io.zkml.api.problem.ApiException;

/** Parses ids from paths and bodies; a malformed id is an unknown id (404), never a 400 or 500. */
public final class Ids {

    private static final Pattern UUID_TEXT =
            Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    private Ids() {
    }

    /**
     * @param what the kind of resource, for the message ("model", "circuit"...)
     * @throws ApiException {@code not-found} if {@code id} is not a UUID
     */
    public static UUID parse(String id, String what) {
        if (id == null || !UUID_TEXT.matcher(id).matches()) {
            throw ApiException.notFound(what, id);
        }
        return UUID.fromString(id);
    }
}

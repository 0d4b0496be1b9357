package io.zkml.api.support;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.zkml.api.problem.ApiException;
import io.zkml.api.problem.ProblemType;

/**
 * Cursor pagination of the list endpoints: newest first, ordered by {@code (created_at, id)}
 * descending. A cursor is the position after the last item of a page, opaque to clients
 * (base64url of a version tag, the item's creation time in microseconds and its id); resources
 * created after the first page never shift later pages, so every item is listed once.
 */
public final class Pages {

    /** Items per page when the request names no {@code limit}. */
    public static final int DEFAULT_LIMIT = 20;
    /** The largest {@code limit} accepted. */
    public static final int MAX_LIMIT = 100;

    private static final String VERSION = "c1";

    private Pages() {
    }

    /** A position in a list: after the item created at {@code createdAt} with this id. */
    public record Cursor(OffsetDateTime createdAt, UUID id) {
    }

    /** A page: up to {@code limit} items, and the cursor of the next page (absent on the last). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Page<T>(List<T> items, String nextCursor) {
    }

    /** The limit of a request: {@link #DEFAULT_LIMIT} if absent; 400 outside 1..{@link #MAX_LIMIT}. */
    public static int limit(Integer limit) {
        if (limit == null) {
            return DEFAULT_LIMIT;
        }
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new ApiException(ProblemType.INVALID_REQUEST, "limit must be between 1 and " + MAX_LIMIT + ", got " + limit,
                    Map.of("maxLimit", MAX_LIMIT));
        }
        return limit;
    }

    /** The position a cursor stands for, null for none; 400 for anything this service did not give out. */
    public static Cursor decode(String cursor) {
        if (cursor == null || cursor.isEmpty()) {
            return null;
        }
        try {
            String[] parts = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8).split("\\.", -1);
            if (parts.length != 3 || !parts[0].equals(VERSION)) {
                throw new IllegalArgumentException("version");
            }
            long micros = Long.parseLong(parts[1]);
            Instant at = Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000L);
            return new Cursor(OffsetDateTime.ofInstant(at, ZoneOffset.UTC), UUID.fromString(parts[2]));
        } catch (IllegalArgumentException e) {
            throw new ApiException(ProblemType.INVALID_REQUEST,
                    "cursor is not one this service gave out; pass the nextCursor of the previous page as it is");
        }
    }

    public static String encode(Instant createdAt, UUID id) {
        long micros = Math.addExact(Math.multiplyExact(createdAt.getEpochSecond(), 1_000_000L), createdAt.getNano() / 1000);
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((VERSION + "." + micros + "." + id).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * A page from the {@code limit + 1} rows a query returned (the extra row only says there is more).
     *
     * @param position the creation time and id of a row, for the next cursor
     */
    public static <R, T> Page<T> page(List<R> rows, int limit, Function<R, Instant> createdAt, Function<R, UUID> id,
                                      Function<R, T> view) {
        List<R> shown = rows.size() > limit ? rows.subList(0, limit) : rows;
        String next = rows.size() > limit
                ? encode(createdAt.apply(shown.get(limit - 1)), id.apply(shown.get(limit - 1))) : null;
        return new Page<>(shown.stream().map(view).toList(), next);
    }

    /** A {@code status} filter: null if absent; 400 unless it is one of {@code allowed} (lowercase names). */
    public static String status(String status, Enum<?>[] allowed) {
        if (status == null || status.isEmpty()) {
            return null;
        }
        List<String> names = Arrays.stream(allowed).map(e -> e.name().toLowerCase(Locale.ROOT)).toList();
        if (!names.contains(status)) {
            throw new ApiException(ProblemType.INVALID_REQUEST, "status '" + status + "' is not one of " + names,
                    Map.of("allowedStatuses", names));
        }
        return status;
    }

    /** A filter's id; 400 naming the parameter if it is not a UUID. */
    public static UUID id(String value, String parameter) {
        try {
            return Ids.parse(value, parameter);
        } catch (ApiException e) {
            throw new ApiException(ProblemType.INVALID_REQUEST, parameter + " must be a UUID");
        }
    }

    /** The SQL condition of a keyset page, {@code (created_at, id) < (:afterAt, :afterId)} when a cursor is given. */
    public static final String AFTER = "(CAST(:afterAt AS timestamptz) IS NULL OR (created_at, id) < (:afterAt, :afterId))";
}

package io.zkml.api.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

import org.springframework.stereotype.Service;

import io.zkml.api.problem.ApiException;
import io.zkml.api.problem.ProblemType;

/**
 * Makes and checks API keys. A key is {@code zk_} followed by 43 base64url characters: 256 random bits
 * from {@link SecureRandom}. Only its SHA-256 is stored (ADR 0014: a key of that entropy cannot be
 * found from its hash by guessing, so a slow password hash would add cost to every request and no
 * safety); the key is shown once, when it is created.
 */
@Service
public class ApiKeys {

    /** Every key starts with this. */
    public static final String PREFIX = "zk_";
    /** Characters of a key kept in clear to tell keys apart (the prefix and 6 random characters). */
    static final int SHOWN = PREFIX.length() + 6;
    private static final Pattern OWNER = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final SecureRandom RANDOM = new SecureRandom();

    /**
     * Issue 9 (ADR 0027): how long a looked-up key is kept in memory before it is read again (a key
     * revoked by another process is refused by this one within this time; one revoked through this
     * process at once).
     */
    public static final long CACHE_MILLIS = 2000;
    private static final int CACHE_ENTRIES = 1024;

    private record Cached(ApiKey key, long until) {
    }

    private final ApiKeyRepository keys;
    private final io.zkml.api.support.LruCache<String, Cached> cache = new io.zkml.api.support.LruCache<>(CACHE_ENTRIES);

    public ApiKeys(ApiKeyRepository keys) {
        this.keys = keys;
    }

    /** Forgets the cached look-ups (after a revocation). */
    public void forgetCached() {
        cache.clear();
    }

    /** A new key and its record (the secret is in {@code key} only; the database gets its hash). */
    public record Created(ApiKey record, String key) {
    }

    /** A fresh random key. */
    public static String generate() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    /** Lowercase hex SHA-256 of the key's UTF-8 bytes: what {@code api_keys.key_sha256} holds. */
    public static String sha256(String key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Creates and stores a key.
     *
     * @throws ApiException {@code invalid-request} for an owner name outside
     *     {@code [A-Za-z0-9][A-Za-z0-9._-]{0,63}}, no scope, or a limit below 1
     */
    public Created create(String owner, String name, Set<Scope> scopes, Integer proofsPerMinute, Integer maxConcurrentJobs) {
        if (owner == null || !OWNER.matcher(owner).matches()) {
            throw new ApiException(ProblemType.INVALID_REQUEST,
                    "owner must be 1 to 64 characters of letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
        if (scopes == null || scopes.isEmpty()) {
            throw new ApiException(ProblemType.INVALID_REQUEST, "scopes must name at least one of read, prove, admin");
        }
        if (proofsPerMinute != null && proofsPerMinute < 1 || maxConcurrentJobs != null && maxConcurrentJobs < 1) {
            throw new ApiException(ProblemType.INVALID_REQUEST, "proofsPerMinute and maxConcurrentJobs must be at least 1");
        }
        String key = generate();
        ApiKey record = new ApiKey(UUID.randomUUID(), owner, name == null ? "" : name.strip(), key.substring(0, SHOWN),
                Set.copyOf(EnumSet.copyOf(scopes)), proofsPerMinute, maxConcurrentJobs, null, null);
        keys.insert(record, sha256(key));
        return new Created(keys.find(record.id()).orElseThrow(), key);
    }

    /**
     * Registers a key the caller made (the bootstrap admin key, given as its hash only), unless one
     * with that hash exists. Returns the stored key.
     */
    public ApiKey register(String sha256, String owner, String name, Set<Scope> scopes) {
        String hash = sha256.strip().toLowerCase(java.util.Locale.ROOT);
        ApiKey record = new ApiKey(UUID.randomUUID(), owner, name, "(hash only)", scopes, null, null, null, null);
        keys.insert(record, hash);
        return keys.findBySha256(hash).orElseThrow();
    }

    /** The live (not revoked) key with this secret. */
    public Optional<ApiKey> authenticate(String key) {
        String hash = sha256(key);
        Cached c = cache.peek(hash);
        long now = System.nanoTime() / 1_000_000;
        if (c != null && now < c.until()) {
            return Optional.of(c.key());
        }
        // only live keys are kept: an unknown or revoked key is read again each time
        Optional<ApiKey> found = keys.findBySha256(hash).filter(k -> !k.revoked());
        if (found.isPresent()) {
            Cached fresh = new Cached(found.get(), now + CACHE_MILLIS);
            cache.remove(hash);
            cache.getUnchecked(hash, h -> fresh);
        } else {
            cache.remove(hash);
        }
        return found;
    }
}

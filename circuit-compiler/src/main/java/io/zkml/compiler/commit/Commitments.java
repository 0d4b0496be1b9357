package io.zkml.compiler.commit;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;

/**
 * The commitment to quantized values (docs/commitments.md, recipe version 1), the same as Go's
 * {@code native/commit} and its gnark gadget:
 *
 * <pre>commit(domain, layout, values, salt) = Poseidon2.hash([tag(domain), e_0, ..., e_{k-1}, salt])</pre>
 *
 * <ul>
 *   <li>{@code tag(domain)}: the domain's bytes (1 to 31) read as a big-endian integer;
 *       {@link #INPUTS_DOMAIN} for a model's inputs.</li>
 *   <li>{@code e_j}: value i contributes {@code u_i = v_i - lo_i} in {@code [0, 2^w_i)}; values are
 *       placed in order, greedily, a value starting a new element when it does not fit in the
 *       current one's 248 bits; element = sum of {@code u_i * 2^offset_i} (little-endian, first
 *       value at bit 0).</li>
 *   <li>{@code salt}: a uniformly random field element in [0, r), kept secret ({@link #randomSalt}).</li>
 * </ul>
 */
public final class Commitments {

    /** Bits packed into one field element. */
    public static final int MAX_ELEMENT_BITS = 248;

    /** The domain-separation string of the commitment to a model's inputs. */
    public static final String INPUTS_DOMAIN = "zkml-inputs-v1";
    /** The domain of the commitment to a model's hashed outputs (issue 8). */
    public static final String OUTPUTS_DOMAIN = "zkml-outputs-v1";

    private Commitments() {
    }

    /** Where a value sits: packed element and bit offset. */
    public record Slot(int element, int offset) {
    }

    /** A width (0 to 248) and a lower bound per value, in order. */
    public record Layout(List<Integer> widths, List<BigInteger> lows) {

        public Layout {
            widths = List.copyOf(widths);
            lows = List.copyOf(lows);
            if (widths.size() != lows.size()) {
                throw new IllegalArgumentException(widths.size() + " widths but " + lows.size() + " lower bounds");
            }
            for (int i = 0; i < widths.size(); i++) {
                int w = widths.get(i);
                if (w < 0 || w > MAX_ELEMENT_BITS) {
                    throw new IllegalArgumentException("value " + i + ": width " + w + " not in [0, " + MAX_ELEMENT_BITS + "]");
                }
            }
        }

        /** The layout of values bounded by lo[i] ≤ v_i ≤ hi[i]: width bitlen(hi[i] − lo[i]). */
        public static Layout fromBounds(List<BigInteger> lo, List<BigInteger> hi) {
            if (lo.size() != hi.size()) {
                throw new IllegalArgumentException(lo.size() + " lower but " + hi.size() + " upper bounds");
            }
            List<Integer> widths = new ArrayList<>();
            for (int i = 0; i < lo.size(); i++) {
                if (lo.get(i).compareTo(hi.get(i)) > 0) {
                    throw new IllegalArgumentException("value " + i + ": lo " + lo.get(i) + " > hi " + hi.get(i));
                }
                widths.add(hi.get(i).subtract(lo.get(i)).bitLength());
            }
            return new Layout(widths, lo);
        }

        /** Every value's slot. */
        public List<Slot> slots() {
            List<Slot> out = new ArrayList<>();
            int elem = 0;
            int pos = 0;
            for (int w : widths) {
                if (pos + w > MAX_ELEMENT_BITS) {
                    elem++;
                    pos = 0;
                }
                out.add(new Slot(elem, pos));
                pos += w;
            }
            return out;
        }

        /** The number of packed elements (0 for no values). */
        public int elementCount() {
            List<Slot> s = slots();
            return s.isEmpty() ? 0 : s.get(s.size() - 1).element() + 1;
        }
    }

    /** Packs values (each lo_i ≤ v_i < lo_i + 2^w_i) into field elements. */
    public static List<BigInteger> pack(Layout layout, List<BigInteger> values) {
        if (values.size() != layout.widths().size()) {
            throw new IllegalArgumentException(values.size() + " values for a layout of " + layout.widths().size());
        }
        List<Slot> slots = layout.slots();
        BigInteger[] acc = new BigInteger[layout.elementCount()];
        java.util.Arrays.fill(acc, BigInteger.ZERO);
        for (int i = 0; i < values.size(); i++) {
            BigInteger lo = layout.lows().get(i);
            int w = layout.widths().get(i);
            BigInteger u = values.get(i).subtract(lo);
            if (u.signum() < 0 || u.bitLength() > w) {
                throw new IllegalArgumentException("value " + i + " (" + values.get(i) + ") not in [" + lo + ", " + lo + " + 2^" + w + ")");
            }
            Slot s = slots.get(i);
            acc[s.element()] = acc[s.element()].add(u.shiftLeft(s.offset()));
        }
        return List.of(acc);
    }

    /** The domain tag: the domain's bytes (1 to 31) as a big-endian integer. */
    public static BigInteger tag(String domain) {
        byte[] b = domain.getBytes(StandardCharsets.UTF_8);
        if (b.length == 0 || b.length > 31) {
            throw new IllegalArgumentException("domain \"" + domain + "\" must be 1 to 31 bytes");
        }
        return new BigInteger(1, b);
    }

    /** The sequence the commitment hashes: [tag, packed..., salt]. */
    public static List<BigInteger> preimage(String domain, Layout layout, List<BigInteger> values, BigInteger salt) {
        List<BigInteger> seq = new ArrayList<>();
        seq.add(tag(domain));
        seq.addAll(pack(layout, values));
        try {
            seq.add(Poseidon2.element(salt));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("salt: " + e.getMessage(), e);
        }
        return seq;
    }

    /** The commitment to values under layout, domain and salt, an integer in [0, r). */
    public static BigInteger commit(String domain, Layout layout, List<BigInteger> values, BigInteger salt) {
        return Poseidon2.hash(preimage(domain, layout, values, salt));
    }

    /** A uniformly random salt in [0, r) (rejection sampling of 254-bit integers). */
    public static BigInteger randomSalt(SecureRandom random) {
        while (true) {
            BigInteger s = new BigInteger(Poseidon2.R.bitLength(), random);
            if (s.compareTo(Poseidon2.R) < 0) {
                return s;
            }
        }
    }
}

package io.zkml.compiler.commit;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Poseidon2 over the BN254 scalar field exactly as gnark computes it: a port of gnark-crypto
 * v0.21.0 {@code ecc/bn254/fr/poseidon2} with its default parameters (width 2, S-box x^5, 6 full
 * rounds, 50 partial rounds) and its Merkle–Damgård hash, the one gnark's
 * {@code std/hash/poseidon2} gadget computes (docs/commitments.md, ADR 0007).
 *
 * <p>The permutation starts with the external matrix circ(2,1); a full round adds two round keys,
 * applies x^5 to both lanes and the external matrix [[2,1],[1,2]]; a partial round adds one key
 * to lane 0, applies x^5 to lane 0 and the internal matrix [[2,1],[1,3]]. The hash is
 * Merkle–Damgård with IV 0 and no padding: {@code compress(s, m) = P(s, m)[1] + m},
 * {@code hash([]) = 0}, {@code hash(m1..mn) = compress(...compress(0, m1)..., mn)}.
 *
 * <p>The round keys are gnark-crypto's, derived from the seed {@value #ROUND_KEY_SEED} by a
 * Keccak-256 chain (docs/commitments.md); they are tabulated here (the JDK has no legacy
 * Keccak-256) and {@code Poseidon2VectorsTest} checks them against the shared vectors file that
 * Go generates from gnark-crypto. Arithmetic is {@link BigInteger} mod r: correct, not fast
 * (a hash of one element is 56 rounds of a few multiplications).
 */
public final class Poseidon2 {

    /** r, the BN254 scalar field order. */
    public static final BigInteger R = new BigInteger(
            "30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001", 16);
    public static final int WIDTH = 2;
    public static final int FULL_ROUNDS = 6;
    public static final int PARTIAL_ROUNDS = 50;
    public static final int SBOX_DEGREE = 5;
    public static final String ROUND_KEY_SEED = "Poseidon2-BN254[t=2,rF=6,rP=50,d=5]";

    // gnark-crypto v0.21.0 GetDefaultParameters().RoundKeys, rounds in order (hex).
    private static final String[][] ROUND_KEYS_HEX = {
            {"1da4d6adfb0d0b494584f763db50a81908580a5f5e295e168b9b8d31770fac4f", "946129a2e33b4e819707a56a3b3790eab80d0a0c7a0c63451fab2a59acc074c"},
            {"2a39b9d5376afd35580abd6952986570867b87303b07140268794dad4b8f82ea", "27605717d1245c20c546b3c7014e5fa3e4a70e66ecd6de5d32448eea5e3069b2"},
            {"24c896cb2594e17b973653193a470ed7e771ebb09a228d638e50809c03773632", "911096c45dd9cda0d61d783957003db6d8701c7869a919ad8042e1b7d597a49"},
            {"26ff6166f1e4b99e27eee6d352a8ce26f1daba01aad28021f11f38a70603afdc"},
            {"8e2faedcf76d08ad6591ff90e50fea79bcb5e18cfb7d954d5b89437bf64b7e"},
            {"19c9da2379b598ace3ad4d1872470830f6184a3cec71eeb632f98820eb353d78"},
            {"f7c4eb15d8b0b62a8f6a090ec9610a2ab3dfcdb57e2539aa459a40583dfe96b"},
            {"18b99417dc26b5e079750eba282362d1d46900b47dd5ff809171588b08ac3983"},
            {"1ee044081160b3eee2d4493feab82141c73f1c054b76320a8848af08a8d91a26"},
            {"29bb95c8763efd3e0e87f5df12ee8a150455b6d7a14780d19122220366c258dc"},
            {"22c23eec9cb13ff8a3ee9a363d740653215e8991f7f9ec12067b4705e9a5c9fb"},
            {"23589e033a31a667680c8b18926c3be09115c7644c4f905cc7deefc1690b42dc"},
            {"304e99b887f2e1e92c9c0cde5f2bdd4764f60b98a219f1f0dd64ec938a6a247c"},
            {"22e817865236ad3a76fbe88bbdf31fcae792f326271d53a3a493b2de7f7d8b4c"},
            {"10c9efe573e86fa5b238a3f5c70a00bf02bc7dcfcc4878e026b77c881dc8b1c9"},
            {"a94f16be920d85f4d6f80e745c6bddbc084f309edffef023ea283c72b89bbb6"},
            {"23ed72b4d01d14e3c7888fedb770494abc2c1ea81d6465b5df3da0ebcd69101a"},
            {"17c5115640e4cebeed0e6cbb511ac38498df815a77cb162de8d8f1022eb6bb74"},
            {"2e507fcca290d0d9cf765245750eb04773e09e1fc813959fb99680a82772e4fc"},
            {"d4a98999f5b39176af6cce65c8d12162433f055cb71d70dfc8803013292bbbf"},
            {"238d8022cc09c21ab3c01261a03dc125321d829e22a7a3b7a1bd3c335eccfa21"},
            {"10cd8e4c2b7051cb81dc8292e35d8e943ce365613d5b39770e454ed9f4ae165"},
            {"88027e54f2a3604b11178cf0ea3c6aa861173a90fb231238e03539590ecc027"},
            {"1b840f5311a2b1d4b4cd7aa7e5a9a6d161165468daa938108302b73e464819db"},
            {"2bf51a5da1828a1cf9b764b1e16c15929a3a346e44198ea0cb366fcd8db78dc1"},
            {"206ad089d8d296ffe68a6a86767a7fe726b8872f9c7beef9d56a3a50f6f23827"},
            {"24d19193171494fa1a54e0a99ac16d05eaec4b6d617c7c199fc07ff88eac550c"},
            {"1dd654a2ca9d9f24f33d88246a40dfb32c40662278b9c0b995d9f9fbaf152138"},
            {"d171025c925f6e259d20ecbd3a601108c85f05b0fe7793b8acf57f3789785e4"},
            {"55bef435a43aec245cd99ccb0f7c8791d9e8cf2b80d95dd98b9908fed877d55"},
            {"10d2ac8c61c8a2e88a2a3f42d9359a14be63d0ad4cfd9f203b75765d0e595f0e"},
            {"103479710e70996982a84057ec3ba6b2254d7966ddc41e85296e3d0790dcfa56"},
            {"2a366f0448fda3c05914ffb48c765da8de96f9aa340db1638225f8372921807b"},
            {"16be0fb8ef62da17919b6e0378d00594153bb8899aeb686c04626b63285837a4"},
            {"417038500e9d06c60abbc7f0d0d24c32dec8a0b2aa5a4d52cfd8c78a15bc370"},
            {"26a6873b43ffd2ccf66ec6f4493ff9b54f4d76480bc486a3e5a0308fdd013812"},
            {"a3314a838f32630a96251914fe5ad262f3db9b2aa8aa9f7391922d36278c498"},
            {"fde0c5429a6beb07f462d4821f48f86aeadb46a090b15a044f4b59399027da4"},
            {"abc2d5049972a6b9b357e4163793b0bb517e1eb535a984df11a1c89cda2c8a9"},
            {"dab51d6e3ebfa661d21722fb21e55051b427a5f173f7f17735205dbb77c464e"},
            {"29c36622598b511d51af6cc37123652fb21be5c2d68fb8efe9b92e70a8c1ae03"},
            {"2c03ec80adac2a33ae846bc0b700d0bcc41c4096e53ac6990d6bbe7ea2fbc85c"},
            {"918fdbe9cf3a59fbdb4c6852d065105317303116017d893b8b521e3cebe1e0d"},
            {"1f19ec22e69ca33f599dd13cd7e495a8176a79df4f7acf79a9d2135acabe2359"},
            {"1c4b037c8ae85ee1eb32b872eb7f76928c4c76b29ceb001346447b2911080704"},
            {"2b68900ed906616d6c826d0bde341766ba3131e04d420de5af0a69c534efd8db"},
            {"20ca92aa222fcc69448f8dac653c8daaa180ff6dfb397cef723d4f0c782bc7f0"},
            {"10d22d05bdff6bb375276fc82057db337045a5ab7ac053941f6186289b66b2b6"},
            {"b1ffdbb529367bb98f32ba45784cb435aa910b4a00636d1e5ca79e88bdd6cd9"},
            {"2da32b38e7984bc2ed757ec705eccf8282c7b4f82e5e515f6f89bcc33022ce9f"},
            {"42593ad87403f6d2674b8b55a886725b87eb33958031e94d292cecc6abed1bb"},
            {"181fa1b4d067783a19d7367bf49b3f01051faedab463a6de9308fbd6e7d419f1"},
            {"15aaa6cc9b7900b15683c95515c26028a8e35b00ed8a815c34927188c60de660"},
            {"1bf28a93209084bbbc63234f057254c280b1a636f5a0eced6787320212f75a7a", "1cdb8c8bee5426f02cd9e229776118f156273b312f805c8e6f8c9d81a620cb6f"},
            {"8299c0abf196d53162e0facb5f1876f516df2505cc387a0f8ea0e8760d5ca7e", "221643d205fe82778a7b7b58cb65c4962d76c0072cabd1124117269d7c710b8a"},
            {"2d036a95f81cf49bb7a0143a28c88767f6bd10c3f74b22db487920d43343dbff", "8a50897c06aafe6ea414fb1bceca2267cd4a39486729fbc6d5d1bb7a172ebd2"},
    };

    private static final BigInteger[][] RK = new BigInteger[ROUND_KEYS_HEX.length][];

    static {
        for (int i = 0; i < RK.length; i++) {
            RK[i] = new BigInteger[ROUND_KEYS_HEX[i].length];
            for (int j = 0; j < RK[i].length; j++) {
                RK[i][j] = new BigInteger(ROUND_KEYS_HEX[i][j], 16);
            }
        }
    }

    private Poseidon2() {
    }

    /** The round keys, rounds in order (2 per full round, 1 per partial round). */
    public static List<List<BigInteger>> roundKeys() {
        List<List<BigInteger>> out = new ArrayList<>();
        for (BigInteger[] k : RK) {
            out.add(List.of(k));
        }
        return Collections.unmodifiableList(out);
    }

    /** Checks that x is a field element, in [0, r); never reduces. */
    public static BigInteger element(BigInteger x) {
        if (x.signum() < 0 || x.compareTo(R) >= 0) {
            throw new IllegalArgumentException(x + " is not a field element (must be in [0, r))");
        }
        return x;
    }

    private static BigInteger sbox(BigInteger x) {
        BigInteger x2 = x.multiply(x).mod(R);
        return x2.multiply(x2).mod(R).multiply(x).mod(R);
    }

    private static void external(BigInteger[] s) {
        BigInteger t = s[0].add(s[1]);
        s[0] = t.add(s[0]).mod(R);
        s[1] = t.add(s[1]).mod(R);
    }

    private static void internal(BigInteger[] s) {
        BigInteger sum = s[0].add(s[1]);
        s[0] = s[0].add(sum).mod(R);
        s[1] = s[1].shiftLeft(1).add(sum).mod(R);
    }

    private static void fullRound(int round, BigInteger[] s) {
        s[0] = sbox(s[0].add(RK[round][0]).mod(R));
        s[1] = sbox(s[1].add(RK[round][1]).mod(R));
        external(s);
    }

    /** The width-2 permutation of (a, b), both field elements. */
    public static BigInteger[] permute(BigInteger a, BigInteger b) {
        BigInteger[] s = {element(a), element(b)};
        external(s);
        int rf = FULL_ROUNDS / 2;
        for (int i = 0; i < rf; i++) {
            fullRound(i, s);
        }
        for (int i = rf; i < rf + PARTIAL_ROUNDS; i++) {
            s[0] = sbox(s[0].add(RK[i][0]).mod(R));
            internal(s);
        }
        for (int i = rf + PARTIAL_ROUNDS; i < FULL_ROUNDS + PARTIAL_ROUNDS; i++) {
            fullRound(i, s);
        }
        return s;
    }

    /** The Merkle–Damgård compression: P(state, m)[1] + m. */
    public static BigInteger compress(BigInteger state, BigInteger m) {
        return permute(state, m)[1].add(m).mod(R);
    }

    /** The Merkle–Damgård hash (IV 0) of a sequence of field elements. */
    public static BigInteger hash(List<BigInteger> elements) {
        BigInteger s = BigInteger.ZERO;
        for (BigInteger m : elements) {
            s = compress(s, m);
        }
        return s;
    }
}

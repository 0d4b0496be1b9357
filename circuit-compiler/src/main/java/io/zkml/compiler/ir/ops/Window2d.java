package io.zkml.compiler.ir.ops;

import io.zkml.compiler.ir.IrTensor;
import io.zkml.compiler.ir.IrValidationException;

import java.util.List;

/**
 * The geometry shared by {@code conv2d}, {@code avgpool2d} and {@code maxpool2d}
 * (docs/ir-format.md): an input {@code [C, H, W]}, a kernel {@code [KH, KW]}, strides
 * {@code [SH, SW]} and pads {@code [PT, PL, PB, PR]}, each pad below its kernel extent (so every
 * window holds an image element); output {@code [·, OH, OW]} with
 * {@code OH = (H + PT + PB − KH) / SH + 1} (floor). A tap outside the image reads nothing.
 */
public record Window2d(int c, int h, int w, int kh, int kw, int sh, int sw, int pt, int pl, int oh, int ow) {

    /** A visitor of one window's taps inside the image: kernel position (u, v), input (p, q). */
    @FunctionalInterface
    public interface Tap {
        void at(int u, int v, int p, int q);
    }

    /** Checks x's shape and the attributes; {@code where} locates the op ("ops[3]"). */
    public static Window2d of(IrTensor x, String xLabel, int kh, int kw, List<Integer> strides, List<Integer> pads, String where)
            throws IrValidationException {
        if (x.rank() != 3) {
            throw new IrValidationException(xLabel + ": shape must be [C, H, W], got " + x.shape());
        }
        if (kh < 1 || kw < 1) {
            throw new IrValidationException(where + ".attributes: the kernel [" + kh + ", " + kw + "] must be positive");
        }
        if (strides.size() != 2 || strides.get(0) < 1 || strides.get(1) < 1 || strides.get(0) > 1024 || strides.get(1) > 1024) {
            throw new IrValidationException(where + ".attributes.strides: must be 2 integers in [1, 1024], got " + strides);
        }
        if (pads.size() != 4) {
            throw new IrValidationException(where + ".attributes.pads: must be 4 integers [top, left, bottom, right], got " + pads);
        }
        for (int i = 0; i < 4; i++) {
            int k = i % 2 == 0 ? kh : kw;
            if (pads.get(i) < 0 || pads.get(i) >= k) {
                throw new IrValidationException(where + ".attributes.pads: pads[" + i + "] = " + pads.get(i) + " must be in [0, " + k
                        + ") (below the kernel extent)");
            }
        }
        int h = x.shape().get(1);
        int w = x.shape().get(2);
        int ph = h + pads.get(0) + pads.get(2);
        int pw = w + pads.get(1) + pads.get(3);
        if (ph < kh || pw < kw) {
            throw new IrValidationException(where + ".attributes: the kernel [" + kh + ", " + kw + "] is larger than the padded input ["
                    + ph + ", " + pw + "]");
        }
        return new Window2d(x.shape().get(0), h, w, kh, kw, strides.get(0), strides.get(1), pads.get(0), pads.get(1),
                (ph - kh) / strides.get(0) + 1, (pw - kw) / strides.get(1) + 1);
    }

    /** The taps of output (i, j) inside the image, in row-major kernel order. */
    public void taps(int i, int j, Tap f) {
        for (int u = 0; u < kh; u++) {
            int p = i * sh - pt + u;
            if (p < 0 || p >= h) {
                continue;
            }
            for (int v = 0; v < kw; v++) {
                int q = j * sw - pl + v;
                if (q < 0 || q >= w) {
                    continue;
                }
                f.at(u, v, p, q);
            }
        }
    }

    /** The number of taps of output (i, j) inside the image. */
    public int count(int i, int j) {
        int[] n = {0};
        taps(i, j, (u, v, p, q) -> n[0]++);
        return n[0];
    }

    /** The flat index of input element (ch, p, q). */
    public int index(int ch, int p, int q) {
        return (ch * h + p) * w + q;
    }
}

package org.tribuo.zkmltest;

/**
 * A class inside the {@code org.tribuo.} package prefix that the model reader's provenance check
 * loads by name: it must load it without initializing it. Sets a system property when its static
 * initializer runs. Neither a Provenance nor an enum, so the reader must reject it.
 */
public final class PackageCanary {
    public static final String PROPERTY = "zkml.test.package-canary";

    static {
        System.setProperty(PROPERTY, "initialized");
    }

    private PackageCanary() {
    }
}

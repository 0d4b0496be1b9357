package io.zkml.compiler.tribuo;

/**
 * Sets a system property when its static initializer runs. Tests name it inside tampered model
 * files to prove that the reader rejects them before anything is loaded by reflection.
 */
public final class StaticInitCanary {
    public static final String PROPERTY = "zkml.test.static-init-canary";

    static {
        System.setProperty(PROPERTY, "initialized");
    }

    private StaticInitCanary() {
    }
}

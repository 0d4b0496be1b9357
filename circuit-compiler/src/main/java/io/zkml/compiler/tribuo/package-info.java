/**
 * Import of Tribuo models from Tribuo's protobuf format, for untrusted uploads: Java
 * serialization is refused and every class name in the document is checked against an allow-list
 * before Tribuo instantiates anything ({@link io.zkml.compiler.tribuo.TribuoModelReader}).
 */
package io.zkml.compiler.tribuo;

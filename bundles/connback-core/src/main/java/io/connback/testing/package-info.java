/**
 * Test support for code built on Connback, such as connectors: a {@link io.connback.ConnbackScheduler} on virtual
 * time, so that backoff delays and keepalive deadlines run instantly and exactly in unit tests; loopback ports that a
 * reconnecting client cannot connect to itself through; and {@link io.connback.testing.Await}, which waits for what
 * other threads do, with a deadline. Shipped in the main
 * jar, like RxJava's {@code TestScheduler}, because connector authors need it as much as this project does.
 */
@Export
@Version("0.1.0")
package io.connback.testing;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;

/**
 * Typed reads of configuration properties (ConfigAdmin dictionaries, {@code .cfg} files, maps), shared by the
 * options of the core and of every connector so that a bad value is reported the same way everywhere: an
 * {@link io.connback.config.InvalidValueException} whose message names the key and the value, quoted safely.
 */
@Export
@Version("0.2.0")
package io.connback.config;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;

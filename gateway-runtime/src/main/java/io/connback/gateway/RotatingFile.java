package io.connback.gateway;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * A text file appended to line by line and rotated by size: when a line would take {@code name} past the maximum
 * size, {@code name.1} becomes {@code name.2} and so on, the oldest beyond the count is deleted, {@code name} becomes
 * {@code name.1}, and a new {@code name} is started. A line longer than the maximum still goes whole into a file of
 * its own. Not thread-safe: {@link GatewayLog} writes under its lock.
 */
final class RotatingFile {

    private final Path path;
    private final long maxSize;
    private final int files;
    private Writer out;
    private long size;

    /**
     * Opens the file to append to it, creating it and its folder if missing.
     *
     * @param path the current file
     * @param maxSize the size at which it is rotated, in bytes
     * @param files how many files are kept, the current one included (1: the file is started over)
     * @throws IOException if the file cannot be opened
     */
    RotatingFile(Path path, long maxSize, int files) throws IOException {
        if (maxSize < 1 || files < 1) {
            throw new IllegalArgumentException("maxSize " + maxSize + " and files " + files + " must be positive");
        }
        this.path = path;
        this.maxSize = maxSize;
        this.files = files;
        Files.createDirectories(path.toAbsolutePath().getParent());
        open();
    }

    Path path() {
        return path;
    }

    /**
     * Appends a line and its line separator, flushed at once.
     *
     * @param line the line
     * @throws IOException if the file cannot be written or rotated
     */
    void writeLine(String line) throws IOException {
        String text = line + System.lineSeparator();
        long length = text.getBytes(StandardCharsets.UTF_8).length;
        if (size > 0 && size + length > maxSize) {
            rotate();
        }
        out.write(text);
        out.flush();
        size += length;
    }

    private void open() throws IOException {
        out = Files.newBufferedWriter(path, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
        size = Files.size(path);
    }

    private void rotate() throws IOException {
        out.close();
        if (files == 1) {
            Files.delete(path);
        } else {
            Files.deleteIfExists(numbered(files - 1));
            for (int n = files - 2; n >= 1; n--) {
                if (Files.exists(numbered(n))) {
                    Files.move(numbered(n), numbered(n + 1), StandardCopyOption.REPLACE_EXISTING);
                }
            }
            Files.move(path, numbered(1), StandardCopyOption.REPLACE_EXISTING);
        }
        open();
    }

    private Path numbered(int n) {
        return path.resolveSibling(path.getFileName() + "." + n);
    }
}

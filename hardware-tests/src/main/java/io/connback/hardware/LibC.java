package io.connback.hardware;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;

/** The libc calls that make and drive a pseudo-terminal, with their Linux constants (x86, x86-64, ARM, AArch64). */
interface LibC extends Library {

    LibC INSTANCE = Native.load("c", LibC.class);

    int EINTR = 4;
    int EIO = 5;
    int EAGAIN = 11;

    int F_SETFD = 2;
    int F_GETFL = 3;
    int F_SETFL = 4;
    int FD_CLOEXEC = 1;
    int O_NONBLOCK = 0x800;
    int O_CLOEXEC = 0x80000;

    short POLLIN = 0x1;
    short POLLOUT = 0x4;
    short POLLERR = 0x8;
    short POLLHUP = 0x10;
    short POLLNVAL = 0x20;
    /** {@code sizeof(struct pollfd)}: int fd, short events, short revents. */
    int POLLFD_SIZE = 8;

    int TCSANOW = 0;
    /** At least {@code sizeof(struct termios)} (60 bytes in glibc); only libc reads and writes it. */
    int TERMIOS_SIZE = 128;

    int tcgetattr(int fd, Pointer termios);

    void cfmakeraw(Pointer termios);

    int tcsetattr(int fd, int optionalActions, Pointer termios);

    int ttyname_r(int fd, byte[] buffer, NativeLong size);

    int fcntl(int fd, int command, int argument);

    int eventfd(int initialValue, int flags);

    int poll(Pointer fds, NativeLong count, int timeoutMillis);

    NativeLong read(int fd, byte[] buffer, NativeLong count);

    NativeLong write(int fd, Pointer buffer, NativeLong count);

    int close(int fd);

    String strerror(int errno);

    /** {@code openpty} lives in libc since glibc 2.34 and in libutil before. */
    interface OpenPty extends Library {

        OpenPty INSTANCE = Native.load(libraryWithOpenpty(), OpenPty.class);

        int openpty(IntByReference master, IntByReference slave, Pointer name, Pointer termios, Pointer windowSize);

        private static String libraryWithOpenpty() {
            try {
                NativeLibrary.getInstance("c").getFunction("openpty");
                return "c";
            } catch (UnsatisfiedLinkError missing) {
                return "util";
            }
        }
    }
}

/*
 * The host build's credential store: one file per device, mode 0600,
 * replaced atomically (write a temporary file, fsync, rename).
 *
 * Path: $NETMAN_NVS, else $XDG_DATA_HOME/netman/<device>.nvs (default
 * ~/.local/share), where <device> is NETMAN_NAME, else NETMAN_MAC, else
 * "default".
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "netman_hal.h"
#include "host_port.h"

#define TEMP_SUFFIX ".tmp"

// Room for the longest path the system takes.
static char store_path[PATH_MAX];
static bool store_path_fits;

const char *netman_hal_store_location(void) {
    const char *explicit_path = getenv("NETMAN_NVS");
    int len;
    if (explicit_path != NULL && *explicit_path != '\0') {
        len = snprintf(store_path, sizeof(store_path), "%s", explicit_path);
    } else {
        const char *device = getenv("NETMAN_NAME");
        if (device == NULL || *device == '\0') {
            device = getenv("NETMAN_MAC");
        }
        if (device == NULL || *device == '\0') {
            device = "default";
        }
        const char *data = getenv("XDG_DATA_HOME");
        const char *home = getenv("HOME");
        if (data != NULL && *data != '\0') {
            len = snprintf(store_path, sizeof(store_path), "%s/netman/%s.nvs", data, device);
        } else {
            len = snprintf(store_path, sizeof(store_path), "%s/.local/share/netman/%s.nvs", home ? home : ".", device);
        }
    }
    store_path_fits = len >= 0 && (size_t)len < sizeof(store_path);
    return store_path;
}

static netman_err_t store_fail(const char *what, int err) {
    snprintf(host_last_error, sizeof(host_last_error), "credential store %.150s: %s: %s", store_path, what,
        strerror(err));
    return NETMAN_ERR_IO;
}

// The path, or false (and the error set) when it is too long to be used whole.
static bool locate(void) {
    netman_hal_store_location();
    if (!store_path_fits) {
        store_fail("the path is too long", ENAMETOOLONG);
    }
    return store_path_fits;
}

// mkdir -p of the file's directory (only for the default location).
static void make_parent_dirs(void) {
    char dir[sizeof(store_path)];
    snprintf(dir, sizeof(dir), "%s", store_path);
    for (char *p = dir + 1; *p != '\0'; p++) {
        if (*p == '/') {
            *p = '\0';
            mkdir(dir, 0700);
            *p = '/';
        }
    }
}

netman_err_t netman_hal_store_write(const uint8_t *data, size_t len) {
    if (!locate()) {
        return NETMAN_ERR_IO;
    }
    if (getenv("NETMAN_NVS") == NULL) {
        make_parent_dirs();
    }
    char temp[sizeof(store_path) + sizeof(TEMP_SUFFIX)];
    snprintf(temp, sizeof(temp), "%s" TEMP_SUFFIX, store_path);
    // A new file of our own: whatever is at the temporary name (a file left
    // by a crash, or a planted symlink) is removed, never written through.
    if (unlink(temp) != 0 && errno != ENOENT) {
        return store_fail("cannot write", errno);
    }
    int fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) {
        return store_fail("cannot write", errno);
    }
    // The mode does not depend on the umask.
    fchmod(fd, 0600);
    ssize_t written = write(fd, data, len);
    int err = written == (ssize_t)len ? 0 : (written < 0 ? errno : EIO);
    if (err == 0 && fsync(fd) != 0) {
        err = errno;
    }
    close(fd);
    if (err == 0 && rename(temp, store_path) != 0) {
        err = errno;
    }
    if (err != 0) {
        unlink(temp);
        return store_fail("cannot write", err);
    }
    return NETMAN_OK;
}

netman_err_t netman_hal_store_read(uint8_t *buf, size_t max, size_t *len) {
    if (!locate()) {
        return NETMAN_ERR_IO;
    }
    int fd = open(store_path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return errno == ENOENT ? NETMAN_ERR_STATE : store_fail("cannot read", errno);
    }
    ssize_t n = read(fd, buf, max);
    int err = errno;
    close(fd);
    if (n < 0) {
        return store_fail("cannot read", err);
    }
    *len = (size_t)n;
    return NETMAN_OK;
}

netman_err_t netman_hal_store_erase(void) {
    if (!locate()) {
        return NETMAN_ERR_IO;
    }
    if (unlink(store_path) != 0 && errno != ENOENT) {
        return store_fail("cannot erase", errno);
    }
    return NETMAN_OK;
}

/*
 * Runtime of Lanterna's AppImages: the small ELF program every image starts with.
 *
 * Layout (AppImage type 2): [this ELF program][squashfs filesystem holding the AppDir].
 * The filesystem begins right after the ELF section header table, which the linker writes at
 * the very end of the program, so its offset is e_shoff + e_shnum * e_shentsize.
 * make-appimage.sh appends the filesystem and writes the AppImage magic "AI" 0x02 into
 * e_ident[8..10] (bytes the ELF format leaves as padding).
 *
 * Starting an image runs it "extract and run" style, with a cache: the filesystem is unpacked
 * once per user and image into ${XDG_CACHE_HOME:-~/.cache}/appimage-extracted/, later starts
 * reuse that copy, and AppRun is executed from it with the original arguments. Mounting with
 * FUSE is deliberately not done: it needs a setuid fusermount from FUSE 2 on the host, which
 * many current distributions no longer install and containers/sandboxes usually forbid. Once
 * unpacked, the files are plain files (as fast as a mount, faster for an app that spawns
 * itself, as Lanterna does for its worker process), and the path stays stable while it runs.
 *
 * The filesystem is read with libsquashfuse's library API (no FUSE involved), linked
 * statically together with its decompressors, so the program needs nothing but glibc.
 */

#define _GNU_SOURCE
/* First, before any system header: squashfuse's config.h defines _POSIX_C_SOURCE, and glibc's
 * features.h (with _GNU_SOURCE) replaces that definition cleanly only if it comes later;
 * the other order gives a "macro redefined" warning. */
#include <squashfuse/squashfuse.h>

#include <dirent.h>
#include <elf.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#ifndef RUNTIME_VERSION
#define RUNTIME_VERSION "1.0"
#endif

/* Name of the per-user cache folder (under $XDG_CACHE_HOME) holding unpacked images. */
#define CACHE_DIR_NAME "appimage-extracted"
/* Prefixes of the work folders inside an image's cache folder; see "Cache policy" below. */
#define TMP_PREFIX ".tmp-"
#define TRASH_PREFIX ".trash-"
/* A temporary folder this old whose extractor no longer holds its lock was left by a killed
 * run. The age guards the short moment between creating a folder and locking it. */
#define STALE_TMP_SECONDS 60
/* File inside an image's cache folder naming the image it belongs to. */
#define SOURCE_FILE "source"

/*
 * Space the AppImage specification reserves for tools working on finished images: update
 * information (read by updaters) and a detached signature with its key. They are zero-filled
 * here and may be written into the image file later; volatile makes reads come from the
 * mapped file instead of being folded to the compile-time zeros.
 */
__attribute__((section(".upd_info"), used)) static volatile const char update_info[1024];
__attribute__((section(".sha256_sig"), used)) static volatile const char signature[1024];
__attribute__((section(".sig_key"), used)) static volatile const char signature_key[8192];

/* ------------------------------------------------------------------------------------------ */
/* Messages and small helpers                                                                  */

static void error_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static _Noreturn void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void verror_msg(const char *fmt, va_list ap)
{
    /* The program name is the image's file name, which tells the user which image failed. */
    fprintf(stderr, "%s: ", program_invocation_short_name);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

static void error_msg(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    verror_msg(fmt, ap);
    va_end(ap);
}

static _Noreturn void fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    verror_msg(fmt, ap);
    va_end(ap);
    exit(EXIT_FAILURE);
}

static char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *xasprintf(const char *fmt, ...)
{
    va_list ap;
    char *out;
    va_start(ap, fmt);
    int n = vasprintf(&out, fmt, ap);
    va_end(ap);
    if (n < 0)
        fail("out of memory");
    return out;
}

static void *xrealloc(void *p, size_t size)
{
    p = realloc(p, size);
    if (!p)
        fail("out of memory");
    return p;
}

static bool starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* A write error, worded for the case users can fix themselves: a full disk or quota. */
static void report_write_error(const char *where, int err)
{
    if (err == ENOSPC || err == EDQUOT)
        error_msg("not enough disk space to unpack the application into %s (%s)", where,
                  strerror(err));
    else
        error_msg("cannot write %s: %s", where, strerror(err));
}

static int write_all(int fd, const char *buf, size_t size)
{
    while (size > 0) {
        ssize_t n = write(fd, buf, size);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        buf += n;
        size -= (size_t)n;
    }
    return 0;
}

static int pread_all(int fd, void *buf, size_t size, uint64_t offset)
{
    char *p = buf;
    while (size > 0) {
        ssize_t n = pread(fd, p, size, (off_t)offset);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        p += n;
        size -= (size_t)n;
        offset += (uint64_t)n;
    }
    return 0;
}

/* mkdir -p; existing directories are fine. */
static int mkdir_p(const char *path, mode_t mode)
{
    char *copy = xasprintf("%s", path);
    for (char *p = copy + 1;; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        char saved = *p;
        *p = '\0';
        if (mkdir(copy, mode) != 0 && errno != EEXIST) {
            int e = errno;
            free(copy);
            errno = e;
            return -1;
        }
        *p = saved;
        if (saved == '\0')
            break;
    }
    free(copy);
    struct stat st;
    if (stat(path, &st) != 0)
        return -1;
    if (!S_ISDIR(st.st_mode)) {
        errno = ENOTDIR;
        return -1;
    }
    return 0;
}

/*
 * Removes a file or a whole tree below parentfd. Missing entries count as removed (another
 * process may be deleting the same tree). Read-only folders are made writable first, since
 * their entries could not be deleted otherwise.
 */
static int remove_tree_at(int parentfd, const char *name)
{
    if (unlinkat(parentfd, name, 0) == 0 || errno == ENOENT)
        return 0;
    if (errno != EISDIR && errno != EPERM)
        return -1;
    int fd = openat(parentfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? 0 : -1;
    (void)fchmod(fd, S_IRWXU);
    DIR *dir = fdopendir(fd);
    if (!dir) {
        close(fd);
        return -1;
    }
    /* Deleting while reading a directory may make readdir skip entries: repeat until empty. */
    for (int pass = 0; pass < 3; pass++) {
        struct dirent *e;
        rewinddir(dir);
        while ((e = readdir(dir)) != NULL) {
            if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
                (void)remove_tree_at(dirfd(dir), e->d_name);
        }
        if (unlinkat(parentfd, name, AT_REMOVEDIR) == 0 || errno == ENOENT) {
            closedir(dir);
            return 0;
        }
        if (errno != ENOTEMPTY)
            break;
    }
    closedir(dir);
    return -1;
}

/* ------------------------------------------------------------------------------------------ */
/* SHA-256 (FIPS 180-4), used to name cache folders after an image's identity                 */

typedef struct {
    uint32_t h[8];
    uint64_t length;         /* bytes hashed so far */
    unsigned char block[64];
    size_t fill;
} sha256_ctx;

static const uint32_t sha256_k[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
    0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
    0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
    0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
    0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
    0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
    0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
    0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
    0xc67178f2,
};

static uint32_t rotr32(uint32_t x, unsigned n)
{
    return (x >> n) | (x << (32 - n));
}

static void sha256_init(sha256_ctx *c)
{
    static const uint32_t initial[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                        0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    memcpy(c->h, initial, sizeof initial);
    c->length = 0;
    c->fill = 0;
}

static void sha256_compress(sha256_ctx *c, const unsigned char *p)
{
    uint32_t w[64];
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
               (uint32_t)p[4 * i + 2] << 8 | (uint32_t)p[4 * i + 3];
    for (int i = 16; i < 64; i++) {
        uint32_t s0 = rotr32(w[i - 15], 7) ^ rotr32(w[i - 15], 18) ^ (w[i - 15] >> 3);
        uint32_t s1 = rotr32(w[i - 2], 17) ^ rotr32(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    uint32_t a = c->h[0], b = c->h[1], cc = c->h[2], d = c->h[3];
    uint32_t e = c->h[4], f = c->h[5], g = c->h[6], h = c->h[7];
    for (int i = 0; i < 64; i++) {
        uint32_t s1 = rotr32(e, 6) ^ rotr32(e, 11) ^ rotr32(e, 25);
        uint32_t ch = (e & f) ^ (~e & g);
        uint32_t t1 = h + s1 + ch + sha256_k[i] + w[i];
        uint32_t s0 = rotr32(a, 2) ^ rotr32(a, 13) ^ rotr32(a, 22);
        uint32_t maj = (a & b) ^ (a & cc) ^ (b & cc);
        uint32_t t2 = s0 + maj;
        h = g;
        g = f;
        f = e;
        e = d + t1;
        d = cc;
        cc = b;
        b = a;
        a = t1 + t2;
    }
    c->h[0] += a;
    c->h[1] += b;
    c->h[2] += cc;
    c->h[3] += d;
    c->h[4] += e;
    c->h[5] += f;
    c->h[6] += g;
    c->h[7] += h;
}

static void sha256_update(sha256_ctx *c, const void *data, size_t size)
{
    const unsigned char *p = data;
    c->length += size;
    while (size > 0) {
        size_t take = 64 - c->fill;
        if (take > size)
            take = size;
        memcpy(c->block + c->fill, p, take);
        c->fill += take;
        p += take;
        size -= take;
        if (c->fill == 64) {
            sha256_compress(c, c->block);
            c->fill = 0;
        }
    }
}

/* Finishes the hash and writes it as 64 lowercase hex digits plus a terminating NUL. */
static void sha256_hex(sha256_ctx *c, char out[65])
{
    uint64_t bits = c->length * 8;
    unsigned char pad = 0x80;
    sha256_update(c, &pad, 1);
    pad = 0;
    while (c->fill != 56)
        sha256_update(c, &pad, 1);
    unsigned char len[8];
    for (int i = 0; i < 8; i++)
        len[i] = (unsigned char)(bits >> (56 - 8 * i));
    sha256_update(c, len, 8);
    for (int i = 0; i < 8; i++)
        snprintf(out + 8 * i, 9, "%08" PRIx32, c->h[i]);
}

/* ------------------------------------------------------------------------------------------ */
/* The image: this program's own file, its payload offset and the squashfs filesystem          */

typedef struct {
    int fd;
    char path[PATH_MAX];            /* absolute path of the image, symlinks resolved */
    struct stat st;
    uint64_t offset;                /* where the squashfs filesystem starts */
    struct squashfs_super_block sb; /* as stored (little endian) */
    sqfs fs;
    bool fs_open;
} image_t;

/* End of the ELF program = start of the payload, read from the ELF header. */
static int elf_end(int fd, uint64_t *end)
{
    unsigned char ident[EI_NIDENT];
    if (pread_all(fd, ident, sizeof ident, 0) != 0 || memcmp(ident, ELFMAG, SELFMAG) != 0)
        return -1;
#if __BYTE_ORDER == __LITTLE_ENDIAN
    const int native = ELFDATA2LSB;
#else
    const int native = ELFDATA2MSB;
#endif
    /* The header is read by the program it describes, so it has the host's byte order. */
    if (ident[EI_DATA] != native)
        return -1;
    if (ident[EI_CLASS] == ELFCLASS64) {
        Elf64_Ehdr eh;
        if (pread_all(fd, &eh, sizeof eh, 0) != 0)
            return -1;
        *end = eh.e_shoff + (uint64_t)eh.e_shnum * eh.e_shentsize;
    } else if (ident[EI_CLASS] == ELFCLASS32) {
        Elf32_Ehdr eh;
        if (pread_all(fd, &eh, sizeof eh, 0) != 0)
            return -1;
        *end = eh.e_shoff + (uint64_t)eh.e_shnum * eh.e_shentsize;
    } else {
        return -1;
    }
    return 0;
}

/*
 * Opens the running image. With open_fs, also validates the squashfs superblock and opens
 * the filesystem; the checks here turn a truncated download or a damaged file into a clear
 * message before anything is unpacked.
 */
static void open_image(image_t *img, bool open_fs)
{
    memset(img, 0, sizeof *img);
    /* /proc/self/exe is the file being executed even if its name changed meanwhile. */
    ssize_t n = readlink("/proc/self/exe", img->path, sizeof img->path - 1);
    if (n < 0)
        fail("cannot locate the image file (/proc/self/exe): %s", strerror(errno));
    img->path[n] = '\0';
    img->fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
    if (img->fd < 0 || fstat(img->fd, &img->st) != 0)
        fail("cannot open the image file %s: %s", img->path, strerror(errno));
    if (elf_end(img->fd, &img->offset) != 0)
        fail("cannot read the ELF header of %s", img->path);
    if (!open_fs)
        return;

    const uint64_t size = (uint64_t)img->st.st_size;
    if (img->offset + sizeof img->sb > size ||
        pread_all(img->fd, &img->sb, sizeof img->sb, img->offset) != 0)
        fail("the image %s is truncated: it ends at byte %" PRIu64 ", before the header of "
             "its filesystem (incomplete download or copy?)",
             img->path, size);
    if (le32toh(img->sb.s_magic) != SQUASHFS_MAGIC)
        fail("the image %s is damaged: no squashfs filesystem at offset %" PRIu64, img->path,
             img->offset);
    const uint64_t used = le64toh(img->sb.bytes_used);
    if (img->offset + used > size)
        fail("the image %s is truncated: its filesystem needs %" PRIu64 " bytes after offset %"
             PRIu64 " but the file has only %" PRIu64 " (incomplete download or copy?)",
             img->path, used, img->offset, size - img->offset);
    const uint32_t block_size = le32toh(img->sb.block_size);
    if (le64toh(img->sb.inode_table_start) > used || block_size < 4096 ||
        block_size > (1u << 20) || block_size != 1u << le16toh(img->sb.block_log))
        fail("the image %s is damaged: its filesystem header is inconsistent", img->path);

    switch (sqfs_init(&img->fs, img->fd, (size_t)img->offset)) {
    case SQFS_OK:
        img->fs_open = true;
        return;
    case SQFS_BADVERSION:
        fail("the image %s uses squashfs version %u.%u, which this runtime cannot read",
             img->path, le16toh(img->sb.s_major), le16toh(img->sb.s_minor));
    case SQFS_BADCOMP: {
        const char *name = sqfs_compression_name(le16toh(img->sb.compression));
        fail("the image %s is compressed with %s, which this runtime cannot decompress",
             img->path, name ? name : "an unknown method");
    }
    default:
        fail("the image %s is damaged: its filesystem tables cannot be read", img->path);
    }
}

static void close_image(image_t *img)
{
    if (img->fs_open)
        sqfs_destroy(&img->fs);
    img->fs_open = false;
    close(img->fd);
}

static _Noreturn void fail_damaged(const image_t *img, const char *what)
{
    fail("the image %s is damaged: cannot read %s", img->path, what);
}

/* Same message for code that must clean up before the program ends; returns -1. */
static int damaged(const image_t *img, const char *what)
{
    error_msg("the image %s is damaged: cannot read %s", img->path, what);
    return -1;
}

/*
 * Identity of the image, naming its unpacked copy: SHA-256 of the filesystem's superblock and
 * whole metadata region (inode, directory, fragment, export, id and xattr tables, which all
 * follow the file data), plus the image file's size and modification time.
 *
 * The metadata records every name, size, mode, time stamp and compressed block size, and
 * hashing it costs milliseconds where hashing the data would cost a second per start. It
 * cannot tell apart two reproducible builds (time stamps pinned by SOURCE_DATE_EPOCH) whose
 * only difference compresses to the same length, e.g. a changed version digit; the file's
 * modification time does, since a new image is written later than the one it replaces. A
 * copy of the image that does not keep the time stamp is merely unpacked once more.
 */
static void image_identity(const image_t *img, char hex[65])
{
    sha256_ctx c;
    sha256_init(&c);
    sha256_update(&c, &img->sb, sizeof img->sb);
    static char buf[1 << 16];
    uint64_t pos = le64toh(img->sb.inode_table_start);
    const uint64_t end = le64toh(img->sb.bytes_used);
    while (pos < end) {
        size_t take = end - pos < sizeof buf ? (size_t)(end - pos) : sizeof buf;
        if (pread_all(img->fd, buf, take, img->offset + pos) != 0)
            fail_damaged(img, "its filesystem tables");
        sha256_update(&c, buf, take);
        pos += take;
    }
    const int64_t file[3] = {(int64_t)img->st.st_size, (int64_t)img->st.st_mtim.tv_sec,
                             (int64_t)img->st.st_mtim.tv_nsec};
    sha256_update(&c, file, sizeof file);
    sha256_hex(&c, hex);
}

/* ------------------------------------------------------------------------------------------ */
/* Unpacking                                                                                   */

/* Whether an entry is selected by the argument of --appimage-extract: the entry itself or
 * anything below it ("usr/share" selects usr/share/...), or a shell pattern ("*.desktop"). */
static bool filter_matches(const char *filter, const char *path)
{
    size_t n = strlen(filter);
    if (strncmp(path, filter, n) == 0 && (path[n] == '\0' || path[n] == '/'))
        return true;
    return fnmatch(filter, path, 0) == 0;
}

/* A name from the image that must not escape the target folder or be ambiguous. */
static bool safe_name(const char *name)
{
    return name[0] != '\0' && strcmp(name, ".") != 0 && strcmp(name, "..") != 0 &&
           strchr(name, '/') == NULL;
}

/* Folder attributes applied when the folder is complete: writing into it first needs write
 * permission and would move its time stamp. */
typedef struct {
    mode_t mode;
    struct timespec mtime;
    bool selected;
} dir_meta_t;

/* Files with several names (hard links) are unpacked once and linked again. */
#define LINK_BUCKETS 1024
typedef struct link_entry {
    sqfs_inode_num ino;
    char *path;
    struct link_entry *next;
} link_entry_t;

typedef struct {
    image_t *img;
    int destfd;          /* everything is created relative to this folder */
    const char *dest;    /* its name, for messages */
    const char *filter;  /* NULL: everything */
    bool fresh;          /* destination known to be empty: nothing to replace */
    char *buf;
    size_t buf_size;
    dir_meta_t *dirs;    /* stack of the folders being filled */
    size_t ndirs, dirs_cap;
    link_entry_t *links[LINK_BUCKETS];
    unsigned long count; /* entries unpacked */
} extractor_t;

/* Permission bits kept from the image. Set-user/group-ID bits are dropped: an unpacked copy
 * belongs to whoever unpacked it, and such bits have no business in an application folder. */
static mode_t kept_mode(const sqfs_inode *inode)
{
    return inode->base.mode & (S_IRWXU | S_IRWXG | S_IRWXO | S_ISVTX);
}

static struct timespec inode_mtime(const sqfs_inode *inode)
{
    struct timespec t = {.tv_sec = (time_t)inode->base.mtime, .tv_nsec = 0};
    return t;
}

/* Creates the missing parent folders of path (only needed when unpacking a selection). */
static int make_parents(extractor_t *x, const char *path)
{
    char *copy = xasprintf("%s", path);
    for (char *p = strchr(copy, '/'); p; p = strchr(p + 1, '/')) {
        *p = '\0';
        if (mkdirat(x->destfd, copy, 0755) != 0 && errno != EEXIST) {
            report_write_error(x->dest, errno);
            free(copy);
            return -1;
        }
        *p = '/';
    }
    free(copy);
    return 0;
}

/* Clears the way for a new entry when unpacking over an existing tree. */
static int replace_existing(extractor_t *x, const char *path, bool want_dir)
{
    struct stat st;
    if (x->fresh || fstatat(x->destfd, path, &st, AT_SYMLINK_NOFOLLOW) != 0)
        return 0;
    if (S_ISDIR(st.st_mode)) {
        if (want_dir)
            return fchmodat(x->destfd, path, S_IRWXU | (st.st_mode & 07777), 0) == 0 ? 0 : -1;
        return remove_tree_at(x->destfd, path);
    }
    return unlinkat(x->destfd, path, 0) == 0 || errno == ENOENT ? 0 : -1;
}

static int make_dir(extractor_t *x, const char *path)
{
    if (replace_existing(x, path, true) != 0 ||
        (mkdirat(x->destfd, path, S_IRWXU) != 0 && errno != EEXIST)) {
        char *where = xasprintf("%s/%s", x->dest, path);
        report_write_error(where, errno);
        free(where);
        return -1;
    }
    return 0;
}

static const char *link_lookup(extractor_t *x, sqfs_inode_num ino)
{
    for (link_entry_t *e = x->links[ino % LINK_BUCKETS]; e; e = e->next)
        if (e->ino == ino)
            return e->path;
    return NULL;
}

static void link_remember(extractor_t *x, sqfs_inode_num ino, const char *path)
{
    link_entry_t *e = xrealloc(NULL, sizeof *e);
    e->ino = ino;
    e->path = xasprintf("%s", path);
    e->next = x->links[ino % LINK_BUCKETS];
    x->links[ino % LINK_BUCKETS] = e;
}

static int write_file(extractor_t *x, sqfs_inode *inode, const char *path)
{
    if (inode->nlink > 1) {
        const char *first = link_lookup(x, inode->base.inode_number);
        if (first && linkat(x->destfd, first, x->destfd, path, 0) == 0)
            return 0;
        /* A failed link (e.g. a file system without hard links) falls back to a copy. */
    }
    char *where = xasprintf("%s/%s", x->dest, path);
    int fd = openat(x->destfd, path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                    S_IRUSR | S_IWUSR);
    if (fd < 0) {
        report_write_error(where, errno);
        free(where);
        return -1;
    }
    const uint64_t size = inode->xtra.reg.file_size;
    uint64_t pos = 0;
    while (pos < size) {
        sqfs_off_t want = (sqfs_off_t)(size - pos < x->buf_size ? size - pos : x->buf_size);
        sqfs_off_t got = want;
        if (sqfs_read_range(&x->img->fs, inode, (sqfs_off_t)pos, &got, x->buf) != SQFS_OK ||
            got != want) {
            close(fd);
            free(where);
            return damaged(x->img, path);
        }
        if (write_all(fd, x->buf, (size_t)got) != 0) {
            report_write_error(where, errno);
            close(fd);
            free(where);
            return -1;
        }
        pos += (uint64_t)got;
    }
    struct timespec times[2] = {inode_mtime(inode), inode_mtime(inode)};
    /* close() is checked too: some file systems report a full disk only there. */
    if (fchmod(fd, kept_mode(inode)) != 0 || futimens(fd, times) != 0 || close(fd) != 0) {
        report_write_error(where, errno);
        free(where);
        return -1;
    }
    free(where);
    if (inode->nlink > 1)
        link_remember(x, inode->base.inode_number, path);
    return 0;
}

static int make_symlink(extractor_t *x, sqfs_inode *inode, const char *path)
{
    char target[PATH_MAX];
    size_t size = 0;
    if (sqfs_readlink(&x->img->fs, inode, NULL, &size) != SQFS_OK || size > sizeof target)
        return damaged(x->img, path);
    size = sizeof target;
    if (sqfs_readlink(&x->img->fs, inode, target, &size) != SQFS_OK)
        return damaged(x->img, path);
    struct timespec times[2] = {inode_mtime(inode), inode_mtime(inode)};
    if (symlinkat(target, x->destfd, path) != 0 ||
        utimensat(x->destfd, path, times, AT_SYMLINK_NOFOLLOW) != 0) {
        char *where = xasprintf("%s/%s", x->dest, path);
        report_write_error(where, errno);
        free(where);
        return -1;
    }
    return 0;
}

static int finish_dir(extractor_t *x, const char *path)
{
    if (x->ndirs == 0)
        return damaged(x->img, "its directory tree");
    dir_meta_t d = x->dirs[--x->ndirs];
    if (!d.selected)
        return 0;
    struct timespec times[2] = {d.mtime, d.mtime};
    if (fchmodat(x->destfd, path, d.mode, 0) != 0 || utimensat(x->destfd, path, times, 0) != 0) {
        char *where = xasprintf("%s/%s", x->dest, path);
        report_write_error(where, errno);
        free(where);
        return -1;
    }
    return 0;
}

static int extract_entry(extractor_t *x, sqfs_traverse *trv)
{
    const char *path = trv->path;
    if (!safe_name(sqfs_dentry_name(&trv->entry))) {
        error_msg("the image %s is damaged: it holds an invalid file name (%s)", x->img->path,
                  path);
        return -1;
    }
    sqfs_inode inode;
    if (sqfs_inode_get(&x->img->fs, &inode, sqfs_dentry_inode(&trv->entry)) != SQFS_OK)
        return damaged(x->img, path);
    const bool selected = !x->filter || filter_matches(x->filter, path);
    const mode_t type = inode.base.mode & S_IFMT;

    if (type == S_IFDIR) {
        /* Folders outside a selection are still walked: entries below them may match. */
        if (x->ndirs == x->dirs_cap) {
            x->dirs_cap = x->dirs_cap ? 2 * x->dirs_cap : 32;
            x->dirs = xrealloc(x->dirs, x->dirs_cap * sizeof *x->dirs);
        }
        x->dirs[x->ndirs++] = (dir_meta_t){kept_mode(&inode), inode_mtime(&inode), selected};
        if (!selected)
            return 0;
        if (x->filter && make_parents(x, path) != 0)
            return -1;
        x->count++;
        return make_dir(x, path);
    }
    if (!selected)
        return 0;
    if (x->filter && make_parents(x, path) != 0)
        return -1;
    if (replace_existing(x, path, false) != 0) {
        char *where = xasprintf("%s/%s", x->dest, path);
        error_msg("cannot replace %s: %s", where, strerror(errno));
        free(where);
        return -1;
    }
    x->count++;
    switch (type) {
    case S_IFREG:
        return write_file(x, &inode, path);
    case S_IFLNK:
        return make_symlink(x, &inode, path);
    case S_IFIFO: {
        struct timespec times[2] = {inode_mtime(&inode), inode_mtime(&inode)};
        if (mkfifoat(x->destfd, path, kept_mode(&inode)) != 0 ||
            utimensat(x->destfd, path, times, AT_SYMLINK_NOFOLLOW) != 0) {
            char *where = xasprintf("%s/%s", x->dest, path);
            report_write_error(where, errno);
            free(where);
            return -1;
        }
        return 0;
    }
    default:
        /* Device nodes and sockets cannot be created by ordinary users and mean nothing
         * inside an application folder: skipped. */
        x->count--;
        return 0;
    }
}

/*
 * Checks that the destination's file system has room for what will be unpacked, so a full
 * disk is reported before anything is written rather than as a half-written tree. The
 * estimate counts file sizes rounded up to 4 KiB blocks plus one block per folder.
 */
static int check_space(image_t *img, int destfd, const char *dest, const char *filter)
{
    sqfs_traverse trv;
    sqfs_err err;
    uint64_t bytes = 0, entries = 0;
    if (sqfs_traverse_open(&trv, &img->fs, sqfs_inode_root(&img->fs)) != SQFS_OK)
        return damaged(img, "its root folder");
    while (sqfs_traverse_next(&trv, &err)) {
        if (trv.dir_end || (filter && !filter_matches(filter, trv.path)))
            continue;
        sqfs_inode inode;
        if (sqfs_inode_get(&img->fs, &inode, sqfs_dentry_inode(&trv.entry)) != SQFS_OK) {
            damaged(img, trv.path);
            sqfs_traverse_close(&trv);
            return -1;
        }
        entries++;
        /* A file with n names is met n times and stored once. */
        if (S_ISREG(inode.base.mode))
            bytes += (inode.xtra.reg.file_size + 4095) / 4096 * 4096 /
                     (uint64_t)(inode.nlink > 1 ? inode.nlink : 1);
        else if (S_ISDIR(inode.base.mode))
            bytes += 4096;
    }
    sqfs_traverse_close(&trv);
    if (err != SQFS_OK)
        return damaged(img, "its directory tree");

    struct statvfs vfs;
    if (fstatvfs(destfd, &vfs) != 0)
        return 0; /* unknown: let the writes tell */
    const uint64_t avail = (uint64_t)vfs.f_bavail * vfs.f_frsize;
    if (bytes > avail) {
        error_msg("not enough disk space in %s: unpacking the application needs %.1f MiB, "
                  "only %.1f MiB are free",
                  dest, bytes / 1048576.0, avail / 1048576.0);
        return -1;
    }
    if (vfs.f_files > 0 && entries > vfs.f_favail) {
        error_msg("not enough free inodes in %s: unpacking the application needs %" PRIu64
                  ", only %llu are free",
                  dest, entries, (unsigned long long)vfs.f_favail);
        return -1;
    }
    return 0;
}

/*
 * Unpacks the filesystem (or the entries selected by filter) into destfd: regular files,
 * folders, symbolic links, hard links and FIFOs, with their permission bits and time stamps.
 * Returns 0, or -1 after printing why; a damaged image ends the program with a message.
 */
static int extract_tree(image_t *img, int destfd, const char *dest, const char *filter,
                        bool fresh, unsigned long *count)
{
    extractor_t x = {.img = img, .destfd = destfd, .dest = dest, .filter = filter,
                     .fresh = fresh};
    /* Read about 1 MiB at a time, in whole blocks so no block is decompressed twice. */
    const size_t block = img->fs.sb.block_size;
    x.buf_size = block * ((((size_t)1 << 20) + block - 1) / block);
    x.buf = xrealloc(NULL, x.buf_size);

    sqfs_traverse trv;
    sqfs_err err;
    int rc = 0;
    if (sqfs_traverse_open(&trv, &img->fs, sqfs_inode_root(&img->fs)) != SQFS_OK)
        rc = damaged(img, "its root folder");
    else {
        while (rc == 0 && sqfs_traverse_next(&trv, &err))
            rc = trv.dir_end ? finish_dir(&x, trv.path) : extract_entry(&x, &trv);
        sqfs_traverse_close(&trv);
        if (rc == 0 && err != SQFS_OK)
            rc = damaged(img, "its directory tree");
    }

    sqfs_inode root;
    if (rc == 0 && !filter &&
        sqfs_inode_get(&img->fs, &root, sqfs_inode_root(&img->fs)) != SQFS_OK)
        rc = damaged(img, "its root folder");
    if (rc == 0 && !filter) {
        /* The image's root folder becomes the destination folder itself. */
        struct timespec times[2] = {inode_mtime(&root), inode_mtime(&root)};
        if (fchmod(destfd, kept_mode(&root)) != 0 || futimens(destfd, times) != 0) {
            report_write_error(dest, errno);
            rc = -1;
        }
    }

    for (size_t i = 0; i < LINK_BUCKETS; i++) {
        while (x.links[i]) {
            link_entry_t *next = x.links[i]->next;
            free(x.links[i]->path);
            free(x.links[i]);
            x.links[i] = next;
        }
    }
    free(x.dirs);
    free(x.buf);
    if (count)
        *count = x.count;
    return rc;
}

/* ------------------------------------------------------------------------------------------ */
/* --appimage-extract                                                                          */

static int extract_command(const char *arg)
{
    char *filter = NULL;
    if (arg && arg[0]) {
        /* Image paths are relative to its root: accept "/usr/share", "./usr/share/". */
        while (arg[0] == '/' || (arg[0] == '.' && arg[1] == '/'))
            arg += arg[0] == '/' ? 1 : 2;
        filter = xasprintf("%s", arg);
        for (size_t n = strlen(filter); n > 0 && filter[n - 1] == '/'; n--)
            filter[n - 1] = '\0';
        if (!filter[0]) {
            free(filter);
            filter = NULL;
        }
    }
    image_t img;
    open_image(&img, true);
    const char *dest = "squashfs-root";
    if (mkdir(dest, 0755) != 0 && errno != EEXIST)
        fail("cannot create %s: %s", dest, strerror(errno));
    int destfd = open(dest, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (destfd < 0)
        fail("cannot open %s: %s", dest, strerror(errno));
    unsigned long count = 0;
    if (check_space(&img, destfd, dest, filter) != 0)
        exit(EXIT_FAILURE);
    if (extract_tree(&img, destfd, dest, filter, false, &count) != 0)
        fail("%s is incomplete", dest);
    close(destfd);
    close_image(&img);
    if (filter && count == 0)
        fail("nothing in the image matches %s", filter);
    printf("Unpacked %lu entries into %s\n", count, dest);
    free(filter);
    return EXIT_SUCCESS;
}

/* ------------------------------------------------------------------------------------------ */
/* Extract and run, with a cache                                                               */

/*
 * Cache policy.
 *
 * Layout: <cache>/<image file name>-<hash of the image's path>/<identity of the image>/, where
 * <cache> is ${XDG_CACHE_HOME:-$HOME/.cache}/appimage-extracted. The folder for an image path
 * also holds "source", the image's path.
 *
 * - Unpacking is atomic: it goes into a ".tmp-<time>-<pid>" sibling, is flushed to disk,
 *   and only then renamed to the image's identity. A run killed half way never leaves a
 *   partial tree under the name later runs use; its temporary folder is deleted later.
 * - Every running instance holds a shared flock on its copy's folder. The descriptor is
 *   inherited through exec by AppRun (and so by the application), so the lock lasts exactly
 *   as long as the application runs. Deletion takes the lock exclusively without waiting,
 *   and first renames the folder to ".trash-..." so nobody starts from a half-deleted tree.
 * - Only the copy matching the image currently at a path is kept: when the image at a path
 *   is replaced (an update), the previous copy is deleted on the next start, as soon as no
 *   instance of the old version runs. Keeping older copies would only fill the disk, since
 *   the old image file no longer exists.
 * - Copies of images whose file no longer exists at its recorded path (deleted, moved, or on
 *   an unmounted disk) are deleted too, under the same lock rule. An image that reappears is
 *   simply unpacked again.
 * - The same image at two paths gets two copies: cheap to reason about, and rare.
 */

/* ${XDG_CACHE_HOME:-$HOME/.cache}/appimage-extracted, created if missing. */
static char *cache_base(void)
{
    const char *xdg = getenv("XDG_CACHE_HOME");
    char *base;
    if (xdg && xdg[0] == '/') {
        base = xasprintf("%s/%s", xdg, CACHE_DIR_NAME);
    } else {
        const char *home = getenv("HOME");
        if (!home || home[0] != '/') {
            const struct passwd *pw = getpwuid(getuid());
            home = pw ? pw->pw_dir : NULL;
        }
        if (!home)
            fail("cannot find a cache folder: neither XDG_CACHE_HOME nor HOME is set; set one, "
                 "or unpack the image with --appimage-extract");
        base = xasprintf("%s/.cache/%s", home, CACHE_DIR_NAME);
    }
    if (mkdir_p(base, S_IRWXU) != 0)
        fail("cannot create the cache folder %s: %s; set XDG_CACHE_HOME to a writable folder, "
             "or unpack the image with --appimage-extract",
             base, strerror(errno));
    return base;
}

/* "<file name>-<16 hex digits of the path's hash>": readable, and unique per path. */
static char *image_dir_name(const char *image_path)
{
    const char *slash = strrchr(image_path, '/');
    const char *name = slash ? slash + 1 : image_path;
    char clean[65];
    size_t n = 0;
    for (; name[n] && n < sizeof clean - 1; n++) {
        char ch = name[n];
        bool plain = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                     (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' || ch == '-';
        clean[n] = plain ? ch : '_';
    }
    clean[n] = '\0';
    if (clean[0] == '.')
        clean[0] = '_'; /* dot-names are the work folders */
    sha256_ctx c;
    char hex[65];
    sha256_init(&c);
    sha256_update(&c, image_path, strlen(image_path));
    sha256_hex(&c, hex);
    return xasprintf("%s-%.16s", clean, hex);
}

/* Reads the image path recorded in an image's cache folder; NULL if there is none. */
static char *read_source(int pdfd)
{
    int fd = openat(pdfd, SOURCE_FILE, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return NULL;
    char buf[PATH_MAX];
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return NULL;
    buf[n] = '\0';
    return xasprintf("%s", buf);
}

static void record_source(int pdfd, const char *image_path)
{
    char *old = read_source(pdfd);
    bool same = old && strcmp(old, image_path) == 0;
    free(old);
    if (same)
        return;
    /* Best effort: without it the folder is merely never cleaned up as orphaned. */
    int fd = openat(pdfd, SOURCE_FILE, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
                    S_IRUSR | S_IWUSR);
    if (fd >= 0) {
        (void)write_all(fd, image_path, strlen(image_path));
        close(fd);
    }
}

/* Names in a folder, collected first so renaming entries cannot disturb the listing. */
static char **list_dir(int fd, size_t *count)
{
    char **names = NULL;
    size_t n = 0, cap = 0;
    int dup_fd = dup(fd);
    DIR *dir = dup_fd >= 0 ? fdopendir(dup_fd) : NULL;
    if (!dir) {
        if (dup_fd >= 0)
            close(dup_fd);
        *count = 0;
        return NULL;
    }
    rewinddir(dir);
    struct dirent *e;
    while ((e = readdir(dir)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 16;
            names = xrealloc(names, cap * sizeof *names);
        }
        names[n++] = xasprintf("%s", e->d_name);
    }
    closedir(dir);
    *count = n;
    return names;
}

static void free_list(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

/* Deletes the copy (or temporary folder) `name` unless some process holds its lock. */
static void discard_if_unused(int pdfd, const char *name)
{
    int fd = openat(pdfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return;
    if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
        char *trash = xasprintf(TRASH_PREFIX "%s-%ld", name, (long)getpid());
        if (renameat(pdfd, name, pdfd, trash) == 0)
            (void)remove_tree_at(pdfd, trash);
        free(trash);
    }
    close(fd);
}

/* Applies the cache policy inside one image's cache folder, keeping the copy `keep`. */
static void prune_image_dir(int pdfd, const char *keep)
{
    size_t n;
    char **names = list_dir(pdfd, &n);
    const time_t now = time(NULL);
    for (size_t i = 0; i < n; i++) {
        const char *name = names[i];
        if (strcmp(name, SOURCE_FILE) == 0 || (keep && strcmp(name, keep) == 0))
            continue;
        if (starts_with(name, TRASH_PREFIX)) {
            /* Left by a deletion that was interrupted. */
            (void)remove_tree_at(pdfd, name);
            continue;
        }
        if (starts_with(name, TMP_PREFIX)) {
            long long created = strtoll(name + strlen(TMP_PREFIX), NULL, 10);
            if (now - (time_t)created < STALE_TMP_SECONDS)
                continue;
        }
        discard_if_unused(pdfd, name);
    }
    free_list(names, n);
}

/* Deletes the copies of images that no longer exist at their recorded path. */
static void prune_orphans(int basefd, const char *own)
{
    size_t n;
    char **names = list_dir(basefd, &n);
    for (size_t i = 0; i < n; i++) {
        if (strcmp(names[i], own) == 0 || names[i][0] == '.')
            continue;
        int pdfd = openat(basefd, names[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (pdfd < 0)
            continue;
        /* A folder without "source" may be one another process is creating right now. */
        char *source = read_source(pdfd);
        struct stat st;
        if (source && stat(source, &st) != 0 && errno == ENOENT) {
            prune_image_dir(pdfd, NULL);
            size_t left;
            char **rest = list_dir(pdfd, &left);
            free_list(rest, left);
            if (left == 1 && unlinkat(pdfd, SOURCE_FILE, 0) == 0)
                (void)unlinkat(basefd, names[i], AT_REMOVEDIR);
        }
        free(source);
        close(pdfd);
    }
    free_list(names, n);
}

/* Whether the folder open as fd is still the one called name in pdfd (not renamed away). */
static bool still_named(int pdfd, const char *name, int fd)
{
    struct stat a, b;
    return fstatat(pdfd, name, &a, AT_SYMLINK_NOFOLLOW) == 0 && fstat(fd, &b) == 0 &&
           a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/*
 * Returns a descriptor of the unpacked copy `ver` inside the image's cache folder, locked
 * shared and without close-on-exec (see "Cache policy"), unpacking it first if needed.
 */
static int acquire_copy(image_t *img, int pdfd, const char *pathdir, const char *ver)
{
    for (int attempt = 0; attempt < 5; attempt++) {
        int fd = openat(pdfd, ver, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
        if (fd >= 0) {
            /* Blocks only while a deletion holds the lock; after it the folder is gone and
             * still_named() fails. A file system without locks is used unlocked. */
            while (flock(fd, LOCK_SH) != 0 && errno == EINTR)
                ;
            struct stat st;
            if (still_named(pdfd, ver, fd)) {
                if (fstatat(fd, "AppRun", &st, AT_SYMLINK_NOFOLLOW) == 0)
                    return fd;
                /* Damaged by hand (files deleted): replace it, unless it is in use. */
                close(fd);
                discard_if_unused(pdfd, ver);
                if (faccessat(pdfd, ver, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
                    fail("the unpacked copy %s/%s is damaged and in use; quit the running "
                         "application and start it again",
                         pathdir, ver);
                continue;
            }
            close(fd);
            continue;
        }
        if (errno != ENOENT)
            fail("cannot open %s/%s: %s", pathdir, ver, strerror(errno));

        char *tmp = xasprintf(TMP_PREFIX "%lld-%ld", (long long)time(NULL), (long)getpid());
        if (mkdirat(pdfd, tmp, S_IRWXU) != 0)
            fail("cannot create a folder in %s: %s", pathdir, strerror(errno));
        int tfd = openat(pdfd, tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
        if (tfd < 0)
            fail("cannot open %s/%s: %s", pathdir, tmp, strerror(errno));
        /* Shared, like a user of a copy: the lock follows the folder through the rename. */
        (void)flock(tfd, LOCK_SH);
        char *where = xasprintf("%s/%s", pathdir, tmp);
        if (check_space(img, tfd, pathdir, NULL) != 0 ||
            extract_tree(img, tfd, where, NULL, true, NULL) != 0) {
            (void)remove_tree_at(pdfd, tmp);
            exit(EXIT_FAILURE);
        }
        /* Make the tree durable before it becomes visible under its final name: after a
         * crash, a copy must be either complete or absent. */
        if (syncfs(tfd) != 0) {
            report_write_error(pathdir, errno);
            (void)remove_tree_at(pdfd, tmp);
            exit(EXIT_FAILURE);
        }
        free(where);
        if (renameat(pdfd, tmp, pdfd, ver) == 0) {
            free(tmp);
            return tfd;
        }
        int e = errno;
        (void)remove_tree_at(pdfd, tmp);
        close(tfd);
        free(tmp);
        /* Another instance finished unpacking first: use its copy. */
        if (e != EEXIST && e != ENOTEMPTY)
            fail("cannot rename the unpacked copy in %s: %s", pathdir, strerror(e));
    }
    fail("cannot prepare the unpacked copy in %s (it keeps changing); try again", pathdir);
}

static int run_command(int argc, char **argv, int first_arg)
{
    image_t img;
    open_image(&img, true);
    {
        sqfs_inode root;
        bool found = false;
        if (sqfs_inode_get(&img.fs, &root, sqfs_inode_root(&img.fs)) != SQFS_OK ||
            sqfs_lookup_path(&img.fs, &root, "AppRun", &found) != SQFS_OK)
            fail_damaged(&img, "its root folder");
        if (!found)
            fail("the image %s is not a valid AppImage: it has no AppRun", img.path);
    }

    char *base = cache_base();
    char *dir_name = image_dir_name(img.path);
    char *pathdir = xasprintf("%s/%s", base, dir_name);
    if (mkdir(pathdir, S_IRWXU) != 0 && errno != EEXIST)
        fail("cannot create the cache folder %s: %s", pathdir, strerror(errno));
    int basefd = open(base, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int pdfd = open(pathdir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (basefd < 0 || pdfd < 0)
        fail("cannot open the cache folder %s: %s", pathdir, strerror(errno));
    record_source(pdfd, img.path);

    char hex[65];
    image_identity(&img, hex);
    hex[32] = '\0'; /* 128 bits are plenty for a name */

    /* Pruning first frees the space of a replaced version before the new one is unpacked. */
    prune_image_dir(pdfd, hex);
    prune_orphans(basefd, dir_name);
    (void)acquire_copy(&img, pdfd, pathdir, hex); /* stays open: it holds the lock */
    close(pdfd);
    close(basefd);

    char *appdir = xasprintf("%s/%s", pathdir, hex);
    char *apprun = xasprintf("%s/AppRun", appdir);
    char cwd[PATH_MAX];
    if (getcwd(cwd, sizeof cwd))
        setenv("OWD", cwd, 1);
    else
        unsetenv("OWD"); /* the working folder was deleted: no stale value from a parent */
    setenv("APPIMAGE", img.path, 1);
    setenv("APPDIR", appdir, 1);
    setenv("ARGV0", argv[0], 1);
    close_image(&img);

    char **args = xrealloc(NULL, (size_t)(argc - first_arg + 2) * sizeof *args);
    size_t n = 0;
    args[n++] = apprun;
    for (int i = first_arg; i < argc; i++)
        args[n++] = argv[i];
    args[n] = NULL;
    execv(apprun, args);
    if (errno == EACCES)
        error_msg("cannot start %s: %s (is %s on a file system mounted noexec? Set "
                  "XDG_CACHE_HOME to a folder elsewhere)",
                  apprun, strerror(EACCES), base);
    else
        error_msg("cannot start %s: %s", apprun, strerror(errno));
    return 127;
}

/* ------------------------------------------------------------------------------------------ */
/* Command line                                                                                */

static void print_help(void)
{
    printf("AppImage runtime %s\n\n"
           "Usage: %s [--appimage-OPTION | ARGUMENTS...]\n\n"
           "Without a runtime option, the application is unpacked once into\n"
           "${XDG_CACHE_HOME:-~/.cache}/%s/ and started from there with ARGUMENTS;\n"
           "later starts reuse the unpacked copy.\n\n"
           "Runtime options (only recognised as the first argument):\n"
           "  --appimage-help                 show this help\n"
           "  --appimage-version              show the runtime's version\n"
           "  --appimage-offset               print where the filesystem starts in the image\n"
           "  --appimage-extract [PATH]       unpack the image (or only PATH, a path inside the\n"
           "                                  image or a shell pattern) into ./squashfs-root\n"
           "  --appimage-extract-and-run ...  start the application (the default; kept for\n"
           "                                  compatibility, like APPIMAGE_EXTRACT_AND_RUN=1)\n"
           "  --appimage-updateinformation    print the embedded update information\n\n"
           "Mounting the image with FUSE is not supported: this runtime always unpacks.\n",
           RUNTIME_VERSION, program_invocation_short_name, CACHE_DIR_NAME);
}

int main(int argc, char **argv)
{
    /* Like other AppImage runtimes, options are only looked for in the first argument, so
     * the application receives everything else untouched. Extract-and-run is the only way
     * this runtime starts an application, so APPIMAGE_EXTRACT_AND_RUN=1 needs no handling. */
    const char *opt = argc > 1 ? argv[1] : NULL;
    if (!opt || !starts_with(opt, "--appimage-"))
        return run_command(argc, argv, 1);

    if (strcmp(opt, "--appimage-extract-and-run") == 0)
        return run_command(argc, argv, 2);
    if (strcmp(opt, "--appimage-help") == 0) {
        print_help();
        return EXIT_SUCCESS;
    }
    if (strcmp(opt, "--appimage-version") == 0) {
        printf("AppImage runtime %s (type 2, extract and run)\n", RUNTIME_VERSION);
        return EXIT_SUCCESS;
    }
    if (strcmp(opt, "--appimage-offset") == 0) {
        image_t img;
        open_image(&img, false);
        printf("%" PRIu64 "\n", img.offset);
        close_image(&img);
        return EXIT_SUCCESS;
    }
    if (strcmp(opt, "--appimage-extract") == 0) {
        if (argc > 3)
            fail("--appimage-extract takes at most one argument (see --appimage-help)");
        return extract_command(argc == 3 ? argv[2] : NULL);
    }
    if (strcmp(opt, "--appimage-updateinformation") == 0) {
        char text[sizeof update_info + 1];
        size_t n = 0;
        while (n < sizeof update_info && update_info[n])
            text[n] = update_info[n], n++;
        text[n] = '\0';
        printf("%s\n", text);
        return EXIT_SUCCESS;
    }
    if (strcmp(opt, "--appimage-mount") == 0)
        fail("--appimage-mount is not supported by this runtime; use --appimage-extract");
    fail("unknown runtime option %s (see --appimage-help)", opt);
}

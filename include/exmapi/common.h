#ifndef EXMAPI_COMMON_H
#define EXMAPI_COMMON_H

/**
 * @file exmapi/common.h
 * @brief Export macros, version, status type and the byte buffer every call returns data in.
 *
 * Conventions of the whole C ABI (see docs/conventions.md):
 * - every call that can fail returns an exmapi_status; 0 (EXMAPI_OK) is success;
 * - out-parameters come first; whatever a call hands out through one is the caller's and has a
 *   matching free/dispose function;
 * - strings are UTF-8;
 * - after a failure, exmapi_error_last() describes it for the calling thread.
 */

#include <stddef.h>
#include <stdint.h>

#if defined(EXMAPI_BUILDING_LIBRARY)
#define EXMAPI_EXTERN(type) __attribute__((visibility("default"))) type
#else
#define EXMAPI_EXTERN(type) type
#endif

#ifdef __cplusplus
#define EXMAPI_BEGIN_DECL extern "C" {
#define EXMAPI_END_DECL }
#else
#define EXMAPI_BEGIN_DECL
#define EXMAPI_END_DECL
#endif

#define EXMAPI_VERSION_MAJOR 0
#define EXMAPI_VERSION_MINOR 1
#define EXMAPI_VERSION_PATCH 0
#define EXMAPI_VERSION "0.1.0"

EXMAPI_BEGIN_DECL

/**
 * A status: 0 on success, otherwise either a MAPI code of MS-OXCDATA 2.4 exactly as a server sent it
 * (see exmapi/mapi_errors.h) or one of the library's own EXMAPI_E_* codes (see exmapi/errors.h).
 */
typedef uint32_t exmapi_status;

/** Bytes handed to the caller; release with exmapi_buf_dispose(). */
typedef struct exmapi_buf {
    uint8_t *data;
    size_t size;
} exmapi_buf;

/** Frees the bytes of @p buf (if any) and empties it; safe on an already empty buffer and on NULL. */
EXMAPI_EXTERN(void) exmapi_buf_dispose(exmapi_buf *buf);

/** Version of the library actually loaded, for comparison with EXMAPI_VERSION_* at compile time. */
EXMAPI_EXTERN(int) exmapi_version_major(void);
EXMAPI_EXTERN(int) exmapi_version_minor(void);
EXMAPI_EXTERN(int) exmapi_version_patch(void);
EXMAPI_EXTERN(const char *) exmapi_version_string(void);

EXMAPI_END_DECL

#endif

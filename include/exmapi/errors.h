#ifndef EXMAPI_ERRORS_H
#define EXMAPI_ERRORS_H

/**
 * @file exmapi/errors.h
 * @brief The library's own status codes and the per-thread description of the last failure.
 *
 * MAPI codes (exmapi/mapi_errors.h) are what a server said. The library's own failures — bytes it
 * cannot decode, a transport that broke, a rejected password — use a separate range: HRESULTs with
 * the "customer" bit (0x20000000) set, which Microsoft never assigns, so the two never collide.
 */

#include "common.h"
#include "mapi_errors.h"

#define EXMAPI_OK 0u
/** Input bytes do not follow the format; the message names the offset and the field. */
#define EXMAPI_E_DECODE 0xA0E50001u
/** A value cannot be encoded (too long for its length field, out of range, over a size limit). */
#define EXMAPI_E_ENCODE 0xA0E50002u
/** The network or the peer failed: connection refused, reset, TLS failure, bad framing. */
#define EXMAPI_E_TRANSPORT 0xA0E50003u
/** Authentication failed: wrong password, unknown user, no usable credentials. */
#define EXMAPI_E_AUTH 0xA0E50004u
/** The peer did not answer in time. */
#define EXMAPI_E_TIMEOUT 0xA0E50005u
/** The peer answered against the protocol (unexpected response, wrong state). */
#define EXMAPI_E_PROTOCOL 0xA0E50006u
/** The caller passed an invalid argument (NULL where data is needed, unknown option). */
#define EXMAPI_E_INVALID_ARGUMENT 0xA0E50007u
/** Memory could not be allocated. */
#define EXMAPI_E_NO_MEMORY 0xA0E50008u
/** A checksum did not match (for example the CRC of compressed RTF). */
#define EXMAPI_E_CHECKSUM 0xA0E50009u
/** A size or count limit was reached (nesting depth, output size). */
#define EXMAPI_E_LIMIT 0xA0E5000Au
/** A local file or stream could not be read or written. */
#define EXMAPI_E_IO 0xA0E5000Bu
/** The library itself failed; please report it. */
#define EXMAPI_E_INTERNAL 0xA0E5000Cu

EXMAPI_BEGIN_DECL

/** Is @p status one of the library's own codes (as opposed to a MAPI code from a server)? */
EXMAPI_EXTERN(int) exmapi_status_is_library(exmapi_status status);

/**
 * Name of a status: "EXMAPI_E_DECODE", a MAPI name such as "NotFound", or NULL when unknown.
 * The string is static.
 */
EXMAPI_EXTERN(const char *) exmapi_status_name(exmapi_status status);

/** Describes the last failure on the calling thread. */
typedef struct exmapi_error {
    exmapi_status status;
    /** Human-readable, names the cause; for decode errors includes "at offset N" and the field path. */
    const char *message;
    /** Byte offset where decoding stopped, or SIZE_MAX when not a decode error. */
    size_t offset;
} exmapi_error;

/**
 * The last failure of a call on this thread; valid until the next exmapi call on this thread.
 * Never NULL: after a success it reports EXMAPI_OK with an empty message.
 */
EXMAPI_EXTERN(const exmapi_error *) exmapi_error_last(void);

/** Forgets the last failure of this thread. */
EXMAPI_EXTERN(void) exmapi_error_clear(void);

EXMAPI_END_DECL

#endif

#ifndef EXMAPI_COMPRESSION_H
#define EXMAPI_COMPRESSION_H

/**
 * @file exmapi/compression.h
 * @brief Plain LZ77 with DIRECT2 encoding (MS-XCA 2.3/2.4), the compression of RPC_HEADER_EXT
 *        payloads (MS-OXCRPC 3.1.4.1.1.1) and of MAPI/HTTP.
 *
 * Both functions work on whole buffers (raw streams, without the RPC_HEADER_EXT framing) and are
 * reentrant; each thread keeps its own match-finder tables.
 */

#include "common.h"
#include "errors.h"

/** Pass as @p expected_size when the decompressed size is not known in advance. */
#define EXMAPI_LZ77_UNKNOWN_SIZE ((size_t)-1)

/** Without an expected size, decompression stops with EXMAPI_E_DECODE beyond this many bytes (1 GiB). */
#define EXMAPI_LZ77_MAX_OUTPUT ((size_t)1 << 30)

EXMAPI_BEGIN_DECL

/**
 * Compresses @p in_size bytes at @p in.
 *
 * @param[out] out     receives the compressed stream; release with exmapi_buf_dispose(). It can be
 *                     slightly larger than the input when the data does not compress (RPC_HEADER_EXT
 *                     then sends the data uncompressed).
 * @param in           the data; may be NULL only when @p in_size is 0.
 * @param in_size      number of bytes at @p in.
 * @return EXMAPI_OK, EXMAPI_E_INVALID_ARGUMENT or EXMAPI_E_NO_MEMORY.
 */
EXMAPI_EXTERN(exmapi_status) exmapi_lz77_compress(exmapi_buf *out, const void *in, size_t in_size);

/**
 * Decompresses an LZ77 stream.
 *
 * @param[out] out       receives the decompressed bytes; release with exmapi_buf_dispose(). Left
 *                       empty on failure.
 * @param in             the compressed stream; may be NULL only when @p in_size is 0.
 * @param in_size        number of bytes at @p in.
 * @param expected_size  the exact decompressed size (RPC_HEADER_EXT SizeActual), or
 *                       EXMAPI_LZ77_UNKNOWN_SIZE. When given, a stream that would produce more or
 *                       fewer bytes is rejected; memory grows with the output the stream really
 *                       produces (from a first window of at most max(64 KiB, 8 x in_size)), never
 *                       with what the claim says. When unknown, output is capped at
 *                       EXMAPI_LZ77_MAX_OUTPUT.
 * @return EXMAPI_OK; EXMAPI_E_DECODE for a corrupt or truncated stream, with exmapi_error_last()
 *         giving the input offset and the field ("decode error at offset 14 in LZ77.Match: offset 9
 *         reaches before the start of the output"); EXMAPI_E_INVALID_ARGUMENT; EXMAPI_E_NO_MEMORY.
 */
EXMAPI_EXTERN(exmapi_status) exmapi_lz77_decompress(exmapi_buf *out, const void *in, size_t in_size,
                                                    size_t expected_size);

EXMAPI_END_DECL

#endif

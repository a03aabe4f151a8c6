#ifndef EXMAPI_RTF_H
#define EXMAPI_RTF_H

/**
 * @file exmapi/rtf.h
 * @brief Compressed RTF (MS-OXRTFCP): the format of the PidTagRtfCompressed property.
 *
 * A value is a 16-byte header (COMPSIZE, RAWSIZE, COMPTYPE, CRC; little-endian) followed by either
 * LZFu-compressed RTF (COMPTYPE 0x75465A4C) or the RTF itself (MELA, COMPTYPE 0x414C454D).
 * All functions work on whole buffers and are reentrant.
 */

#include "common.h"
#include "errors.h"

EXMAPI_BEGIN_DECL

/**
 * Decompresses a PidTagRtfCompressed value (LZFu or MELA) to exactly RAWSIZE bytes of RTF.
 *
 * A stream is accepted when its COMPSIZE equals the bytes present, its CRC matches (LZFu), and it
 * produces exactly RAWSIZE bytes: for LZFu, the end marker (a reference to the current write
 * position) must come right after RAWSIZE bytes, or the input must end there. Bytes after the end
 * marker (the grammar's PADDING) are ignored. Memory is bounded by what the input can produce
 * (8 bytes per compressed byte), whatever RAWSIZE claims.
 *
 * @param[out] out  receives the RTF; release with exmapi_buf_dispose(). Left empty on failure.
 * @param in        the whole value, header included; may be NULL only when @p in_size is 0.
 * @param in_size   number of bytes at @p in.
 * @return EXMAPI_OK; EXMAPI_E_CHECKSUM when the CRC does not match ("CRC mismatch at offset 12 ...:
 *         header says 0x..., the N content bytes give 0x..."); EXMAPI_E_DECODE for a malformed or
 *         truncated stream, with exmapi_error_last() giving the input offset and field ("decode error
 *         at offset 52 in CompressedRtf.CONTENTS.REFERENCE: ..."); EXMAPI_E_INVALID_ARGUMENT;
 *         EXMAPI_E_NO_MEMORY.
 */
EXMAPI_EXTERN(exmapi_status) exmapi_rtf_decompress(exmapi_buf *out, const void *in, size_t in_size);

/**
 * Compresses RTF into an LZFu PidTagRtfCompressed value, choosing matches as MS-OXRTFCP 2.3.3.2.1
 * does (the longest of 2 to 17 bytes, the oldest among equally long ones), ending with the end
 * marker and no padding.
 *
 * @param[out] out  receives the value, header included; release with exmapi_buf_dispose().
 * @param in        the RTF; may be NULL only when @p in_size is 0.
 * @param in_size   number of bytes at @p in; at most 4 GiB minus 13.
 * @return EXMAPI_OK, EXMAPI_E_ENCODE (too large), EXMAPI_E_INVALID_ARGUMENT or EXMAPI_E_NO_MEMORY.
 */
EXMAPI_EXTERN(exmapi_status) exmapi_rtf_compress(exmapi_buf *out, const void *in, size_t in_size);

/**
 * Wraps RTF, uncompressed, as a MELA PidTagRtfCompressed value (COMPTYPE 0x414C454D, CRC 0), for
 * stores that announce STORE_UNCOMPRESSED_RTF.
 *
 * @param[out] out  receives the value, header included; release with exmapi_buf_dispose().
 * @param in        the RTF; may be NULL only when @p in_size is 0.
 * @param in_size   number of bytes at @p in; at most 4 GiB minus 13.
 * @return EXMAPI_OK, EXMAPI_E_ENCODE (too large), EXMAPI_E_INVALID_ARGUMENT or EXMAPI_E_NO_MEMORY.
 */
EXMAPI_EXTERN(exmapi_status) exmapi_rtf_wrap_uncompressed(exmapi_buf *out, const void *in, size_t in_size);

EXMAPI_END_DECL

#endif

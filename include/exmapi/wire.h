#ifndef EXMAPI_WIRE_H
#define EXMAPI_WIRE_H

/**
 * @file exmapi/wire.h
 * @brief Extended buffers: the RPC_HEADER_EXT framing of ROP and auxiliary buffers
 *        (MS-OXCRPC 2.2.2.1, 3.1.4.1.1, 3.1.4.2.1), with LZ77 compression and XorMagic obfuscation.
 *
 * An extended buffer is one or more pairs of an 8-byte RPC_HEADER_EXT (Version, Flags, Size,
 * SizeActual) and a payload; the last header carries the Last flag and nothing follows it. A payload
 * is at most 32 KB (0x8000 bytes) once restored. When a payload is both compressed and obfuscated,
 * the sender compresses first; unpacking reverts the obfuscation first and then decompresses.
 *
 * Unpacking rejects, with EXMAPI_E_DECODE and exmapi_error_last() naming the offset and the field:
 * a Version other than 0, flag bits other than Compressed/XorMagic/Last, an uncompressed payload
 * whose Size differs from SizeActual, a compressed one whose Size is not below SizeActual, a
 * SizeActual above 0x8000, a Size beyond the bytes present, a stream that does not decompress to
 * exactly SizeActual bytes, a buffer without the Last flag, bytes after the Last buffer, and more
 * than 96 buffers.
 */

#include "common.h"
#include "errors.h"

/** Pack option: LZ77-compress each payload that becomes smaller by it (Compressed flag). */
#define EXMAPI_EXTENDED_BUFFER_COMPRESS 0x0001u
/** Pack option: XOR every payload byte with 0xA5 (XorMagic flag). */
#define EXMAPI_EXTENDED_BUFFER_OBFUSCATE 0x0002u

/** RPC_HEADER_EXT.Flags bits as they appear in exmapi_extended_buffer_part.flags. */
#define EXMAPI_RPC_HEADER_EXT_COMPRESSED 0x0001u
#define EXMAPI_RPC_HEADER_EXT_XOR_MAGIC 0x0002u
#define EXMAPI_RPC_HEADER_EXT_LAST 0x0004u

/** Size of one RPC_HEADER_EXT. */
#define EXMAPI_RPC_HEADER_EXT_SIZE 8u
/** Largest payload of one extended buffer: "A single payload MUST NOT exceed 32 KB" (3.1.4.2.1). */
#define EXMAPI_EXTENDED_BUFFER_MAX_PAYLOAD 0x8000u
/** Most payloads one buffer may hold (rgbOut limit, MS-OXCRPC 3.1.4.2.1.2.2). */
#define EXMAPI_EXTENDED_BUFFER_MAX_PARTS 96u
/** Largest rgbAuxIn/rgbAuxOut buffer, header included (MS-OXCRPC 3.1.4.1, 3.1.4.2). */
#define EXMAPI_AUX_BUFFER_MAX 0x1008u

EXMAPI_BEGIN_DECL

/** A payload handed to exmapi_extended_buffer_pack_many(). */
typedef struct exmapi_payload_view {
    const void *data; /**< may be NULL only when size is 0 */
    size_t size;
} exmapi_payload_view;

/** Where one payload of an unpacked buffer ended up, and how it was sent. */
typedef struct exmapi_extended_buffer_part {
    /** RPC_HEADER_EXT.Flags as received (EXMAPI_RPC_HEADER_EXT_*). */
    uint16_t flags;
    /** RPC_HEADER_EXT.Size: payload bytes as sent. */
    uint16_t sent_size;
    /** Offset of the restored payload within the concatenated output. */
    size_t payload_offset;
    /** Restored payload size (RPC_HEADER_EXT.SizeActual). */
    size_t payload_size;
} exmapi_extended_buffer_part;

/**
 * Frames one payload as an extended buffer with the Last flag.
 *
 * @param[out] out   receives the buffer; release with exmapi_buf_dispose().
 * @param payload    the payload (a ROP buffer, or AUX blocks); NULL only when @p size is 0.
 * @param size       its size, at most EXMAPI_EXTENDED_BUFFER_MAX_PAYLOAD.
 * @param flags      0 or EXMAPI_EXTENDED_BUFFER_COMPRESS and/or EXMAPI_EXTENDED_BUFFER_OBFUSCATE.
 *                   Compression is used only when it makes the payload smaller.
 * @return EXMAPI_OK; EXMAPI_E_ENCODE when the payload is too large; EXMAPI_E_INVALID_ARGUMENT for
 *         NULL pointers or unknown flags; EXMAPI_E_NO_MEMORY.
 */
EXMAPI_EXTERN(exmapi_status) exmapi_extended_buffer_pack(exmapi_buf *out, const void *payload, size_t size,
                                                         unsigned flags);

/**
 * Frames several payloads one after the other, each with its own RPC_HEADER_EXT; only the last
 * carries the Last flag (packed ROP buffers, MS-OXCRPC 3.1.4.2.1.2).
 *
 * @param[out] out   receives the buffer; release with exmapi_buf_dispose().
 * @param payloads   @p count payloads, each at most EXMAPI_EXTENDED_BUFFER_MAX_PAYLOAD bytes.
 * @param count      1 to EXMAPI_EXTENDED_BUFFER_MAX_PARTS.
 * @param flags      as for exmapi_extended_buffer_pack(), applied to every payload.
 * @return as exmapi_extended_buffer_pack(); EXMAPI_E_ENCODE also for 0 or too many payloads.
 */
EXMAPI_EXTERN(exmapi_status) exmapi_extended_buffer_pack_many(exmapi_buf *out, const exmapi_payload_view *payloads,
                                                              size_t count, unsigned flags);

/**
 * Unframes an extended buffer: reverts obfuscation, decompresses and concatenates the payloads.
 *
 * @param[out] payload_out  receives the payloads back to back; release with exmapi_buf_dispose().
 *                          Left empty on failure.
 * @param in                the buffer (rgbIn, rgbOut, rgbAuxIn, rgbAuxOut, or their MAPI/HTTP
 *                          equivalents); NULL only when @p in_size is 0.
 * @param in_size           its size.
 * @return EXMAPI_OK; EXMAPI_E_DECODE (see the file description); EXMAPI_E_INVALID_ARGUMENT;
 *         EXMAPI_E_NO_MEMORY.
 */
EXMAPI_EXTERN(exmapi_status) exmapi_extended_buffer_unpack(exmapi_buf *payload_out, const void *in, size_t in_size);

/**
 * Like exmapi_extended_buffer_unpack(), and also reports where each payload starts in the
 * concatenation, so packed ROP responses can be taken apart.
 *
 * @param[out] payload_out  as for exmapi_extended_buffer_unpack().
 * @param[out] parts        receives one entry per payload; room for @p parts_capacity entries.
 *                          EXMAPI_EXTENDED_BUFFER_MAX_PARTS entries always suffice.
 * @param parts_capacity    number of entries at @p parts.
 * @param[out] part_count   receives the number of payloads.
 * @param in, in_size       the buffer.
 * @return as exmapi_extended_buffer_unpack(); EXMAPI_E_LIMIT when the buffer holds more payloads than
 *         @p parts_capacity (nothing is handed out then).
 */
EXMAPI_EXTERN(exmapi_status) exmapi_extended_buffer_unpack_parts(exmapi_buf *payload_out,
                                                                 exmapi_extended_buffer_part *parts,
                                                                 size_t parts_capacity, size_t *part_count,
                                                                 const void *in, size_t in_size);

/**
 * Unframes an auxiliary buffer (rgbAuxIn/rgbAuxOut): exactly one RPC_HEADER_EXT flagged Last, at most
 * EXMAPI_AUX_BUFFER_MAX bytes, whose payload must consist of well-formed AUX_HEADER blocks
 * (MS-OXCRPC 2.2.2.2). An empty buffer (cbAuxIn 0) yields an empty payload.
 *
 * @param[out] payload_out  receives the AUX blocks; release with exmapi_buf_dispose().
 * @param in, in_size       the buffer.
 * @return EXMAPI_OK; EXMAPI_E_DECODE (offsets inside the blocks count from the payload start);
 *         EXMAPI_E_LIMIT when @p in_size exceeds EXMAPI_AUX_BUFFER_MAX; EXMAPI_E_INVALID_ARGUMENT;
 *         EXMAPI_E_NO_MEMORY.
 */
EXMAPI_EXTERN(exmapi_status) exmapi_aux_buffer_unpack(exmapi_buf *payload_out, const void *in, size_t in_size);

/**
 * Applies (or, being its own inverse, reverts) XorMagic obfuscation in place: every byte XOR 0xA5
 * (MS-OXCRPC 3.1.4.1.1.3).
 *
 * @param data   the bytes; NULL only when @p size is 0.
 * @param size   their number.
 * @return EXMAPI_OK or EXMAPI_E_INVALID_ARGUMENT.
 */
EXMAPI_EXTERN(exmapi_status) exmapi_xor_magic(void *data, size_t size);

EXMAPI_END_DECL

#endif

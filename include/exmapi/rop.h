#ifndef EXMAPI_ROP_H
#define EXMAPI_ROP_H

/**
 * @file exmapi/rop.h
 * @brief Dissecting ROP traffic (MS-OXCROPS): request and response buffers to JSON.
 *
 * exmapi_rop_decode() takes the bytes a client sent and/or the bytes a server answered and writes
 * every ROP with its name and all its fields as JSON; `exmapi decode` is this function on the command
 * line. Responses are decoded in the context their requests give (a RopQueryRows response's rows
 * follow the table's RopSetColumns, a RopGetPropertiesSpecific response follows its request's tags,
 * a RopLogon response follows the request's LogonFlags). Without the requests, a response whose
 * shape needs such context can still be decoded when the options supply it (columns, logon_flags);
 * otherwise decoding stops there and the error names the missing context.
 *
 * The output document (UTF-8 JSON, keys in this order):
 *
 *     {
 *       "request":  SIDE,     present when request bytes were given
 *       "response": SIDE,     present when response bytes were given
 *       "error": {            present when decoding stopped early
 *         "input": "request" | "response",
 *         "buffer": N,        with BUFFER/EXTENDED framing: the index of the ROP buffer
 *         "offset": N,        byte offset where decoding stopped: within the input for LIST and
 *                             BUFFER framing and for the RPC_HEADER_EXT chain itself, within the
 *                             restored payload (decompressed, de-obfuscated) for a ROP buffer of
 *                             EXTENDED framing
 *         "path": "RopsList[1].RopQueryRows.RowData[0]...",
 *         "reason": "...",
 *         "message": "decode error at offset N in PATH: REASON",
 *         "missing_context": "columns" | "logon_flags"   only when that is why
 *       }
 *     }
 *
 * SIDE is {"rops": [ROP...]} for LIST framing, and for BUFFER/EXTENDED framing
 * {"extended": [HEADER...] (EXTENDED only), "buffers": [{"RopSize": N, "rops": [ROP...],
 * "ServerObjectHandleTable": [N...]}...]}, HEADER being {"Version", "Flags": ["Compressed",
 * "XorMagic", "Last"], "Size", "SizeActual"}. A ROP is {"RopId": "RopQueryRows", then its fields
 * in wire order under their MS-OXCROPS names}. Property tags print by canonical name
 * ("PidTagSubject"; "PidTagSubject (PtypString8)" when only the type differs; "0x80080003" when
 * unnamed: exmapi_property_tag_from_name() reads every form back); property values as
 * {"Tag", "Type", "Value"} with Value a typed JSON value (numbers, strings, true/false, PtypTime as
 * ISO-8601, PtypBinary as hex, PtypErrorCode by name, multi-valued types as arrays); rows as
 * {"Flagged": bool, "Values": [{"Tag", "Flag" (flagged rows), "Type", "Value"}...]}; restrictions as
 * {"RestrictType": "And", "Restrictions": [...]}, {"RestrictType": "Property", "RelOp": "Equal",
 * "Tag", "TaggedValue"} and so on (docs/decode.md lists the fields).
 * The ROPs decoded before a failure are all in the output; a ROP is output whole or not at all.
 */

#include "common.h"
#include "errors.h"

/** The input holds ROPs back to back (what follows RopSize; e.g. a single ROP). */
#define EXMAPI_ROP_FRAMING_LIST 0u
/** The input is a ROP input/output buffer: RopSize, RopsList, ServerObjectHandleTable (MS-OXCROPS 2.2.1). */
#define EXMAPI_ROP_FRAMING_BUFFER 1u
/**
 * The input is an extended buffer (MS-OXCRPC 2.2.2.1: RPC_HEADER_EXT chains, possibly compressed
 * and/or obfuscated) whose payloads are ROP buffers. The n-th response payload is decoded against the
 * n-th request payload (the last one when there are more response payloads).
 */
#define EXMAPI_ROP_FRAMING_EXTENDED 2u

/** The version of exmapi_rop_decode_options this header describes. */
#define EXMAPI_ROP_DECODE_OPTIONS_VERSION 1u

/** Options of exmapi_rop_decode(); start from EXMAPI_ROP_DECODE_OPTIONS_INIT. */
typedef struct exmapi_rop_decode_options {
    /** EXMAPI_ROP_DECODE_OPTIONS_VERSION: lets later versions add fields. */
    uint32_t version;
    /** EXMAPI_ROP_FRAMING_*, applying to both inputs. */
    uint32_t framing;
    /**
     * The columns of the table the row-returning responses read (RopQueryRows, RopFindRow,
     * RopExpandRow), as set by a RopSetColumns not among the requests; also the tags a
     * RopGetPropertiesSpecific response answers when its request is not given. Used only where the
     * requests do not say. NULL: not known (an empty column set is a non-NULL pointer with count 0).
     */
    const uint32_t *columns;
    size_t column_count;
    /** RopLogon's LogonFlags (0..255) when the RopLogon request is not given; -1: not known. */
    int32_t logon_flags;
} exmapi_rop_decode_options;

#define EXMAPI_ROP_DECODE_OPTIONS_INIT {EXMAPI_ROP_DECODE_OPTIONS_VERSION, EXMAPI_ROP_FRAMING_LIST, NULL, 0, -1}

EXMAPI_BEGIN_DECL

/**
 * Decodes ROP requests and/or responses to JSON (see the file description for the document).
 *
 * @param[out] out_json  receives the JSON text, NUL-terminated (size excludes the NUL); release
 *                       with exmapi_buf_dispose(). Filled both on success and when decoding stopped
 *                       early (EXMAPI_E_DECODE); left empty on any other failure.
 * @param options        framing and supplied context; NULL means EXMAPI_ROP_DECODE_OPTIONS_INIT.
 * @param request        the request bytes, or NULL when there are none.
 * @param request_size   their size.
 * @param response       the response bytes, or NULL when there are none.
 * @param response_size  their size.
 * @return EXMAPI_OK when every byte decoded; EXMAPI_E_DECODE when decoding stopped early (the JSON
 *         then holds what decoded and an "error" object, and exmapi_error_last() gives the same
 *         message and offset); EXMAPI_E_INVALID_ARGUMENT for a NULL @p out_json, neither input
 *         given, an unknown options version or framing, or logon_flags outside -1..255;
 *         EXMAPI_E_NO_MEMORY.
 */
EXMAPI_EXTERN(exmapi_status) exmapi_rop_decode(exmapi_buf *out_json, const exmapi_rop_decode_options *options,
                                               const void *request, size_t request_size, const void *response,
                                               size_t response_size);

EXMAPI_END_DECL

#endif

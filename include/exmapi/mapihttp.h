#ifndef EXMAPI_MAPIHTTP_H
#define EXMAPI_MAPIHTTP_H

/**
 * @file exmapi/mapihttp.h
 * @brief Dissecting MAPI over HTTP bodies (MS-OXCMAPIHTTP 2.2.4, 2.2.5) to JSON.
 *
 * exmapi_mapihttp_decode() reads one request body or one response body of the request type an
 * X-RequestType header names ("Connect", "Execute", "Bind", "GetProps"...) and writes it as one JSON
 * object: {"RequestType": NAME, "Body": "BindRequest", then every field in wire order}. Property
 * tags, values and restrictions print as exmapi_rop_decode() prints them; AuxiliaryBuffer and
 * Execute's RopBuffer print as hex (exmapi_rop_decode() with EXMAPI_ROP_FRAMING_EXTENDED decodes the
 * latter). `exmapi decode mapihttp-request|mapihttp-response --type NAME` is this function on the
 * command line.
 */

#include "common.h"
#include "errors.h"

EXMAPI_BEGIN_DECL

/**
 * Decodes one MAPI/HTTP request or response body to JSON.
 *
 * @param[out] out_json   receives the JSON text, NUL-terminated; release with exmapi_buf_dispose().
 *                        Left empty on failure.
 * @param request_type    the X-RequestType value (matched case-insensitively).
 * @param is_response     0 for a request body, nonzero for a response body.
 * @param body            the body bytes (may be NULL when @p body_size is 0).
 * @param body_size       their size.
 * @return EXMAPI_OK; EXMAPI_E_DECODE when the bytes are not such a body (exmapi_error_last() gives
 *         the offset, the field path and the reason); EXMAPI_E_INVALID_ARGUMENT for a NULL
 *         @p out_json or @p request_type, an unknown request type, or PING (which has no body);
 *         EXMAPI_E_NO_MEMORY.
 */
EXMAPI_EXTERN(exmapi_status) exmapi_mapihttp_decode(exmapi_buf *out_json, const char *request_type, int is_response,
                                                    const void *body, size_t body_size);

EXMAPI_END_DECL

#endif

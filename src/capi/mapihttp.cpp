// C ABI of the MAPI/HTTP body dissector (include/exmapi/mapihttp.h).
#include <exmapi/mapihttp.h>

#include <string>

#include "capi/capi_guard.hpp"
#include "mapihttp/bodies.hpp"

EXMAPI_EXTERN(exmapi_status) exmapi_mapihttp_decode(exmapi_buf* out_json, const char* request_type, int is_response,
                                                    const void* body, size_t body_size) {
  return exmapi::capi::guard([&] {
    using namespace exmapi;
    capi::require(out_json, "out_json");
    *out_json = {nullptr, 0};
    capi::require(request_type, "request_type");
    if (body_size) capi::require(body, "body");
    auto type = mapihttp::parse_request_type(request_type);
    if (!type) throw Error(EXMAPI_E_INVALID_ARGUMENT, std::string("unknown MAPI/HTTP request type '") + request_type + "'");
    ByteView bytes(static_cast<const uint8_t*>(body), body_size);
    std::string json = is_response ? mapihttp::to_json(mapihttp::decode_response(*type, bytes))
                                   : mapihttp::to_json(mapihttp::decode_request(*type, bytes));
    // The NUL travels inside the buffer so C callers can use the text directly; size excludes it.
    capi::give(out_json, ByteView(reinterpret_cast<const uint8_t*>(json.c_str()), json.size() + 1));
    --out_json->size;
  });
}

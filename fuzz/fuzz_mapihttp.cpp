// Fuzzes the MS-OXCMAPIHTTP codec as both sides meet it. The first byte selects the target:
// 2*i + 0 decodes the request body of the i-th request type with a body, 2*i + 1 its response body;
// a larger selector feeds the rest to the response-stream parser in chunks whose sizes follow the
// second byte, then decodes the streamed body as that selector's response. Whatever decodes must
// re-encode, decode again to the same value, encode to the same bytes, and print.
#include <cstdlib>
#include <vector>

#include "mapihttp/bodies.hpp"

using namespace exmapi;
using namespace exmapi::mapihttp;

namespace {

std::vector<RequestType> body_types() {
  std::vector<RequestType> out;
  for (RequestType t : all_request_types())
    if (has_body(t)) out.push_back(t);
  return out;
}

template <class Body, class Decode>
void check(ByteView input, Decode&& decode) {
  try {
    Body body = decode(input);
    Bytes bytes = visit([](const auto& b) { return encode_body(b); }, body);
    Body again = decode(bytes);
    if (!(again == body)) std::abort();
    Bytes bytes_again = visit([](const auto& b) { return encode_body(b); }, again);
    if (bytes_again != bytes) std::abort();
    if (to_json(body).empty()) std::abort();
  } catch (const DecodeError&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::vector<RequestType> types = body_types();
  if (size < 1) return 0;
  size_t selector = data[0];
  ByteView rest(data + 1, size - 1);
  if (selector < 2 * types.size()) {
    RequestType type = types[selector / 2];
    if (selector % 2 == 0)
      check<RequestBody>(rest, [&](ByteView b) { return decode_request(type, b); });
    else
      check<ResponseBody>(rest, [&](ByteView b) { return decode_response(type, b); });
    return 0;
  }
  if (rest.empty()) return 0;
  size_t chunk = rest[0] % 17 + 1;
  ByteView stream = rest.subspan(1);
  ResponseStreamParser::Limits limits;
  limits.max_line = 256;
  limits.max_headers = 16;
  ResponseStreamParser parser(limits);
  try {
    for (size_t at = 0; at < stream.size(); at += chunk) parser.feed(stream.subspan(at, std::min(chunk, stream.size() - at)));
    parser.finish();
  } catch (const DecodeError&) {
    return 0;
  }
  RequestType type = types[selector % types.size()];
  check<ResponseBody>(parser.body(), [&](ByteView b) { return decode_response(type, b); });
  return 0;
}

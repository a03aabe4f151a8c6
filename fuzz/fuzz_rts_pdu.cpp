// Fuzzes the RTS PDU codec of the RPC over HTTP proxy (server/rpch/rts.cpp, MS-RPCH 2.2.3): the
// PDU splitter and the decoder must fail only with DecodeError, whatever decodes must re-encode to
// exactly the input, and the CONN/A1 and CONN/B1 parsers must accept or refuse without crashing.
#include <algorithm>
#include <cstdlib>

#include "base/error.hpp"
#include "server/rpch/rts.hpp"

using namespace exmapi;
using namespace exmapi::server::rpch;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ByteView input(data, size);
  try {
    std::optional<size_t> length = announced_pdu_length(input);
    if (length && *length < kCommonHeaderSize) std::abort();
  } catch (const DecodeError&) {
  }
  try {
    RtsPdu pdu = decode_rts(input);
    Bytes again = encode_rts(pdu);
    if (again.size() != size || !std::equal(again.begin(), again.end(), input.begin())) {
      // Padding and ClientAddress carry bytes the decoder skips; anything else must be exact.
      bool lossy = std::any_of(pdu.commands.begin(), pdu.commands.end(), [](const RtsCommand& c) {
        return std::holds_alternative<Padding>(c) || std::holds_alternative<ClientAddress>(c);
      });
      if (!lossy || again.size() != size) std::abort();
    }
    if (!(decode_rts(again) == pdu)) std::abort();
    if (describe(pdu).empty()) std::abort();
    try {
      parse_conn_a1(pdu);
    } catch (const DecodeError&) {
    }
    try {
      parse_conn_b1(pdu);
    } catch (const DecodeError&) {
    }
  } catch (const DecodeError&) {
  }
  return 0;
}

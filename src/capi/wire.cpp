// C ABI of the extended buffer framing and auxiliary buffers (include/exmapi/wire.h).
#include <exmapi/wire.h>

#include <vector>

#include "capi/capi_guard.hpp"
#include "wire/aux_blocks.hpp"
#include "wire/extended_buffer.hpp"
#include "wire/obfuscation.hpp"

namespace {

static_assert(EXMAPI_RPC_HEADER_EXT_COMPRESSED == exmapi::wire::kRpcExtCompressed);
static_assert(EXMAPI_RPC_HEADER_EXT_XOR_MAGIC == exmapi::wire::kRpcExtXorMagic);
static_assert(EXMAPI_RPC_HEADER_EXT_LAST == exmapi::wire::kRpcExtLast);
static_assert(EXMAPI_RPC_HEADER_EXT_SIZE == exmapi::wire::kRpcHeaderExtSize);
static_assert(EXMAPI_EXTENDED_BUFFER_MAX_PAYLOAD == exmapi::wire::kMaxExtendedPayload);
static_assert(EXMAPI_EXTENDED_BUFFER_MAX_PARTS == exmapi::wire::kMaxPackedPayloads);
static_assert(EXMAPI_AUX_BUFFER_MAX == exmapi::wire::kMaxAuxBuffer);

exmapi::ByteView input_view(const void* in, size_t in_size, const char* what) {
  if (in_size) exmapi::capi::require(in, what);
  return {static_cast<const uint8_t*>(in), in_size};
}

exmapi::wire::PackOptions pack_options(unsigned flags) {
  constexpr unsigned kKnown = EXMAPI_EXTENDED_BUFFER_COMPRESS | EXMAPI_EXTENDED_BUFFER_OBFUSCATE;
  if (flags & ~kKnown) throw exmapi::Error(EXMAPI_E_INVALID_ARGUMENT, "unknown extended buffer flags");
  exmapi::wire::PackOptions o;
  o.compress = flags & EXMAPI_EXTENDED_BUFFER_COMPRESS;
  o.obfuscate = flags & EXMAPI_EXTENDED_BUFFER_OBFUSCATE;
  return o;
}

}  // namespace

extern "C" {

EXMAPI_EXTERN(exmapi_status) exmapi_extended_buffer_pack(exmapi_buf* out, const void* payload, size_t size,
                                                         unsigned flags) {
  return exmapi::capi::guard([&] {
    exmapi::capi::require(out, "out");
    *out = {nullptr, 0};
    exmapi::capi::give(out, exmapi::wire::pack(input_view(payload, size, "payload"), pack_options(flags)));
  });
}

EXMAPI_EXTERN(exmapi_status) exmapi_extended_buffer_pack_many(exmapi_buf* out, const exmapi_payload_view* payloads,
                                                              size_t count, unsigned flags) {
  return exmapi::capi::guard([&] {
    exmapi::capi::require(out, "out");
    *out = {nullptr, 0};
    if (count) exmapi::capi::require(payloads, "payloads");
    exmapi::wire::PackOptions options = pack_options(flags);
    if (count > options.max_buffers)
      throw exmapi::EncodeError("ExtendedBuffer", std::to_string(count) + " payloads exceed the limit of " +
                                                      std::to_string(options.max_buffers));
    std::vector<exmapi::ByteView> views;
    views.reserve(count);
    for (size_t i = 0; i < count; ++i) views.push_back(input_view(payloads[i].data, payloads[i].size, "payloads[].data"));
    exmapi::capi::give(out, exmapi::wire::pack(views, options));
  });
}

EXMAPI_EXTERN(exmapi_status) exmapi_extended_buffer_unpack(exmapi_buf* payload_out, const void* in, size_t in_size) {
  return exmapi::capi::guard([&] {
    exmapi::capi::require(payload_out, "payload_out");
    *payload_out = {nullptr, 0};
    exmapi::capi::give(payload_out, exmapi::wire::unpack_concatenated(input_view(in, in_size, "in")));
  });
}

EXMAPI_EXTERN(exmapi_status) exmapi_extended_buffer_unpack_parts(exmapi_buf* payload_out,
                                                                 exmapi_extended_buffer_part* parts,
                                                                 size_t parts_capacity, size_t* part_count,
                                                                 const void* in, size_t in_size) {
  return exmapi::capi::guard([&] {
    exmapi::capi::require(payload_out, "payload_out");
    *payload_out = {nullptr, 0};
    exmapi::capi::require(part_count, "part_count");
    *part_count = 0;
    if (parts_capacity) exmapi::capi::require(parts, "parts");
    auto buffers = exmapi::wire::unpack(input_view(in, in_size, "in"));
    if (buffers.size() > parts_capacity)
      throw exmapi::Error(EXMAPI_E_LIMIT, "the buffer holds " + std::to_string(buffers.size()) +
                                              " payloads, room was given for " + std::to_string(parts_capacity));
    exmapi::Bytes all;
    for (size_t i = 0; i < buffers.size(); ++i) {
      parts[i] = {buffers[i].header.flags, buffers[i].header.size, all.size(), buffers[i].payload.size()};
      all.insert(all.end(), buffers[i].payload.begin(), buffers[i].payload.end());
    }
    exmapi::capi::give(payload_out, all);
    *part_count = buffers.size();
  });
}

EXMAPI_EXTERN(exmapi_status) exmapi_aux_buffer_unpack(exmapi_buf* payload_out, const void* in, size_t in_size) {
  return exmapi::capi::guard([&] {
    exmapi::capi::require(payload_out, "payload_out");
    *payload_out = {nullptr, 0};
    exmapi::Bytes payload = exmapi::wire::unpack_aux_payload(input_view(in, in_size, "in"));
    exmapi::wire::decode_aux_blocks(payload);  // validates every block before the payload is handed out
    exmapi::capi::give(payload_out, payload);
  });
}

EXMAPI_EXTERN(exmapi_status) exmapi_xor_magic(void* data, size_t size) {
  return exmapi::capi::guard([&] {
    if (size) exmapi::capi::require(data, "data");
    exmapi::wire::xor_magic(std::span<uint8_t>(static_cast<uint8_t*>(data), size));
  });
}
}

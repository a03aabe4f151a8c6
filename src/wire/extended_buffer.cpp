#include "wire/extended_buffer.hpp"

#include <algorithm>
#include <string>

#include "wire/lz77.hpp"
#include "wire/obfuscation.hpp"

namespace exmapi::wire {

namespace {

constexpr std::string_view kBufferField = "ExtendedBuffer";
constexpr std::string_view kHeaderField = "RPC_HEADER_EXT";

std::string hex16(uint16_t v) {
  static const char* d = "0123456789ABCDEF";
  std::string s = "0x0000";
  for (int i = 0; i < 4; ++i) s[5 - i] = d[(v >> (4 * i)) & 15];
  return s;
}

[[noreturn]] void rethrow_in_buffer(DecodeError& e, size_t index) {
  e.prepend("[" + std::to_string(index) + "]");
  e.prepend(kBufferField);
  throw e;
}

// Decodes one RPC_HEADER_EXT and its payload at r, appending the restored payload to `out`.
RpcHeaderExt unpack_one(ByteReader& r, const UnpackOptions& options, Bytes& out) {
  const size_t header_offset = r.offset();
  RpcHeaderExt h = in_field(kHeaderField, [&] { return read_rpc_header_ext(r); });
  const size_t limit = std::min<size_t>(options.max_payload, 0xFFFF);
  if (h.size_actual > limit)
    throw DecodeError(header_offset + 6, std::string(kHeaderField) + ".SizeActual",
                      "payload of " + std::to_string(h.size_actual) + " bytes exceeds the limit of " +
                          std::to_string(limit) + " bytes");
  const size_t payload_offset = r.offset();
  ByteView sent = r.bytes(h.size, "Payload");

  const size_t base = out.size();
  if (!(h.flags & kRpcExtCompressed)) {
    out.insert(out.end(), sent.begin(), sent.end());
    if (h.flags & kRpcExtXorMagic) xor_magic(std::span<uint8_t>(out.data() + base, sent.size()));
    return h;
  }
  // Obfuscation was applied after compression, so it is reverted first (3.1.4.1.1.1.1).
  Bytes reverted;
  ByteView stream = sent;
  if (h.flags & kRpcExtXorMagic) {
    reverted.assign(sent.begin(), sent.end());
    xor_magic(reverted);
    stream = reverted;
  }
  try {
    lz77::decompress(stream, out, h.size_actual, limit);
  } catch (const DecodeError& e) {
    // The LZ77 decoder counts from the start of the stream; report the offset within `in`.
    size_t at = e.offset() == kNoOffset ? kNoOffset : payload_offset + e.offset();
    DecodeError rebased(at, e.path(), e.reason());
    rebased.prepend("Payload");
    throw rebased;
  }
  return h;
}

// Walks every header of `in`; target(i) names the buffer the i-th payload is appended to.
template <class Target>
std::vector<RpcHeaderExt> unpack_all(ByteView in, const UnpackOptions& options, Target&& target) {
  if (in.size() > options.max_input)
    throw Error(EXMAPI_E_LIMIT, "extended buffer of " + std::to_string(in.size()) + " bytes exceeds the limit of " +
                                    std::to_string(options.max_input) + " bytes");
  ByteReader r(in);
  std::vector<RpcHeaderExt> headers;
  for (size_t i = 0;; ++i) {
    if (i > 0 && r.empty())
      throw DecodeError(r.offset(), std::string(kBufferField) + "[" + std::to_string(i - 1) + "]." +
                                        std::string(kHeaderField) + ".Flags",
                        "the last header lacks the Last flag");
    if (i == options.max_buffers)
      r.fail(kBufferField, "more than " + std::to_string(options.max_buffers) + " extended buffer" +
                               (options.max_buffers == 1 ? "" : "s"));
    try {
      headers.push_back(unpack_one(r, options, target(i)));
    } catch (DecodeError& e) {
      rethrow_in_buffer(e, i);
    }
    if (headers.back().flags & kRpcExtLast) break;
  }
  if (!r.empty())
    r.fail("TrailingBytes", std::to_string(r.remaining()) + " bytes follow the header flagged Last");
  return headers;
}

}  // namespace

RpcHeaderExt read_rpc_header_ext(ByteReader& r) {
  r.need(kRpcHeaderExtSize, "");
  const size_t at = r.offset();
  RpcHeaderExt h;
  h.version = r.u16("Version");
  h.flags = r.u16("Flags");
  h.size = r.u16("Size");
  h.size_actual = r.u16("SizeActual");
  if (h.version != kRpcHeaderExtVersion) throw DecodeError(at, "Version", hex16(h.version) + " is not 0x0000");
  if (h.flags & ~kRpcExtKnownFlags)
    throw DecodeError(at + 2, "Flags", "unknown flag bits " + hex16(h.flags & ~kRpcExtKnownFlags));
  if (h.flags & kRpcExtCompressed) {
    if (h.size >= h.size_actual)
      throw DecodeError(at + 4, "Size",
                        "compressed size " + std::to_string(h.size) + " is not below SizeActual " +
                            std::to_string(h.size_actual));
  } else if (h.size != h.size_actual) {
    throw DecodeError(at + 6, "SizeActual",
                      std::to_string(h.size_actual) + " differs from Size " + std::to_string(h.size) +
                          " on an uncompressed payload");
  }
  return h;
}

void write_rpc_header_ext(ByteWriter& w, const RpcHeaderExt& h) {
  w.u16(h.version);
  w.u16(h.flags);
  w.u16(h.size);
  w.u16(h.size_actual);
}

void pack_into(ByteWriter& out, std::span<const ByteView> payloads, const PackOptions& options) {
  if (payloads.empty()) throw EncodeError(kBufferField, "needs at least one payload to carry the Last flag");
  if (payloads.size() > options.max_buffers)
    throw EncodeError(kBufferField, std::to_string(payloads.size()) + " payloads exceed the limit of " +
                                        std::to_string(options.max_buffers));
  const size_t limit = std::min<size_t>(options.max_payload, 0xFFFF);
  const size_t start = out.size();
  Bytes scratch;
  for (size_t i = 0; i < payloads.size(); ++i) {
    ByteView payload = payloads[i];
    if (payload.size() > limit)
      throw EncodeError(std::string(kBufferField) + "[" + std::to_string(i) + "].Payload",
                        std::to_string(payload.size()) + " bytes exceed the limit of " + std::to_string(limit));
    RpcHeaderExt h;
    h.size_actual = static_cast<uint16_t>(payload.size());
    ByteView body = payload;
    if (options.compress && !payload.empty()) {
      // Compressed only when smaller: 2.2.2.1 requires Size < SizeActual with the Compressed flag.
      scratch = lz77::compress(payload);
      if (scratch.size() < payload.size()) {
        body = scratch;
        h.flags |= kRpcExtCompressed;
      }
    }
    if (options.obfuscate) {
      if (body.data() != scratch.data()) scratch.assign(payload.begin(), payload.end());
      xor_magic(scratch);
      body = scratch;
      h.flags |= kRpcExtXorMagic;
    }
    if (i + 1 == payloads.size()) h.flags |= kRpcExtLast;
    h.size = static_cast<uint16_t>(body.size());
    if (out.size() - start + kRpcHeaderExtSize + body.size() > options.max_output)
      throw Error(EXMAPI_E_LIMIT, "extended buffer would exceed its limit of " + std::to_string(options.max_output) +
                                      " bytes at payload " + std::to_string(i));
    write_rpc_header_ext(out, h);
    out.bytes(body);
  }
}

Bytes pack(std::span<const ByteView> payloads, const PackOptions& options) {
  ByteWriter w;
  pack_into(w, payloads, options);
  return w.take();
}

Bytes pack(ByteView payload, const PackOptions& options) { return pack(std::span<const ByteView>(&payload, 1), options); }

std::vector<ExtendedBuffer> unpack(ByteView in, const UnpackOptions& options) {
  std::vector<ExtendedBuffer> buffers;
  auto headers = unpack_all(in, options, [&](size_t) -> Bytes& { return buffers.emplace_back().payload; });
  for (size_t i = 0; i < headers.size(); ++i) buffers[i].header = headers[i];
  return buffers;
}

std::vector<Bytes> unpack_payloads(ByteView in, const UnpackOptions& options) {
  std::vector<Bytes> payloads;
  unpack_all(in, options, [&](size_t) -> Bytes& { return payloads.emplace_back(); });
  return payloads;
}

Bytes unpack_concatenated(ByteView in, const UnpackOptions& options) {
  Bytes out;
  unpack_all(in, options, [&](size_t) -> Bytes& { return out; });
  return out;
}

}  // namespace exmapi::wire

#include "wire/aux_blocks.hpp"

#include <algorithm>
#include <string>
#include <type_traits>

namespace exmapi::wire {

namespace {

template <class T, class V>
struct IndexIn;
template <class T, class... Ts>
struct IndexIn<T, std::variant<Ts...>> {
  static constexpr size_t value = [] {
    constexpr bool same[] = {std::is_same_v<T, Ts>...};
    for (size_t i = 0; i < sizeof...(Ts); ++i)
      if (same[i]) return i;
    return sizeof...(Ts);
  }();
};
template <class T>
constexpr size_t body_index = IndexIn<T, AuxBody>::value;

// The (Version, Type) -> structure tables of 2.2.2.2.
struct AuxKind {
  uint8_t version;
  uint8_t type;
  size_t body;
  const char* name;
};

constexpr AuxKind kAuxKinds[] = {
    {kAuxVersion1, kAuxTypePerfRequestId, body_index<AuxPerfRequestId>, "AUX_PERF_REQUESTID"},
    {kAuxVersion1, kAuxTypePerfClientInfo, body_index<AuxPerfClientInfo>, "AUX_PERF_CLIENTINFO"},
    {kAuxVersion1, kAuxTypePerfServerInfo, body_index<AuxPerfServerInfo>, "AUX_PERF_SERVERINFO"},
    {kAuxVersion1, kAuxTypePerfSessionInfo, body_index<AuxPerfSessionInfo>, "AUX_PERF_SESSIONINFO"},
    {kAuxVersion1, kAuxTypePerfDefMdbSuccess, body_index<AuxPerfDefMdbSuccess>, "AUX_PERF_DEFMDB_SUCCESS"},
    {kAuxVersion1, kAuxTypePerfDefGcSuccess, body_index<AuxPerfDefGcSuccess>, "AUX_PERF_DEFGC_SUCCESS"},
    {kAuxVersion1, kAuxTypePerfMdbSuccess, body_index<AuxPerfMdbSuccess>, "AUX_PERF_MDB_SUCCESS"},
    {kAuxVersion1, kAuxTypePerfGcSuccess, body_index<AuxPerfGcSuccess>, "AUX_PERF_GC_SUCCESS"},
    {kAuxVersion1, kAuxTypePerfFailure, body_index<AuxPerfFailure>, "AUX_PERF_FAILURE"},
    {kAuxVersion1, kAuxTypeClientControl, body_index<AuxClientControl>, "AUX_CLIENT_CONTROL"},
    {kAuxVersion1, kAuxTypePerfProcessInfo, body_index<AuxPerfProcessInfo>, "AUX_PERF_PROCESSINFO"},
    {kAuxVersion1, kAuxTypePerfBgDefMdbSuccess, body_index<AuxPerfDefMdbSuccess>, "AUX_PERF_DEFMDB_SUCCESS"},
    {kAuxVersion1, kAuxTypePerfBgDefGcSuccess, body_index<AuxPerfDefGcSuccess>, "AUX_PERF_DEFGC_SUCCESS"},
    {kAuxVersion1, kAuxTypePerfBgMdbSuccess, body_index<AuxPerfMdbSuccess>, "AUX_PERF_MDB_SUCCESS"},
    {kAuxVersion1, kAuxTypePerfBgGcSuccess, body_index<AuxPerfGcSuccess>, "AUX_PERF_GC_SUCCESS"},
    {kAuxVersion1, kAuxTypePerfBgFailure, body_index<AuxPerfFailure>, "AUX_PERF_FAILURE"},
    {kAuxVersion1, kAuxTypePerfFgDefMdbSuccess, body_index<AuxPerfDefMdbSuccess>, "AUX_PERF_DEFMDB_SUCCESS"},
    {kAuxVersion1, kAuxTypePerfFgDefGcSuccess, body_index<AuxPerfDefGcSuccess>, "AUX_PERF_DEFGC_SUCCESS"},
    {kAuxVersion1, kAuxTypePerfFgMdbSuccess, body_index<AuxPerfMdbSuccess>, "AUX_PERF_MDB_SUCCESS"},
    {kAuxVersion1, kAuxTypePerfFgGcSuccess, body_index<AuxPerfGcSuccess>, "AUX_PERF_GC_SUCCESS"},
    {kAuxVersion1, kAuxTypePerfFgFailure, body_index<AuxPerfFailure>, "AUX_PERF_FAILURE"},
    {kAuxVersion1, kAuxTypeOsVersionInfo, body_index<AuxOsVersionInfo>, "AUX_OSVERSIONINFO"},
    {kAuxVersion1, kAuxTypeExOrgInfo, body_index<AuxExOrgInfo>, "AUX_EXORGINFO"},
    {kAuxVersion1, kAuxTypePerfAccountInfo, body_index<AuxPerfAccountInfo>, "AUX_PERF_ACCOUNTINFO"},
    {kAuxVersion1, kAuxTypeServerCapabilities, body_index<AuxServerCapabilities>, "AUX_SERVER_CAPABILITIES"},
    {kAuxVersion1, kAuxTypeEndpointCapabilities, body_index<AuxEndpointCapabilities>, "AUX_ENDPOINT_CAPABILITIES"},
    {kAuxVersion1, kAuxTypeClientConnectionInfo, body_index<AuxClientConnectionInfo>, "AUX_CLIENT_CONNECTION_INFO"},
    {kAuxVersion1, kAuxTypeServerSessionInfo, body_index<AuxServerSessionInfo>, "AUX_SERVER_SESSION_INFO"},
    {kAuxVersion1, kAuxTypeProtocolDeviceIdentification, body_index<AuxProtocolDeviceIdentification>,
     "AUX_PROTOCOL_DEVICE_IDENTIFICATION"},
    {kAuxVersion2, kAuxTypePerfSessionInfo, body_index<AuxPerfSessionInfoV2>, "AUX_PERF_SESSIONINFO_V2"},
    {kAuxVersion2, kAuxTypePerfMdbSuccess, body_index<AuxPerfMdbSuccessV2>, "AUX_PERF_MDB_SUCCESS_V2"},
    {kAuxVersion2, kAuxTypePerfGcSuccess, body_index<AuxPerfGcSuccessV2>, "AUX_PERF_GC_SUCCESS_V2"},
    {kAuxVersion2, kAuxTypePerfFailure, body_index<AuxPerfFailureV2>, "AUX_PERF_FAILURE_V2"},
    {kAuxVersion2, kAuxTypePerfProcessInfo, body_index<AuxPerfProcessInfo>, "AUX_PERF_PROCESSINFO"},
    {kAuxVersion2, kAuxTypePerfBgMdbSuccess, body_index<AuxPerfMdbSuccessV2>, "AUX_PERF_MDB_SUCCESS_V2"},
    {kAuxVersion2, kAuxTypePerfBgGcSuccess, body_index<AuxPerfGcSuccessV2>, "AUX_PERF_GC_SUCCESS_V2"},
    {kAuxVersion2, kAuxTypePerfBgFailure, body_index<AuxPerfFailureV2>, "AUX_PERF_FAILURE_V2"},
    {kAuxVersion2, kAuxTypePerfFgMdbSuccess, body_index<AuxPerfMdbSuccessV2>, "AUX_PERF_MDB_SUCCESS_V2"},
    {kAuxVersion2, kAuxTypePerfFgGcSuccess, body_index<AuxPerfGcSuccessV2>, "AUX_PERF_GC_SUCCESS_V2"},
    {kAuxVersion2, kAuxTypePerfFgFailure, body_index<AuxPerfFailureV2>, "AUX_PERF_FAILURE_V2"},
};

const AuxKind* find_kind(uint8_t version, uint8_t type) noexcept {
  for (const auto& k : kAuxKinds)
    if (k.version == version && k.type == type) return &k;
  return nullptr;
}

std::string hex8(uint8_t v) {
  static const char* d = "0123456789ABCDEF";
  return std::string("0x") + d[v >> 4] + d[v & 15];
}

// Reads the fields a structure describes from the bytes after its AUX_HEADER; strings and byte
// fields of variable size are resolved through their offsets once the fixed fields are read.
class FieldDecoder {
 public:
  FieldDecoder(ByteView block, size_t block_offset)
      : block_(block), block_offset_(block_offset), r_(block.subspan(kAuxHeaderSize), block_offset + kAuxHeaderSize) {}

  void u8(std::string_view name, uint8_t& v) { v = r_.u8(name); }
  void u16(std::string_view name, uint16_t& v) { v = r_.u16(name); }
  void u32(std::string_view name, uint32_t& v) { v = r_.u32(name); }
  void guid(std::string_view name, Guid& g) { g = Guid::read(r_, name); }
  template <size_t N>
  void bytes(std::string_view name, std::array<uint8_t, N>& a) {
    ByteView v = r_.bytes(N, name);
    std::copy(v.begin(), v.end(), a.begin());
  }
  void string_at(std::string_view offset_name, std::string_view name, AuxString& s) {
    size_t at = r_.offset();
    pending_.push_back({offset_name, {}, name, r_.u16(offset_name), 0, at, 0, &s, nullptr});
  }
  void binary_at(std::string_view size_name, std::string_view offset_name, std::string_view name, AuxBinary& b) {
    size_t size_at = r_.offset();
    uint16_t size = r_.u16(size_name);
    size_t at = r_.offset();
    pending_.push_back({offset_name, size_name, name, r_.u16(offset_name), size, at, size_at, nullptr, &b});
  }

  void finish() {
    const size_t fixed_end = kAuxHeaderSize + r_.position();
    if (pending_.empty()) {
      r_.expect_end("TrailingBytes");
      return;
    }
    for (const Pending& p : pending_) {
      if (p.offset == 0) {
        if (p.binary && p.size != 0)
          throw DecodeError(p.size_field_at, p.size_name,
                            std::to_string(p.size) + " bytes claimed for a field whose offset is zero");
        continue;
      }
      if (p.offset < fixed_end)
        throw DecodeError(p.field_at, p.offset_name,
                          "offset " + std::to_string(p.offset) + " points into the fixed fields, which end at " +
                              std::to_string(fixed_end));
      if (p.offset > block_.size() || (p.string && p.offset == block_.size()))
        throw DecodeError(p.field_at, p.offset_name,
                          "offset " + std::to_string(p.offset) + " lies outside the block of " +
                              std::to_string(block_.size()) + " bytes");
      ByteReader at(block_.subspan(p.offset), block_offset_ + p.offset);
      if (p.string) {
        *p.string = read_utf16z(at, p.name);
      } else {
        if (p.size > at.remaining())
          throw DecodeError(p.size_field_at, p.size_name,
                            std::to_string(p.size) + " bytes at offset " + std::to_string(p.offset) +
                                " run past the end of the block of " + std::to_string(block_.size()) + " bytes");
        ByteView v = at.bytes(p.size, p.name);
        p.binary->emplace(v.begin(), v.end());
      }
    }
  }

 private:
  struct Pending {
    std::string_view offset_name;
    std::string_view size_name;
    std::string_view name;
    uint16_t offset;
    uint16_t size;
    size_t field_at;       // absolute offset of the offset field
    size_t size_field_at;  // absolute offset of the size field (binary only)
    AuxString* string;
    AuxBinary* binary;
  };
  ByteView block_;
  size_t block_offset_;
  ByteReader r_;
  std::vector<Pending> pending_;
};

// Writes the fields a structure describes; variable-size data follows the fixed fields in field order.
class FieldEncoder {
 public:
  FieldEncoder(ByteWriter& w, size_t block_start) : w_(w), block_start_(block_start) {}

  void u8(std::string_view, uint8_t v) { w_.u8(v); }
  void u16(std::string_view, uint16_t v) { w_.u16(v); }
  void u32(std::string_view, uint32_t v) { w_.u32(v); }
  void guid(std::string_view, const Guid& g) { g.write(w_); }
  template <size_t N>
  void bytes(std::string_view, const std::array<uint8_t, N>& a) {
    w_.bytes(a);
  }
  void string_at(std::string_view offset_name, std::string_view name, const AuxString& s) {
    deferred_.push_back({offset_name, name, w_.placeholder_u16(), &s, nullptr});
  }
  void binary_at(std::string_view size_name, std::string_view offset_name, std::string_view name,
                 const AuxBinary& b) {
    if (b && b->size() > 0xFFFF)
      throw EncodeError(size_name, std::to_string(b->size()) + " bytes exceed 65535");
    w_.u16(b ? static_cast<uint16_t>(b->size()) : 0);
    deferred_.push_back({offset_name, name, w_.placeholder_u16(), nullptr, &b});
  }

  void finish() {
    for (const Deferred& d : deferred_) {
      if (d.string ? !d.string->has_value() : !d.binary->has_value()) continue;
      size_t offset = w_.size() - block_start_;
      if (offset > 0xFFFF) throw EncodeError(d.offset_name, "offset " + std::to_string(offset) + " exceeds 65535");
      w_.patch_u16(d.at, static_cast<uint16_t>(offset));
      if (d.string)
        write_utf16z(w_, **d.string, d.name);
      else
        w_.bytes(**d.binary);
    }
  }

 private:
  struct Deferred {
    std::string_view offset_name;
    std::string_view name;
    size_t at;
    const AuxString* string;
    const AuxBinary* binary;
  };
  ByteWriter& w_;
  size_t block_start_;
  std::vector<Deferred> deferred_;
};

template <size_t I = 0>
AuxBody decode_body(size_t index, ByteView block, size_t block_offset) {
  if constexpr (I + 1 < std::variant_size_v<AuxBody>) {
    if (index != I) return decode_body<I + 1>(index, block, block_offset);
    using T = std::variant_alternative_t<I, AuxBody>;
    T value;
    FieldDecoder d(block, block_offset);
    T::fields(value, d);
    d.finish();
    return value;
  } else {
    // The last alternative is AuxUnknown, which the table never names.
    static_assert(std::is_same_v<std::variant_alternative_t<I, AuxBody>, AuxUnknown>);
    throw Error(EXMAPI_E_INTERNAL, "aux block table names no structure");
  }
}

AuxBlock decode_block(ByteReader& r) {
  const size_t start = r.offset();
  r.need(kAuxHeaderSize, "AUX_HEADER");
  ByteReader header(r.rest().first(kAuxHeaderSize), start);
  uint16_t size = header.u16("AUX_HEADER.Size");
  AuxBlock block;
  block.version = header.u8("AUX_HEADER.Version");
  block.type = header.u8("AUX_HEADER.Type");
  if (size < kAuxHeaderSize)
    throw DecodeError(start, "AUX_HEADER.Size", std::to_string(size) + " is smaller than the AUX_HEADER itself");
  if (size > r.remaining())
    throw DecodeError(start, "AUX_HEADER.Size",
                      "block of " + std::to_string(size) + " bytes exceeds the " + std::to_string(r.remaining()) +
                          " bytes left");
  ByteView bytes = r.bytes(size, "AuxBlock");
  if (const AuxKind* kind = find_kind(block.version, block.type)) {
    block.body = in_field(kind->name, [&] { return decode_body(kind->body, bytes, start); });
  } else {
    ByteView body = bytes.subspan(kAuxHeaderSize);
    block.body = AuxUnknown{Bytes(body.begin(), body.end())};
  }
  return block;
}

void encode_block(ByteWriter& w, const AuxBlock& block, size_t index) {
  const AuxKind* kind = find_kind(block.version, block.type);
  const std::string where = "AuxBlock[" + std::to_string(index) + "]";
  if (kind ? block.body.index() != kind->body : !std::holds_alternative<AuxUnknown>(block.body))
    throw EncodeError(where, "version " + hex8(block.version) + " type " + hex8(block.type) + " calls for " +
                                 (kind ? kind->name : "raw bytes (AuxUnknown)") + ", not the body given");
  const size_t start = w.size();
  size_t size_at = w.placeholder_u16();
  w.u8(block.version);
  w.u8(block.type);
  std::visit(
      [&](const auto& body) {
        using T = std::decay_t<decltype(body)>;
        if constexpr (std::is_same_v<T, AuxUnknown>) {
          w.bytes(body.data);
        } else {
          FieldEncoder e(w, start);
          T::fields(body, e);
          e.finish();
        }
      },
      block.body);
  w.patch_u16_length(size_at, start, where + ".AUX_HEADER.Size");
}

}  // namespace

const char* aux_block_name(uint8_t version, uint8_t type) noexcept {
  const AuxKind* k = find_kind(version, type);
  return k ? k->name : nullptr;
}

AuxBlock make_aux_block(uint8_t type, AuxBody body) {
  const bool v2 = std::holds_alternative<AuxPerfSessionInfoV2>(body) || std::holds_alternative<AuxPerfMdbSuccessV2>(body) ||
                  std::holds_alternative<AuxPerfGcSuccessV2>(body) || std::holds_alternative<AuxPerfFailureV2>(body);
  AuxBlock block{v2 ? kAuxVersion2 : kAuxVersion1, type, std::move(body)};
  const AuxKind* kind = find_kind(block.version, block.type);
  if (kind ? block.body.index() != kind->body : !std::holds_alternative<AuxUnknown>(block.body))
    throw EncodeError("AuxBlock", "type " + hex8(type) + " does not take this structure");
  return block;
}

std::vector<AuxBlock> decode_aux_blocks(ByteView payload) {
  std::vector<AuxBlock> blocks;
  ByteReader r(payload);
  for (size_t i = 0; !r.empty(); ++i) {
    try {
      blocks.push_back(decode_block(r));
    } catch (DecodeError& e) {
      e.prepend("[" + std::to_string(i) + "]");
      e.prepend("AuxBlock");
      throw;
    }
  }
  return blocks;
}

void encode_aux_blocks(ByteWriter& out, std::span<const AuxBlock> blocks) {
  for (size_t i = 0; i < blocks.size(); ++i) encode_block(out, blocks[i], i);
}

Bytes encode_aux_blocks(std::span<const AuxBlock> blocks) {
  ByteWriter w;
  encode_aux_blocks(w, blocks);
  return w.take();
}

Bytes unpack_aux_payload(ByteView buffer) {
  if (buffer.empty()) return {};
  UnpackOptions options;
  options.max_buffers = 1;
  options.max_input = kMaxAuxBuffer;
  return unpack_concatenated(buffer, options);
}

std::vector<AuxBlock> decode_aux_buffer(ByteView buffer) {
  Bytes payload = unpack_aux_payload(buffer);
  return in_field("AuxPayload", [&] { return decode_aux_blocks(payload); });
}

Bytes encode_aux_buffer(std::span<const AuxBlock> blocks, const PackOptions& options) {
  Bytes payload = encode_aux_blocks(blocks);
  PackOptions o = options;
  o.max_buffers = 1;
  o.max_output = std::min(options.max_output, kMaxAuxBuffer);
  return pack(ByteView(payload), o);
}

}  // namespace exmapi::wire

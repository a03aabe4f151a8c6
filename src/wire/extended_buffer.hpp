// Extended buffers (MS-OXCRPC 2.2.2.1 RPC_HEADER_EXT, 3.1.4.1.1 and 3.1.4.2.1): the framing of the
// rgbIn/rgbOut ROP buffers and the rgbAuxIn/rgbAuxOut auxiliary buffers of EcDoConnectEx and
// EcDoRpcExt2, reused by MAPI/HTTP for its RopBuffer and AuxiliaryBuffer fields.
//
// A buffer is one or more RPC_HEADER_EXT + payload pairs; every header but the last lacks the Last
// flag and the last one carries it (3.1.4.2.1.1.1/.2). A payload may be LZ77-compressed
// (3.1.4.1.1.2) and/or XOR-obfuscated (3.1.4.1.1.3); with both, the sender compresses first and then
// obfuscates, the receiver reverts the obfuscation and then decompresses (3.1.4.1.1.1.1).
//
// Decisions where the spec leaves room, applied the same way by pack and unpack:
// - Flag bits other than Compressed, XorMagic and Last are rejected: 2.2.2.1 lists those three as
//   "the flags ... that are valid".
// - Both "MUST"s of 2.2.2.1 on sizes are enforced: uncompressed, Size equals SizeActual; compressed,
//   Size is less than SizeActual. So pack compresses only when that makes the payload smaller.
// - Nothing may follow the buffer carrying Last: "No other RPC_HEADER_EXT structure follows".
// - The payload limit ("A single payload MUST NOT exceed 32 KB", 3.1.4.1.1 and 3.1.4.2.1) applies to
//   the uncompressed size (SizeActual), which bounds the compressed size too.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "base/bytes.hpp"

namespace exmapi::wire {

// RPC_HEADER_EXT.Flags (MS-OXCRPC 2.2.2.1).
inline constexpr uint16_t kRpcExtCompressed = 0x0001;
inline constexpr uint16_t kRpcExtXorMagic = 0x0002;
inline constexpr uint16_t kRpcExtLast = 0x0004;
inline constexpr uint16_t kRpcExtKnownFlags = kRpcExtCompressed | kRpcExtXorMagic | kRpcExtLast;

inline constexpr uint16_t kRpcHeaderExtVersion = 0x0000;  // "This value MUST be set to 0x0000."
inline constexpr size_t kRpcHeaderExtSize = 8;

// "A single payload MUST NOT exceed 32 KB in size." (3.1.4.1.1, 3.1.4.2.1)
inline constexpr size_t kMaxExtendedPayload = 0x8000;
// "The server MUST NOT place more than 96 individual payloads into a single rgbOut parameter
// response." (3.1.4.2.1.2.2)
inline constexpr size_t kMaxPackedPayloads = 96;
// cbAuxIn / pcbAuxOut maximum, RPC_HEADER_EXT included (SMALL_RANGE_ULONG, 3.1.4.1 and 3.1.4.2).
inline constexpr size_t kMaxAuxBuffer = 0x1008;
// cbIn / pcbOut maximum, RPC_HEADER_EXTs included (BIG_RANGE_ULONG, 3.1.4.2); 0x100000 for pcbOut
// when the server announced ULTRA_LARGE_PACKED_DOWNLOAD_BUFFERS.
inline constexpr size_t kMaxRopBuffer = 0x40000;
inline constexpr size_t kMaxUltraLargeRopBuffer = 0x100000;

struct RpcHeaderExt {
  uint16_t version = kRpcHeaderExtVersion;
  uint16_t flags = 0;
  uint16_t size = 0;         // payload bytes as sent, after compression
  uint16_t size_actual = 0;  // payload bytes once decompressed
  friend bool operator==(const RpcHeaderExt&, const RpcHeaderExt&) = default;
};

struct PackOptions {
  bool compress = false;   // LZ77, used only for payloads it makes smaller
  bool obfuscate = false;  // XorMagic
  size_t max_payload = kMaxExtendedPayload;
  size_t max_buffers = kMaxPackedPayloads;
  size_t max_output = SIZE_MAX;  // e.g. the pcbOut the client offered
};

struct UnpackOptions {
  size_t max_payload = kMaxExtendedPayload;  // bound on SizeActual
  size_t max_buffers = kMaxPackedPayloads;
  size_t max_input = SIZE_MAX;  // e.g. kMaxAuxBuffer for rgbAuxIn
};

// One RPC_HEADER_EXT as received and its payload restored (de-obfuscated, decompressed).
struct ExtendedBuffer {
  RpcHeaderExt header;
  Bytes payload;
  friend bool operator==(const ExtendedBuffer&, const ExtendedBuffer&) = default;
};

// Frames each payload in its own RPC_HEADER_EXT, the last with the Last flag. Throws EncodeError for
// an empty list, a payload over max_payload or more than max_buffers payloads; Error(EXMAPI_E_LIMIT)
// when the result would exceed max_output.
Bytes pack(std::span<const ByteView> payloads, const PackOptions& options = {});
Bytes pack(ByteView payload, const PackOptions& options = {});
// Appends to `out` instead (e.g. behind a MAPI/HTTP length field).
void pack_into(ByteWriter& out, std::span<const ByteView> payloads, const PackOptions& options = {});

// Unframes a whole buffer. Throws DecodeError (offset within `in`, field path such as
// "ExtendedBuffer[1].RPC_HEADER_EXT.Flags") on any violation, Error(EXMAPI_E_LIMIT) when `in`
// exceeds max_input.
std::vector<ExtendedBuffer> unpack(ByteView in, const UnpackOptions& options = {});
// The payloads only, in order.
std::vector<Bytes> unpack_payloads(ByteView in, const UnpackOptions& options = {});
// All payloads back to back, e.g. for an auxiliary buffer or a single ROP buffer.
Bytes unpack_concatenated(ByteView in, const UnpackOptions& options = {});

// Decodes and encodes one header alone.
RpcHeaderExt read_rpc_header_ext(ByteReader& r);
void write_rpc_header_ext(ByteWriter& w, const RpcHeaderExt& header);

}  // namespace exmapi::wire

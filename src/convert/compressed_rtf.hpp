// Compressed RTF (MS-OXRTFCP), the format of PidTagRtfCompressed: a 16-byte header (COMPSIZE, RAWSIZE,
// COMPTYPE, CRC) followed either by the RTF itself ("MELA", uncompressed) or by an LZ77 variant
// ("LZFu") over a 4096-byte circular dictionary preset with 207 bytes of common RTF.
#pragma once

#include <cstdint>
#include <span>

#include "base/bytes.hpp"

namespace exmapi::rtf {

constexpr uint32_t kCompTypeCompressed = 0x75465A4C;    // "LZFu" on the wire
constexpr uint32_t kCompTypeUncompressed = 0x414C454D;  // "MELA" on the wire
constexpr size_t kHeaderSize = 16;

// MS-OXRTFCP 2.1.3.1.1: COMPSIZE counts the contents plus the 12 header bytes after COMPSIZE itself.
struct Header {
  uint32_t comp_size = 0;
  uint32_t raw_size = 0;
  uint32_t comp_type = 0;
  uint32_t crc = 0;
};

// Reads and validates the header: a known COMPTYPE, and COMPSIZE agreeing with the bytes present.
// Throws DecodeError naming the field.
Header read_header(ByteView stream);

// The CRC of MS-OXRTFCP 2.1.3.2 (CRC-32 with the reflected polynomial 0xEDB88320, but starting from 0
// and without the final inversion). Pass the previous result as `crc` to continue over more data.
uint32_t crc32(ByteView data, uint32_t crc = 0) noexcept;

// An LZFu stream of n content bytes yields at most 8 output bytes per content byte (a control byte
// and eight 2-byte references of 17 bytes each: 17 bytes in, 136 out). A RAWSIZE above this cannot
// be honest, so it is rejected before anything is allocated.
constexpr uint64_t max_raw_size(size_t content_size) noexcept { return uint64_t{content_size} * 8; }

// Decompresses a whole PidTagRtfCompressed value into exactly RAWSIZE bytes.
//  - LZFu: the CRC must match (else Error with EXMAPI_E_CHECKSUM); decoding stops at the end marker
//    (a reference whose offset is the current write position), which must come exactly after
//    RAWSIZE bytes. A stream whose input simply runs out is accepted only when it has produced
//    exactly RAWSIZE bytes by then; a token that would write past RAWSIZE, a stream that ends
//    early or an end marker before RAWSIZE is an EXMAPI_E_DECODE error naming the input offset.
//    Bytes after the end marker are the grammar's PADDING and are ignored.
//  - MELA: the first RAWSIZE content bytes; the CRC field is not a checksum there (writers set it
//    to 0) and is not checked; content bytes beyond RAWSIZE are ignored.
Bytes decompress(ByteView stream);

// Like decompress() but into caller memory of at least read_header(stream).raw_size bytes, without
// allocating; returns RAWSIZE. Throws Error(EXMAPI_E_INVALID_ARGUMENT) when `out` is too small.
size_t decompress_into(ByteView stream, std::span<uint8_t> out);

enum class Form { compressed, uncompressed };

// Builds a PidTagRtfCompressed value for `rtf`. Compressed: the match choice of MS-OXRTFCP
// 2.3.3.2.1 (the longest match of 2 to 17 bytes, among equally long ones the oldest in the
// dictionary), so the spec's examples come out byte for byte; ends with the end marker and no
// padding. Uncompressed: the MELA form with CRC 0. Throws EncodeError above 4 GiB.
Bytes compress(ByteView rtf, Form form = Form::compressed);

}  // namespace exmapi::rtf

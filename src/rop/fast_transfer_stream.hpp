// The FastTransfer stream (MS-OXCFXICS 2.2.4): the byte stream that the TransferBuffers of successive
// RopFastTransferSourceGetBuffer responses make up (and that RopFastTransferDestinationPutBuffer
// uploads).
//
// Lexical structure (2.2.4.1): a stream is a sequence of elements, each either a marker (a 4-byte
// value from the table of 2.2.4.1.4, no value) or a propValue: a property tag, for named properties
// (ID >= 0x8000) the PropertyName (GUID, kind 0x00 + 4-byte LID or kind 0x01 + NUL-terminated UTF-16
// name), then the value:
//   fixed-size types   the value as MS-OXCDATA serializes it, except PtypBoolean takes 2 bytes;
//   variable types     a 4-byte length, then that many bytes (PtypString, PtypString8, PtypBinary,
//                      PtypServerId, PtypObject and the code-page string types of 2.2.4.1.1.1);
//   multi-valued types a 4-byte count, then the values, each variable-size one with its own length.
//
// The server splits the stream between buffers wherever it likes (the spec allows splits inside a
// variable-size value; in practice any byte position is seen), so the decoder is incremental:
// feed() takes the next buffer and returns the elements it completes; the unfinished tail stays in
// the decoder's state, which is explicit (the stage of the element being read and the bytes of the
// field in progress). finish() fails cleanly when the stream ended inside an element.
//
// Memory is bounded: a length, count or property name longer than Limits::max_value_size is an
// error before anything is stored for it, and a value is stored only as its bytes arrive.
//
// Decoded values reuse PropertyValue. Strings lose their terminating NUL (2.2.4.1.3: readers check
// the last bytes are zero before removing them; a string without one is kept whole). Two value kinds
// have no PropertyValue type of their own and keep the element's tag for their wire type:
// PtypObject is held as binary bytes and a code-page string (type 0x8000 | code page) as the raw
// bytes of a PtypString8. MetaTagIdsetGiven (0x40170003) is tagged PtypInteger32 but carries
// PtypBinary data (2.2.1.1.1, 3.1.5.2.1), so it is read as binary.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/bytes.hpp"
#include "base/error.hpp"
#include "rop/property_value.hpp"

namespace exmapi::rop {

// Markers (MS-OXCFXICS 2.2.4.1.4).
namespace fx_marker {
constexpr uint32_t StartTopFld = 0x40090003;
constexpr uint32_t StartSubFld = 0x400A0003;
constexpr uint32_t EndFolder = 0x400B0003;
constexpr uint32_t StartMessage = 0x400C0003;
constexpr uint32_t StartFAIMsg = 0x40100003;
constexpr uint32_t EndMessage = 0x400D0003;
constexpr uint32_t StartEmbed = 0x40010003;
constexpr uint32_t EndEmbed = 0x40020003;
constexpr uint32_t StartRecip = 0x40030003;
constexpr uint32_t EndToRecip = 0x40040003;
constexpr uint32_t NewAttach = 0x40000003;
constexpr uint32_t EndAttach = 0x400E0003;
constexpr uint32_t IncrSyncChg = 0x40120003;
constexpr uint32_t IncrSyncChgPartial = 0x407D0003;
constexpr uint32_t IncrSyncDel = 0x40130003;
constexpr uint32_t IncrSyncEnd = 0x40140003;
constexpr uint32_t IncrSyncRead = 0x402F0003;
constexpr uint32_t IncrSyncStateBegin = 0x403A0003;
constexpr uint32_t IncrSyncStateEnd = 0x403B0003;
constexpr uint32_t IncrSyncProgressMode = 0x4074000B;
constexpr uint32_t IncrSyncProgressPerMsg = 0x4075000B;
constexpr uint32_t IncrSyncMessage = 0x40150003;
constexpr uint32_t IncrSyncGroupInfo = 0x407B0102;
constexpr uint32_t FXErrorInfo = 0x40180003;
}  // namespace fx_marker

// Meta-properties (MS-OXCFXICS 2.2.4.1.5): serialized as propValues, they direct the reader rather
// than carry object data.
namespace fx_meta {
constexpr PropTag FXDelProp = 0x40160003;
constexpr PropTag EcWarning = 0x400F0003;
constexpr PropTag NewFXFolder = 0x40110102;
constexpr PropTag IncrSyncGroupId = 0x407C0003;
constexpr PropTag IncrementalSyncMessagePartial = 0x407A0003;
constexpr PropTag DnPrefix = 0x4008001E;
}  // namespace fx_meta

// The ICS state property whose tag does not say its layout (MS-OXCFXICS 2.2.1.1.1): PtypBinary data
// under a PtypInteger32 tag. Sent with the binary tag 0x40170102 it needs no special case.
namespace fx_state {
constexpr PropTag IdsetGiven = 0x40170003;
}  // namespace fx_state

// "StartMessage", ... or nullptr when `tag` is no marker.
const char* fx_marker_name(uint32_t tag) noexcept;
// "MetaTagFXDelProp", ... or nullptr when `tag` is no meta-property.
const char* fx_meta_property_name(PropTag tag) noexcept;

// The PropertyName after a named property's tag (namedPropInfo, 2.2.4.1).
namespace fx_name_kind {
constexpr uint8_t Dispid = 0x00, Name = 0x01;
}
struct FxNamedPropInfo {
  Guid property_set;
  uint8_t kind = fx_name_kind::Dispid;
  uint32_t dispid = 0;  // kind Dispid
  std::string name;     // kind Name, UTF-8
  friend bool operator==(const FxNamedPropInfo&, const FxNamedPropInfo&) = default;
};

enum class FxElementKind : uint8_t { Marker, MetaProperty, PropertyValue };

struct FxElement {
  FxElementKind kind = FxElementKind::Marker;
  uint32_t tag = 0;  // the marker, or the property tag as on the wire
  std::optional<FxNamedPropInfo> named;
  PropertyValue value;  // PtypNull for a marker
  size_t offset = 0;    // where the element starts in the stream (not compared)
  friend bool operator==(const FxElement& a, const FxElement& b) {
    return a.kind == b.kind && a.tag == b.tag && a.named == b.named && a.value == b.value;
  }

  static FxElement marker(uint32_t m);
  // A property value (or meta-property, chosen by its tag) of the tag's type.
  static FxElement property(PropTag tag, PropertyValue v, std::optional<FxNamedPropInfo> named = std::nullopt);
};

class FastTransferStreamDecoder {
 public:
  struct Limits {
    // Largest value (or property name) in bytes, counted as its wire form without the tag.
    size_t max_value_size = 64u << 20;
  };
  FastTransferStreamDecoder() = default;
  explicit FastTransferStreamDecoder(Limits limits) : limits_(limits) {}

  // Consumes `bytes` (the next TransferBuffer) and returns the elements completed by them, in order.
  // A DecodeError (offset within the whole stream, field path) leaves the decoder failed: every later
  // call throws the same error.
  std::vector<FxElement> feed(ByteView bytes);
  // Declares the end of the stream; throws DecodeError if it ended inside an element.
  void finish();

  size_t offset() const noexcept { return offset_; }  // bytes consumed so far
  bool at_element_boundary() const noexcept { return stage_ == Stage::Tag && field_.empty(); }

 private:
  enum class Stage : uint8_t {
    Tag,           // 4 bytes: marker or property tag
    NameHeader,    // 17 bytes: property set GUID and kind
    NameDispid,    // 4 bytes
    NameChar,      // 2 bytes per UTF-16 unit until a NUL unit
    FixedValue,    // the fixed-size value
    Length,        // 4 bytes: a variable value's length
    VarBytes,      // the variable value's bytes
    Count,         // 4 bytes: a multi-valued value's count
    ElementFixed,  // one fixed-size element of a multi-valued value
    ElementLength, // 4 bytes: one variable-size element's length
    ElementBytes,  // that element's bytes
  };
  bool take(ByteView& in, size_t n);
  void step(ByteView& in, std::vector<FxElement>& out);
  void after_property_info();
  void finish_bytes(bool element);
  void next_multi_element();
  void complete_value(std::vector<FxElement>& out);
  void check_value_room(size_t more, std::string_view field);
  [[noreturn]] void fail(std::string_view field, std::string reason);

  Limits limits_;
  Stage stage_ = Stage::Tag;
  Bytes field_;        // bytes of the fixed-width field in progress
  size_t offset_ = 0;  // stream bytes consumed
  size_t element_offset_ = 0;
  FxElement current_;
  PropType wire_type_ = 0;   // the type that decides the value's layout
  Bytes value_;              // the value's wire bytes (lengths and counts included)
  size_t value_offset_ = 0;  // where they start in the stream
  bool value_complete_ = false;
  size_t remaining_ = 0;     // bytes still due for VarBytes / ElementBytes
  uint32_t elements_left_ = 0;
  Bytes name_utf16_;
  std::optional<DecodeError> error_;
};

// Decodes a whole stream held in memory (one feed and finish).
std::vector<FxElement> decode_fast_transfer_stream(ByteView bytes, FastTransferStreamDecoder::Limits limits = {});

// Appends the element in its stream form (strings with their terminator). Throws EncodeError for a
// value whose type does not match its tag or that does not fit its length field.
void encode_fx_element(ByteWriter& w, const FxElement& e);
Bytes encode_fast_transfer_stream(std::span<const FxElement> elements);

// One-line description for people: `StartMessage`, `0x0037001F PtypString "Hello"`,
// `MetaTagFXDelProp 0x0E12000D`.
std::string describe(const FxElement& e);

}  // namespace exmapi::rop

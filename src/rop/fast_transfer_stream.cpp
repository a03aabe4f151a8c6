#include "rop/fast_transfer_stream.hpp"

#include <algorithm>
#include <array>
#include <limits>
#include <utility>

#include "base/text.hpp"
#include "rop/property_tag.hpp"

namespace exmapi::rop {

namespace {

struct NamedTag {
  uint32_t tag;
  const char* name;
};
constexpr NamedTag kMarkers[] = {
    {fx_marker::StartTopFld, "StartTopFld"},
    {fx_marker::StartSubFld, "StartSubFld"},
    {fx_marker::EndFolder, "EndFolder"},
    {fx_marker::StartMessage, "StartMessage"},
    {fx_marker::StartFAIMsg, "StartFAIMsg"},
    {fx_marker::EndMessage, "EndMessage"},
    {fx_marker::StartEmbed, "StartEmbed"},
    {fx_marker::EndEmbed, "EndEmbed"},
    {fx_marker::StartRecip, "StartRecip"},
    {fx_marker::EndToRecip, "EndToRecip"},
    {fx_marker::NewAttach, "NewAttach"},
    {fx_marker::EndAttach, "EndAttach"},
    {fx_marker::IncrSyncChg, "IncrSyncChg"},
    {fx_marker::IncrSyncChgPartial, "IncrSyncChgPartial"},
    {fx_marker::IncrSyncDel, "IncrSyncDel"},
    {fx_marker::IncrSyncEnd, "IncrSyncEnd"},
    {fx_marker::IncrSyncRead, "IncrSyncRead"},
    {fx_marker::IncrSyncStateBegin, "IncrSyncStateBegin"},
    {fx_marker::IncrSyncStateEnd, "IncrSyncStateEnd"},
    {fx_marker::IncrSyncProgressMode, "IncrSyncProgressMode"},
    {fx_marker::IncrSyncProgressPerMsg, "IncrSyncProgressPerMsg"},
    {fx_marker::IncrSyncMessage, "IncrSyncMessage"},
    {fx_marker::IncrSyncGroupInfo, "IncrSyncGroupInfo"},
    {fx_marker::FXErrorInfo, "FXErrorInfo"},
};
constexpr NamedTag kMetaProperties[] = {
    {fx_meta::FXDelProp, "MetaTagFXDelProp"},
    {fx_meta::EcWarning, "MetaTagEcWarning"},
    {fx_meta::NewFXFolder, "MetaTagNewFXFolder"},
    {fx_meta::IncrSyncGroupId, "MetaTagIncrSyncGroupId"},
    {fx_meta::IncrementalSyncMessagePartial, "MetaTagIncrementalSyncMessagePartial"},
    {fx_meta::DnPrefix, "MetaTagDnPrefix"},
};

const char* lookup(std::span<const NamedTag> table, uint32_t tag) noexcept {
  for (const NamedTag& t : table)
    if (t.tag == tag) return t.name;
  return nullptr;
}

// Code-page string types (2.2.4.1.1.1): bit 0x8000 set, the code page in the low 15 bits.
constexpr PropType kCodePageFlag = 0x8000;
constexpr bool is_code_page_type(PropType t) noexcept { return (t & kCodePageFlag) != 0; }

enum class Layout : uint8_t { Invalid, Fixed, Variable, Multiple };

// Size of a fixed-size value in a FastTransfer stream (PtypBoolean is 2 bytes here, 2.2.4.1.3).
size_t fixed_size(PropType t) noexcept {
  switch (t) {
    case ptyp::Integer16:
    case ptyp::Boolean: return 2;
    case ptyp::Integer32:
    case ptyp::Floating32:
    case ptyp::ErrorCode: return 4;
    case ptyp::Floating64:
    case ptyp::Currency:
    case ptyp::FloatingTime:
    case ptyp::Integer64:
    case ptyp::Time: return 8;
    case ptyp::Guid: return 16;
    default: return 0;
  }
}

Layout layout_of(PropType t) noexcept {
  if (is_code_page_type(t)) return Layout::Variable;
  if (fixed_size(t)) return Layout::Fixed;
  switch (t) {
    case ptyp::String:
    case ptyp::String8:
    case ptyp::Binary:
    case ptyp::ServerId:
    case ptyp::Object: return Layout::Variable;
    default: break;
  }
  // Multi-valued forms exist for the base types MS-OXCDATA gives one (2.11.1); Boolean, ErrorCode,
  // ServerId and Object have none.
  if ((t & ptyp::MultipleFlag) && !(t & ptyp::MultivalueInstanceFlag) && is_value_type(t)) return Layout::Multiple;
  return Layout::Invalid;
}

// The type whose layout the value follows: the tag's, except for MetaTagIdsetGiven.
PropType wire_type_of(PropTag tag) noexcept {
  return tag == fx_state::IdsetGiven ? ptyp::Binary : prop_type(tag);
}

// The PropertyValue type a decoded value has (Object and code-page strings have none of their own).
PropType value_type_for(PropType wire) noexcept {
  if (is_code_page_type(wire)) return ptyp::String8;
  if (wire == ptyp::Object) return ptyp::Binary;
  return wire;
}

std::string hex16(uint16_t v) {
  std::string s = detail::hex32(v);  // "0x0000XXXX"
  return "0x" + s.substr(6);
}

// Strings carry their terminator by convention (2.2.4.1.3: readers check it is there before
// dropping it).
std::string string_from_wire(ByteView b, bool unicode, ByteReader& r) {
  if (unicode) {
    if (b.size() % 2) r.fail("PtypString", "odd byte length " + std::to_string(b.size()) + " for UTF-16");
    if (b.size() >= 2 && b[b.size() - 1] == 0 && b[b.size() - 2] == 0) b = b.first(b.size() - 2);
    return utf16le_to_utf8(b);
  }
  if (!b.empty() && b.back() == 0) b = b.first(b.size() - 1);
  return std::string(b.begin(), b.end());
}

ByteView counted_bytes(ByteReader& r, std::string_view field) {
  uint32_t n = r.u32("Length");
  return r.bytes(n, field);
}

// Converts the complete wire bytes of a value (lengths and counts included) to a PropertyValue.
PropertyValue value_from_wire(ByteReader& r, PropType wire) {
  PropertyValue v;
  if (wire == ptyp::Boolean) {
    v = PropertyValue::from_bits(ptyp::Boolean, r.u16("PtypBoolean"));
  } else if (is_code_page_type(wire)) {
    ByteView b = counted_bytes(r, "CodePageString");
    v = PropertyValue::string8(std::string(b.begin(), b.end()));
  } else if (wire == ptyp::String || wire == ptyp::String8) {
    bool unicode = wire == ptyp::String;
    v = unicode ? PropertyValue::string(string_from_wire(counted_bytes(r, "PtypString"), true, r))
                : PropertyValue::string8(string_from_wire(counted_bytes(r, "PtypString8"), false, r));
  } else if (wire == ptyp::Object) {
    ByteView b = counted_bytes(r, "PtypObject");
    v = PropertyValue::binary(Bytes(b.begin(), b.end()));
  } else if (wire == ptyp::MultipleString || wire == ptyp::MultipleString8) {
    bool unicode = wire == ptyp::MultipleString;
    size_t n = r.count(r.u32("Count"), 4, "Count");
    std::vector<std::string> items;
    items.reserve(n);
    for (size_t i = 0; i < n; ++i)
      items.push_back(in_field("[" + std::to_string(i) + "]", [&] {
        return string_from_wire(counted_bytes(r, "Value"), unicode, r);
      }));
    v = unicode ? PropertyValue::multiple_string(std::move(items)) : PropertyValue::multiple_string8(std::move(items));
  } else {
    // Everything else is serialized as MS-OXCDATA does with 4-byte counts: fixed values, PtypGuid,
    // PtypBinary and PtypServerId behind a 4-byte length, and the other multi-valued types.
    v = decode_property_value(r, wire, CountWidth::Wide);
  }
  r.expect_end("value");
  return v;
}

void write_string(ByteWriter& w, const std::string& s, bool unicode, std::string_view field) {
  if (unicode) {
    Bytes b = utf8_to_utf16le(s, field);
    if (b.size() + 2 > std::numeric_limits<uint32_t>::max()) throw EncodeError(field, "string too long");
    w.u32(static_cast<uint32_t>(b.size() + 2));
    w.bytes(b);
    w.u16(0);
  } else {
    if (s.size() + 1 > std::numeric_limits<uint32_t>::max()) throw EncodeError(field, "string too long");
    w.u32(static_cast<uint32_t>(s.size() + 1));
    w.bytes(ByteView(reinterpret_cast<const uint8_t*>(s.data()), s.size()));
    w.u8(0);
  }
}

void write_counted(ByteWriter& w, ByteView b, std::string_view field) {
  if (b.size() > std::numeric_limits<uint32_t>::max()) throw EncodeError(field, "value too long");
  w.u32(static_cast<uint32_t>(b.size()));
  w.bytes(b);
}

ByteView as_bytes(const std::string& s) { return ByteView(reinterpret_cast<const uint8_t*>(s.data()), s.size()); }

}  // namespace

const char* fx_marker_name(uint32_t tag) noexcept { return lookup(kMarkers, tag); }
const char* fx_meta_property_name(PropTag tag) noexcept { return lookup(kMetaProperties, tag); }

FxElement FxElement::marker(uint32_t m) {
  FxElement e;
  e.kind = FxElementKind::Marker;
  e.tag = m;
  return e;
}

FxElement FxElement::property(PropTag tag, PropertyValue v, std::optional<FxNamedPropInfo> named) {
  FxElement e;
  e.kind = fx_meta_property_name(tag) ? FxElementKind::MetaProperty : FxElementKind::PropertyValue;
  e.tag = tag;
  e.named = std::move(named);
  e.value = std::move(v);
  return e;
}

// ---- decoder ------------------------------------------------------------------------------------------

void FastTransferStreamDecoder::fail(std::string_view field, std::string reason) {
  error_.emplace(element_offset_, field, std::move(reason));
  error_->prepend("FastTransferStream");
  throw *error_;
}

// Moves input into field_ until it holds n bytes; false when the input ran out first.
bool FastTransferStreamDecoder::take(ByteView& in, size_t n) {
  size_t want = std::min(n - field_.size(), in.size());
  field_.insert(field_.end(), in.begin(), in.begin() + static_cast<std::ptrdiff_t>(want));
  in = in.subspan(want);
  offset_ += want;
  return field_.size() == n;
}

void FastTransferStreamDecoder::check_value_room(size_t more, std::string_view field) {
  if (more > limits_.max_value_size - std::min(value_.size(), limits_.max_value_size))
    fail(field, std::to_string(more) + " more bytes exceed the value limit of " +
                    std::to_string(limits_.max_value_size));
}

void FastTransferStreamDecoder::after_property_info() {
  value_.clear();
  switch (layout_of(wire_type_)) {
    case Layout::Fixed: stage_ = Stage::FixedValue; break;
    case Layout::Variable: stage_ = Stage::Length; break;
    case Layout::Multiple: stage_ = Stage::Count; break;
    case Layout::Invalid: break;  // refused when the tag was read
  }
}

void FastTransferStreamDecoder::next_multi_element() {
  if (elements_left_ == 0) {
    stage_ = Stage::Tag;
    value_complete_ = true;
    return;
  }
  stage_ = layout_of(wire_type_ & ~ptyp::MultipleFlag) == Layout::Fixed ? Stage::ElementFixed : Stage::ElementLength;
}

void FastTransferStreamDecoder::complete_value(std::vector<FxElement>& out) {
  value_complete_ = false;
  ByteReader r(value_, value_offset_);
  try {
    current_.value = value_from_wire(r, wire_type_);
  } catch (DecodeError& e) {
    e.prepend(describe_tag(current_.tag));
    e.prepend("FastTransferStream");
    error_ = e;
    throw;
  }
  current_.offset = element_offset_;
  out.push_back(std::move(current_));
  current_ = FxElement{};
  value_.clear();
}

// One stage's worth of work on the input.
void FastTransferStreamDecoder::step(ByteView& in, std::vector<FxElement>& out) {
  switch (stage_) {
    case Stage::Tag: {
      if (field_.empty()) element_offset_ = offset_;
      if (!take(in, 4)) return;
      uint32_t tag = exmapi::detail::load_le<uint32_t>(field_.data());
      field_.clear();
      if (fx_marker_name(tag)) {
        FxElement m = FxElement::marker(tag);
        m.offset = element_offset_;
        out.push_back(std::move(m));
        return;
      }
      wire_type_ = wire_type_of(tag);
      if (layout_of(wire_type_) == Layout::Invalid)
        fail("PropertyTag", "property type " + hex16(wire_type_) + " of " + describe_tag(tag) +
                                " has no FastTransfer serialization");
      current_ = FxElement::property(tag, PropertyValue{});
      if (proptag::is_named_id(prop_id(tag))) {
        current_.named.emplace();
        stage_ = Stage::NameHeader;
      } else {
        after_property_info();
      }
      value_offset_ = offset_;
      return;
    }
    case Stage::NameHeader: {
      if (!take(in, 17)) return;
      FxNamedPropInfo& n = *current_.named;
      std::copy_n(field_.begin(), 16, n.property_set.bytes.begin());
      n.kind = field_[16];
      field_.clear();
      if (n.kind == fx_name_kind::Dispid) {
        stage_ = Stage::NameDispid;
      } else if (n.kind == fx_name_kind::Name) {
        name_utf16_.clear();
        stage_ = Stage::NameChar;
      } else {
        fail("PropertyName.Kind", "kind " + std::to_string(n.kind) + " is neither 0x00 (LID) nor 0x01 (name)");
      }
      return;
    }
    case Stage::NameDispid:
      if (!take(in, 4)) return;
      current_.named->dispid = exmapi::detail::load_le<uint32_t>(field_.data());
      field_.clear();
      value_offset_ = offset_;
      after_property_info();
      return;
    case Stage::NameChar: {
      if (!take(in, 2)) return;
      bool end = field_[0] == 0 && field_[1] == 0;
      if (!end) {
        if (name_utf16_.size() + 2 > limits_.max_value_size)
          fail("PropertyName.Name", "name longer than the value limit of " + std::to_string(limits_.max_value_size));
        name_utf16_.insert(name_utf16_.end(), field_.begin(), field_.end());
      }
      field_.clear();
      if (end) {
        current_.named->name = utf16le_to_utf8(name_utf16_);
        name_utf16_.clear();
        value_offset_ = offset_;
        after_property_info();
      }
      return;
    }
    case Stage::FixedValue:
      if (!take(in, fixed_size(wire_type_))) return;
      value_.swap(field_);
      field_.clear();
      stage_ = Stage::Tag;
      value_complete_ = true;
      return;
    case Stage::Length:
    case Stage::ElementLength: {
      if (!take(in, 4)) return;
      uint32_t n = exmapi::detail::load_le<uint32_t>(field_.data());
      check_value_room(size_t{4} + n, stage_ == Stage::Length ? "Length" : "ElementLength");
      value_.insert(value_.end(), field_.begin(), field_.end());
      field_.clear();
      remaining_ = n;
      bool element = stage_ == Stage::ElementLength;
      stage_ = element ? Stage::ElementBytes : Stage::VarBytes;
      if (remaining_ == 0) finish_bytes(element);
      return;
    }
    case Stage::VarBytes:
    case Stage::ElementBytes: {
      size_t n = std::min(remaining_, in.size());
      value_.insert(value_.end(), in.begin(), in.begin() + static_cast<std::ptrdiff_t>(n));
      in = in.subspan(n);
      offset_ += n;
      remaining_ -= n;
      if (remaining_ == 0) finish_bytes(stage_ == Stage::ElementBytes);
      return;
    }
    case Stage::Count: {
      if (!take(in, 4)) return;
      uint32_t n = exmapi::detail::load_le<uint32_t>(field_.data());
      size_t element = fixed_size(static_cast<PropType>(wire_type_ & ~ptyp::MultipleFlag));
      size_t least;
      // Each element takes at least its fixed size or its 4-byte length, so the count alone bounds
      // the value before any element arrives.
      if (!checked_mul(n, element ? element : 4, least) || !checked_add(least, 4, least))
        least = std::numeric_limits<size_t>::max();
      check_value_room(least, "Count");
      value_.insert(value_.end(), field_.begin(), field_.end());
      field_.clear();
      elements_left_ = n;
      next_multi_element();
      return;
    }
    case Stage::ElementFixed:
      if (!take(in, fixed_size(static_cast<PropType>(wire_type_ & ~ptyp::MultipleFlag)))) return;
      value_.insert(value_.end(), field_.begin(), field_.end());
      field_.clear();
      --elements_left_;
      next_multi_element();
      return;
  }
}

void FastTransferStreamDecoder::finish_bytes(bool element) {
  if (element) {
    --elements_left_;
    next_multi_element();
  } else {
    stage_ = Stage::Tag;
    value_complete_ = true;
  }
}

std::vector<FxElement> FastTransferStreamDecoder::feed(ByteView bytes) {
  if (error_) throw *error_;
  std::vector<FxElement> out;
  while (true) {
    if (value_complete_) complete_value(out);
    if (bytes.empty()) break;
    step(bytes, out);
  }
  return out;
}

void FastTransferStreamDecoder::finish() {
  if (error_) throw *error_;
  if (at_element_boundary()) return;
  fail(current_.tag ? describe_tag(current_.tag) : std::string("PropertyTag"),
       "stream ended inside an element (" + std::to_string(offset_ - element_offset_) + " of its bytes received)");
}

std::vector<FxElement> decode_fast_transfer_stream(ByteView bytes, FastTransferStreamDecoder::Limits limits) {
  FastTransferStreamDecoder d(limits);
  std::vector<FxElement> out = d.feed(bytes);
  d.finish();
  return out;
}

// ---- encoder ------------------------------------------------------------------------------------------

void encode_fx_element(ByteWriter& w, const FxElement& e) {
  if (e.kind == FxElementKind::Marker) {
    if (!fx_marker_name(e.tag)) throw EncodeError("Marker", detail::hex32(e.tag) + " is no FastTransfer marker");
    w.u32(e.tag);
    return;
  }
  std::string field = describe_tag(e.tag);
  PropType wire = wire_type_of(e.tag);
  if (layout_of(wire) == Layout::Invalid)
    throw EncodeError(field, "property type " + hex16(wire) + " has no FastTransfer serialization");
  if (e.value.type() != value_type_for(wire))
    throw EncodeError(field, std::string("value of type ") + (prop_type_name(e.value.type()) ? prop_type_name(e.value.type()) : "?") +
                                 " under a tag of type " + hex16(wire));
  if (fx_marker_name(e.tag)) throw EncodeError(field, "a property tag that equals a marker cannot be written");
  bool named = proptag::is_named_id(prop_id(e.tag));
  if (named != e.named.has_value())
    throw EncodeError(field, named ? "named property without its PropertyName" : "PropertyName on a tagged property");
  w.u32(e.tag);
  if (e.named) {
    e.named->property_set.write(w);
    w.u8(e.named->kind);
    if (e.named->kind == fx_name_kind::Dispid)
      w.u32(e.named->dispid);
    else if (e.named->kind == fx_name_kind::Name)
      write_utf16z(w, e.named->name, "PropertyName.Name");
    else
      throw EncodeError("PropertyName.Kind", "kind " + std::to_string(e.named->kind) + " is neither 0x00 nor 0x01");
  }
  const PropertyValue& v = e.value;
  if (wire == ptyp::Boolean) {
    w.u16(static_cast<uint16_t>(v.bits()));
  } else if (is_code_page_type(wire) || wire == ptyp::Object) {
    write_counted(w, wire == ptyp::Object ? ByteView(v.as_binary()) : as_bytes(v.as_string()), field);
  } else if (wire == ptyp::String || wire == ptyp::String8) {
    write_string(w, v.as_string(), wire == ptyp::String, field);
  } else if (wire == ptyp::MultipleString || wire == ptyp::MultipleString8) {
    const auto& items = v.as_multiple_string();
    if (items.size() > std::numeric_limits<uint32_t>::max()) throw EncodeError(field, "too many values");
    w.u32(static_cast<uint32_t>(items.size()));
    for (const std::string& s : items) write_string(w, s, wire == ptyp::MultipleString, field);
  } else {
    encode_property_value(w, v, CountWidth::Wide);
  }
}

Bytes encode_fast_transfer_stream(std::span<const FxElement> elements) {
  ByteWriter w;
  for (const FxElement& e : elements) encode_fx_element(w, e);
  return w.take();
}

std::string describe(const FxElement& e) {
  if (e.kind == FxElementKind::Marker) {
    const char* name = fx_marker_name(e.tag);
    return name ? name : detail::hex32(e.tag);
  }
  std::string s;
  if (const char* meta = fx_meta_property_name(e.tag)) {
    s = meta;
    s += ' ';
  } else {
    s = describe_tag(e.tag) + ' ';
  }
  if (e.named) {
    s += e.named->property_set.to_string();
    s += e.named->kind == fx_name_kind::Dispid ? " LID " + detail::hex32(e.named->dispid) : " \"" + e.named->name + "\"";
    s += ' ';
  }
  return s + describe(e.value);
}

}  // namespace exmapi::rop

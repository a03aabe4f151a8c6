#include "ndr/ndr.hpp"

namespace exmapi::ndr {

void detail::throw_range_encode(std::string_view field, uint64_t n, uint64_t max) {
  throw EncodeError(field, "count " + std::to_string(n) + " is outside its range 0.." + std::to_string(max));
}

void detail::throw_range_decode(size_t offset, std::string_view field, uint64_t n, uint64_t max) {
  throw DecodeError(offset, field, "count " + std::to_string(n) + " is outside its range 0.." + std::to_string(max));
}

void detail::throw_size_mismatch(size_t offset, std::string_view field, uint64_t wire, uint64_t expected) {
  throw DecodeError(offset, field,
                    "conformance mismatch: the wire says " + std::to_string(wire) + ", the structure implies " +
                        std::to_string(expected));
}

void detail::throw_list_size_mismatch(std::string_view field, size_t have, size_t count) {
  throw EncodeError(field, "has " + std::to_string(have) + " elements but its count says " + std::to_string(count));
}

void detail::throw_nesting(size_t offset, std::string_view field) {
  throw DecodeError(offset, field, "referents nested deeper than " + std::to_string(kMaxNesting));
}

void detail::throw_nesting_encode(std::string_view field) {
  throw EncodeError(field, "referents nested deeper than " + std::to_string(kMaxNesting));
}

void detail::rethrow_with_index(DecodeError& e, size_t index, std::string_view list_name) {
  e.prepend("[" + std::to_string(index) + "]");
  e.prepend(list_name);
  throw e;
}

ByteView detail::read_string_units(ByteReader& r, size_t unit, std::optional<uint32_t> size_is,
                                   std::string_view field) {
  skip_to(r, 4, field);
  size_t at = r.offset();
  uint32_t max = r.u32(field);
  uint32_t offset = r.u32(field);
  uint32_t actual = r.u32(field);
  if (offset != 0) throw DecodeError(at + 4, field, "string offset " + std::to_string(offset) + " is not 0");
  if (size_is ? max != *size_is : max != actual)
    throw DecodeError(at, field,
                      "string max_count " + std::to_string(max) + " differs from " +
                          (size_is ? "its size_is " + std::to_string(*size_is)
                                   : "its actual_count " + std::to_string(actual)));
  if (actual > max)
    throw DecodeError(at + 8, field,
                      "string actual_count " + std::to_string(actual) + " exceeds max_count " + std::to_string(max));
  if (actual == 0) throw DecodeError(at + 8, field, "string without its terminator (actual_count 0)");
  size_t n = r.count(actual, unit, field) * unit;
  size_t start = r.offset();
  ByteView all = r.bytes(n, field);
  auto unit_is_zero = [&](size_t i) { return unit == 1 ? all[i] == 0 : (all[i] | all[i + 1]) == 0; };
  for (size_t i = 0; i + unit < n; i += unit)
    if (unit_is_zero(i)) throw DecodeError(start + i, field, "terminator inside the string");
  if (!unit_is_zero(n - unit)) throw DecodeError(start + n - unit, field, "string does not end in its terminator");
  return all.first(n - unit);
}

namespace {
void write_string_header(ByteWriter& w, size_t actual, std::optional<uint32_t> size_is, std::string_view field) {
  if (actual > 0xFFFFFFFFu) throw EncodeError(field, "string too long");
  if (size_is && *size_is < actual)
    throw EncodeError(field, "string of " + std::to_string(actual) + " characters exceeds its size_is " +
                                 std::to_string(*size_is));
  pad_to(w, 4);
  w.u32(size_is ? *size_is : static_cast<uint32_t>(actual));
  w.u32(0);
  w.u32(static_cast<uint32_t>(actual));
}
}  // namespace

void detail::write_string8(ByteWriter& w, std::string_view bytes, std::optional<uint32_t> size_is,
                           std::string_view field) {
  if (bytes.find('\0') != std::string_view::npos) throw EncodeError(field, "string holds a NUL character");
  write_string_header(w, bytes.size() + 1, size_is, field);
  w.bytes(ByteView(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
  w.u8(0);
}

void detail::write_string16(ByteWriter& w, std::string_view utf8, std::optional<uint32_t> size_is,
                            std::string_view field) {
  Bytes units = utf8_to_utf16le(utf8, field);
  for (size_t i = 0; i < units.size(); i += 2)
    if ((units[i] | units[i + 1]) == 0) throw EncodeError(field, "string holds a NUL character");
  write_string_header(w, units.size() / 2 + 1, size_is, field);
  w.bytes(units);
  w.u16(0);
}

void expect_stub_end(ByteReader& r, std::string_view what) {
  ByteView rest = r.rest();
  bool padding = rest.size() < 4 && (r.position() + rest.size()) % 4 == 0;
  for (uint8_t b : rest) padding = padding && b == 0;
  if (!padding) r.expect_end(what);
}

}  // namespace exmapi::ndr

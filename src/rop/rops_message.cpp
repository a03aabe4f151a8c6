#include "rop/rops_message.hpp"

namespace exmapi::rop::detail {

std::string read_reduced_unicode_z(ByteReader& r, std::string_view field) {
  std::string narrow = read_str8z(r, field);
  Bytes units;
  units.reserve(narrow.size() * 2);
  for (char c : narrow) {
    units.push_back(static_cast<uint8_t>(c));
    units.push_back(0);
  }
  return utf16le_to_utf8(units);
}

void write_reduced_unicode_z(ByteWriter& w, const std::string& utf8, std::string_view field) {
  Bytes units = utf8_to_utf16le(utf8, field);
  std::string narrow;
  narrow.reserve(units.size() / 2);
  for (size_t i = 0; i + 1 < units.size(); i += 2) {
    if (units[i + 1] != 0)
      throw EncodeError(field, "a reduced Unicode string holds only characters below U+0100");
    narrow += static_cast<char>(units[i]);
  }
  write_str8z(w, narrow, field);
}

void throw_string_without_text(std::string_view field, uint8_t type) {
  throw EncodeError(field, "StringType " + std::to_string(type) + " carries no string, but the value is not empty");
}

void throw_recipient_column_count(size_t offset, size_t count, size_t columns) {
  throw DecodeError(offset, "RecipientColumnCount",
                    std::to_string(count) + " exceeds the " + std::to_string(columns) + " recipient columns");
}

void throw_recipient_column_count_encode(size_t count, size_t columns) {
  throw EncodeError("RecipientColumnCount",
                    std::to_string(count) + " values but only " + std::to_string(columns) + " recipient columns");
}

void throw_no_recipient_columns() {
  throw EncodeError("RecipientProperties", "has no recipient columns to be written against (set recipient_columns)");
}

}  // namespace exmapi::rop::detail

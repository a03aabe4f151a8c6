#include "base/error.hpp"

#include <algorithm>
#include <array>

namespace exmapi {

DecodeError::DecodeError(size_t offset, std::string_view field, std::string reason)
    : Error(EXMAPI_E_DECODE, {}), offset_(offset), path_(field), reason_(std::move(reason)) {
  rebuild();
}

void DecodeError::prepend(std::string_view outer) {
  if (outer.empty()) return;
  if (path_.empty()) {
    path_ = outer;
  } else if (path_.front() == '[') {
    path_.insert(0, outer);
  } else {
    path_.insert(0, ".");
    path_.insert(0, outer);
  }
  rebuild();
}

void DecodeError::rebuild() {
  message_ = "decode error at offset " + std::to_string(offset_);
  if (!path_.empty()) message_ += " in " + path_;
  message_ += ": " + reason_;
}

EncodeError::EncodeError(std::string_view field, std::string reason)
    : Error(EXMAPI_E_ENCODE, "cannot encode " + std::string(field) + ": " + reason) {}

namespace {
struct MapiCodeRow {
  uint32_t value;
  const char* name;
  const char* section;
  const char* meaning;
  bool isam;
};
constexpr MapiCodeRow kMapiCodes[] = {
#include "base/mapi_error_table.inc"
};

struct LibraryCodeRow {
  exmapi_status value;
  const char* name;
};
constexpr LibraryCodeRow kLibraryCodes[] = {
    {EXMAPI_E_DECODE, "EXMAPI_E_DECODE"},       {EXMAPI_E_ENCODE, "EXMAPI_E_ENCODE"},
    {EXMAPI_E_TRANSPORT, "EXMAPI_E_TRANSPORT"}, {EXMAPI_E_AUTH, "EXMAPI_E_AUTH"},
    {EXMAPI_E_TIMEOUT, "EXMAPI_E_TIMEOUT"},     {EXMAPI_E_PROTOCOL, "EXMAPI_E_PROTOCOL"},
    {EXMAPI_E_INVALID_ARGUMENT, "EXMAPI_E_INVALID_ARGUMENT"},
    {EXMAPI_E_NO_MEMORY, "EXMAPI_E_NO_MEMORY"}, {EXMAPI_E_CHECKSUM, "EXMAPI_E_CHECKSUM"},
    {EXMAPI_E_LIMIT, "EXMAPI_E_LIMIT"},         {EXMAPI_E_IO, "EXMAPI_E_IO"},
    {EXMAPI_E_INTERNAL, "EXMAPI_E_INTERNAL"},
};
}  // namespace

const char* status_name(exmapi_status status) noexcept {
  for (const auto& row : kLibraryCodes)
    if (row.value == status) return row.name;
  // The main table comes first in the generated file, so a value with several names reports the
  // name of MS-OXCDATA 2.4 proper before 2.4.1/2.4.2 aliases and Jet codes.
  for (const auto& row : kMapiCodes)
    if (row.value == status) return row.name;
  return nullptr;
}

}  // namespace exmapi

// C ABI of the property-name tables (include/exmapi/property_names.h).
#include <exmapi/property_names.h>

#include <cstdio>
#include <cstring>
#include <string>

#include "capi/capi_guard.hpp"
#include "rop/property_names.hpp"

extern "C" {

EXMAPI_EXTERN(const char*) exmapi_property_tag_name(uint32_t tag) { return exmapi::rop::property_tag_name(tag); }

EXMAPI_EXTERN(size_t) exmapi_property_tag_format(char* buf, size_t buf_size, uint32_t tag) {
  // Formatting allocates; without memory the caller gets the hex form, which always fits 11 bytes.
  std::string text;
  try {
    text = exmapi::rop::format_property_tag(tag);
  } catch (...) {
    char hex[16];
    std::snprintf(hex, sizeof hex, "0x%08X", static_cast<unsigned>(tag));
    text = hex;
  }
  if (buf && buf_size) {
    size_t n = text.size() < buf_size ? text.size() : buf_size - 1;
    std::memcpy(buf, text.data(), n);
    buf[n] = '\0';
  }
  return text.size();
}

EXMAPI_EXTERN(exmapi_status) exmapi_property_tag_from_name(uint32_t* out, const char* name) {
  return exmapi::capi::guard([&] {
    exmapi::capi::require(out, "out");
    exmapi::capi::require(name, "name");
    auto tag = exmapi::rop::property_tag_from_name(name);
    if (!tag) throw exmapi::Error(EXMAPI_E_INVALID_ARGUMENT, "no property tag is named \"" + std::string(name) + "\"");
    *out = *tag;
  });
}

EXMAPI_EXTERN(const char*) exmapi_property_type_name(uint16_t type) { return exmapi::rop::property_type_name(type); }
}

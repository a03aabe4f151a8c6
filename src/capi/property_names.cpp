// C ABI of the property-name tables (include/exmapi/property_names.h).
#include <exmapi/property_names.h>

#include <string>

#include "capi/capi_guard.hpp"
#include "rop/property_names.hpp"

extern "C" {

EXMAPI_EXTERN(const char*) exmapi_property_tag_name(uint32_t tag) { return exmapi::rop::property_tag_name(tag); }

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

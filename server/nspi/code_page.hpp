// 8-bit strings in the client's code page (MS-OXNSPI 3.1.4.3): PtypString8 values go out in the
// STAT's CodePage and 8-bit names come in in it. Conversion is iconv's; characters the code page
// lacks become '?', as MultiByte conversions do.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace exmapi::server::nspi {

constexpr uint32_t kCpWinUnicode = 1200;  // CP_WINUNICODE
constexpr uint32_t kCpTeletex = 20261;    // CP_TELETEX

bool code_page_supported(uint32_t code_page);
std::string utf8_to_code_page(std::string_view utf8, uint32_t code_page);
std::string code_page_to_utf8(std::string_view bytes, uint32_t code_page);

}  // namespace exmapi::server::nspi

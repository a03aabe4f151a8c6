#include "server/nspi/code_page.hpp"

#include <iconv.h>

#include <algorithm>
#include <cerrno>

namespace exmapi::server::nspi {

namespace {

// iconv's name for a Windows code page. Teletex (T.61) has no iconv converter; its ASCII subset is
// what the ASCII fallback below produces.
std::string iconv_name(uint32_t cp) {
  switch (cp) {
    case 65001: return "UTF-8";
    case 20127: return "ASCII";
    case 28591: return "ISO-8859-1";
    case kCpTeletex: return "";
    default: return "CP" + std::to_string(cp);
  }
}

size_t utf8_sequence_length(unsigned char c) {
  if (c < 0x80) return 1;
  if ((c & 0xE0) == 0xC0) return 2;
  if ((c & 0xF0) == 0xE0) return 3;
  if ((c & 0xF8) == 0xF0) return 4;
  return 1;
}

std::string ascii_only(std::string_view s, bool from_utf8) {
  std::string out;
  for (size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      out += static_cast<char>(c);
      ++i;
    } else {
      out += '?';
      i += from_utf8 ? utf8_sequence_length(c) : 1;
    }
  }
  return out;
}

// Converts, replacing each input character the target lacks by '?'.
std::string convert(std::string_view in, const std::string& to, const std::string& from, bool from_utf8) {
  iconv_t cd = iconv_open(to.c_str(), from.c_str());
  if (cd == reinterpret_cast<iconv_t>(-1)) return ascii_only(in, from_utf8);
  std::string out;
  char buf[256];
  char* src = const_cast<char*>(in.data());
  size_t left = in.size();
  while (left > 0) {
    char* dst = buf;
    size_t room = sizeof buf;
    size_t rc = iconv(cd, &src, &left, &dst, &room);
    out.append(buf, static_cast<size_t>(dst - buf));
    if (rc == static_cast<size_t>(-1) && errno != E2BIG) {
      // EILSEQ / EINVAL: an unmappable or broken character.
      size_t skip = from_utf8 ? utf8_sequence_length(static_cast<unsigned char>(*src)) : 1;
      skip = std::min(skip, left);
      src += skip;
      left -= skip;
      out += '?';
    }
  }
  iconv_close(cd);
  return out;
}

}  // namespace

bool code_page_supported(uint32_t cp) {
  if (cp == kCpTeletex) return true;
  if (cp == kCpWinUnicode) return false;
  iconv_t cd = iconv_open(iconv_name(cp).c_str(), "UTF-8");
  if (cd == reinterpret_cast<iconv_t>(-1)) return false;
  iconv_close(cd);
  return true;
}

std::string utf8_to_code_page(std::string_view utf8, uint32_t cp) {
  std::string name = iconv_name(cp);
  if (name.empty()) return ascii_only(utf8, true);
  return convert(utf8, name, "UTF-8", true);
}

std::string code_page_to_utf8(std::string_view bytes, uint32_t cp) {
  std::string name = iconv_name(cp);
  if (name.empty()) return ascii_only(bytes, false);
  return convert(bytes, "UTF-8", name, false);
}

}  // namespace exmapi::server::nspi

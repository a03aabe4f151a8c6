// Deterministic RTF documents of the kinds Outlook stores in PidTagRtfCompressed, for the compressed
// RTF interop test and bench: native RTF (font and colour tables, \pard/\plain paragraphs, bold and
// italic runs, \uN escapes with \'xx fallbacks, tables of \cell/\row), and HTML encapsulated per
// MS-OXRTFEX (\fromhtml1 with {\*\htmltag...} groups and \htmlrtf switches).
//
// Header-only so that the test binary and the single-file bench program compile the same logic;
// a seeded PRNG draws from word lists, so every run produces the same bytes.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace exmapi::test::rtf_corpus {

class Prng {
 public:
  explicit Prng(uint64_t seed) : s_(seed * 0x9E3779B97F4A7C15ull + 1) {}
  uint64_t next() {
    s_ ^= s_ << 13;
    s_ ^= s_ >> 7;
    s_ ^= s_ << 17;
    return s_;
  }
  size_t below(size_t n) { return static_cast<size_t>(next() % n); }
  template <size_t N>
  std::string_view pick(const std::string_view (&list)[N]) {
    return list[below(N)];
  }

 private:
  uint64_t s_;
};

inline constexpr std::string_view kWords[] = {
    "meeting", "the",     "agenda",  "quarterly", "report",   "please", "review",  "attached", "budget",
    "project", "deadline", "Monday", "team",      "customer", "update", "and",     "for",      "with",
    "we",      "will",    "discuss", "results",   "next",     "week",   "thanks",  "regards",  "invoice",
    "server",  "mailbox", "folder",  "calendar",  "contact",  "of",     "to",      "in",       "a",
    "Exchange", "Outlook", "schedule", "follow-up", "approval", "draft", "version", "final",   "office"};

inline constexpr std::string_view kFonts[] = {"Calibri", "Arial", "Times New Roman", "Segoe UI", "Courier New",
                                              "MS Mincho", "Tahoma", "Verdana", "Cambria Math", "Aptos"};

// Non-ASCII text as (code point, cp1252 fallback byte or 0 for '?'), as Word writes \uN\'xx.
struct UnicodeChar {
  int code_point;
  uint8_t fallback;
};
inline constexpr UnicodeChar kUnicode[] = {{0xE9, 0xE9},   {0xFC, 0xFC},   {0xDF, 0xDF},   {0x20AC, 0x80},
                                           {0x2013, 0x96}, {0x201C, 0x93}, {0x201D, 0x94}, {0x65E5, 0},
                                           {0x672C, 0},    {0x8A9E, 0},    {0x0416, 0},    {0x0434, 0}};

inline std::string hex2(unsigned v) {
  static const char* d = "0123456789abcdef";
  return {d[v >> 4 & 15], d[v & 15]};
}

inline void sentence(Prng& rng, std::string& out, bool unicode) {
  size_t words = 4 + rng.below(12);
  for (size_t i = 0; i < words; ++i) {
    if (i) out += ' ';
    if (unicode && rng.below(9) == 0) {
      const auto& u = kUnicode[rng.below(std::size(kUnicode))];
      // \uN takes a signed 16-bit value; one fallback character follows (\uc1).
      int n = u.code_point > 32767 ? u.code_point - 65536 : u.code_point;
      out += "\\u" + std::to_string(n);
      out += u.fallback ? "\\'" + hex2(u.fallback) : std::string("?");
      continue;
    }
    std::string_view w = rng.pick(kWords);
    switch (rng.below(14)) {
      case 0: out += "{\\b "; out += w; out += '}'; break;
      case 1: out += "{\\i "; out += w; out += '}'; break;
      case 2: out += "\\cf" + std::to_string(1 + rng.below(4)) + ' '; out += w; out += "\\cf0 "; break;
      default: out += w;
    }
  }
  out += ". ";
}

inline void font_and_colour_tables(Prng& rng, std::string& out, std::string_view cpg) {
  out += "{\\rtf1\\ansi\\ansicpg";
  out += cpg;
  out += "\\deff0\\nouicompat\\deflang1033{\\fonttbl";
  size_t fonts = 3 + rng.below(6);
  for (size_t f = 0; f < fonts; ++f) {
    out += "{\\f" + std::to_string(f) + (f % 2 ? "\\fswiss" : "\\froman") + "\\fcharset" +
           std::to_string(f == 5 ? 128 : 0) + ' ';
    out += rng.pick(kFonts);
    out += ";}";
  }
  out += "}\r\n{\\colortbl ;";
  for (int c = 0; c < 4; ++c)
    out += "\\red" + std::to_string(rng.below(256)) + "\\green" + std::to_string(rng.below(256)) + "\\blue" +
           std::to_string(rng.below(256)) + ';';
  out += "}\r\n{\\*\\generator Riched20 16.0.17928}\\viewkind4\\uc1 \r\n";
}

// Native RTF of roughly `size` bytes.
inline std::string native_document(uint64_t seed, size_t size) {
  Prng rng(seed);
  std::string out;
  font_and_colour_tables(rng, out, rng.below(3) ? "1252" : "932");
  while (out.size() < size) {
    switch (rng.below(6)) {
      case 0: {  // a small table
        out += "\\trowd\\trgaph108\\trleft-108";
        size_t cells = 2 + rng.below(3);
        for (size_t c = 1; c <= cells; ++c) out += "\\cellx" + std::to_string(c * 2880);
        out += "\r\n";
        for (size_t c = 0; c < cells; ++c) {
          out += "\\pard\\intbl ";
          out += rng.pick(kWords);
          out += "\\cell ";
        }
        out += "\\row\r\n";
        break;
      }
      default:
        out += "\\pard\\sa200\\sl276\\slmult1\\f" + std::to_string(rng.below(3)) + "\\fs" +
               std::to_string(18 + 2 * rng.below(5)) + "\\lang9 ";
        for (size_t s = 1 + rng.below(4); s > 0; --s) sentence(rng, out, true);
        out += "\\par\r\n";
    }
  }
  out += "}\r\n";
  return out;
}

// HTML encapsulated in RTF (MS-OXRTFEX), as Outlook writes for HTML mail, of roughly `size` bytes.
inline std::string html_document(uint64_t seed, size_t size) {
  Prng rng(seed);
  std::string out = "{\\rtf1\\ansi\\ansicpg1252\\fromhtml1 \\fbidis \\deff0{\\fonttbl\r\n"
                    "{\\f0\\fswiss\\fcharset0 Arial;}\r\n{\\f1\\fmodern Courier New;}\r\n{\\f2\\fnil\\fcharset2 "
                    "Symbol;}\r\n{\\f3\\fmodern\\fcharset0 Courier New;}\r\n{\\f4\\fswiss\\fcharset0 Calibri;}}\r\n"
                    "{\\colortbl\\red0\\green0\\blue0;\\red5\\green99\\blue193;}\r\n\\uc1\\pard\\plain\\deftab360 "
                    "\\f0\\fs24 \r\n";
  out += "{\\*\\htmltag19 <html xmlns:v=\"urn:schemas-microsoft-com:vml\" "
         "xmlns:o=\"urn:schemas-microsoft-com:office:office\">}\r\n{\\*\\htmltag34 <head>}\r\n"
         "{\\*\\htmltag1 \\par }\r\n{\\*\\htmltag241 <style>}\r\n{\\*\\htmltag241 p.MsoNormal, li.MsoNormal "
         "{margin:0cm; font-size:11.0pt; font-family:\"Calibri\",sans-serif;}}\r\n{\\*\\htmltag249 </style>}\r\n"
         "{\\*\\htmltag41 </head>}\r\n{\\*\\htmltag50 <body lang=\"EN-US\" link=\"#0563C1\">}\\htmlrtf \\lang1033 "
         "\\htmlrtf0 \r\n";
  while (out.size() < size) {
    out += "{\\*\\htmltag64 <p class=\"MsoNormal\">}\\htmlrtf {\\htmlrtf0 ";
    for (size_t s = 1 + rng.below(3); s > 0; --s) sentence(rng, out, rng.below(2) == 0);
    if (rng.below(4) == 0) {
      out += "{\\*\\htmltag84 <a href=\"https://example.com/";
      out += rng.pick(kWords);
      out += "\">}\\htmlrtf {\\field{\\*\\fldinst{HYPERLINK \"https://example.com/\"}}{\\fldrslt\\cf1\\ul "
             "\\htmlrtf0 ";
      out += rng.pick(kWords);
      out += "\\htmlrtf }\\htmlrtf0 \\htmlrtf }\\htmlrtf0 {\\*\\htmltag92 </a>}";
    }
    out += "{\\*\\htmltag244 <o:p>}{\\*\\htmltag252 </o:p>}\\htmlrtf \\par\r\n}\\htmlrtf0 \r\n"
           "{\\*\\htmltag72 </p>}\r\n";
  }
  out += "{\\*\\htmltag58 </body>}\r\n{\\*\\htmltag27 </html>}\r\n{\\*\\htmltag3 \\par }}\r\n";
  return out;
}

}  // namespace exmapi::test::rtf_corpus

// `exmapi decode`: a dissector for ROP traffic, through exmapi_rop_decode() (exmapi/rop.h).
#include <exmapi/exmapi.h>

#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "cli.hpp"

namespace exmapi::cli {

namespace {

constexpr const char* kUsage =
    "exmapi decode [--request [HEX|-]] [--response [HEX|-]] [--buffer | --extended]\n"
    "                     [--columns TAG,...] [--logon-flags N] [--text]\n"
    "exmapi decode mapihttp-request|mapihttp-response --type NAME [HEX|-] [--text]\n"
    "\n"
    "Decodes ROP requests and responses (MS-OXCROPS) and prints every ROP with its name and fields as\n"
    "JSON. With both --request and --response, each response is read in the context of its request\n"
    "(RopQueryRows rows follow the RopSetColumns among the requests, RopGetPropertiesSpecific follows\n"
    "its request's tags, RopLogon its LogonFlags).\n"
    "\n"
    "  --request HEX    ROP requests; HEX may hold whitespace and 0x prefixes. Without a value, or\n"
    "                   with '-', the hex comes from standard input (for one of the two options).\n"
    "  --response HEX   ROP responses, likewise.\n"
    "  --buffer         the inputs are ROP buffers: RopSize, the ROPs, the ServerObjectHandleTable\n"
    "                   (default: ROPs back to back, nothing else).\n"
    "  --extended       the inputs are extended buffers (RPC_HEADER_EXT, possibly compressed and/or\n"
    "                   obfuscated) holding ROP buffers, as rgbIn/rgbOut carry them.\n"
    "  --columns LIST   the table columns for RopQueryRows/RopFindRow/RopExpandRow responses when the\n"
    "                   RopSetColumns is not among the requests (also the tags of a\n"
    "                   RopGetPropertiesSpecific response without its request): comma-separated\n"
    "                   names or hex tags, e.g. PidTagSubject,0x0E060040.\n"
    "  --logon-flags N  RopLogon's LogonFlags when its request is not given (1 = private mailbox).\n"
    "  --text           a readable indented layout instead of JSON.\n"
    "\n"
    "mapihttp-request / mapihttp-response decode one MAPI over HTTP body (MS-OXCMAPIHTTP) of the\n"
    "request type --type names, as its X-RequestType header spells it (Connect, Execute, Bind,\n"
    "GetProps...); the hex comes from the argument or standard input.\n"
    "\n"
    "Output (JSON): {\"request\": ..., \"response\": ..., \"error\": ...}; property tags by canonical\n"
    "name, property values as {\"Tag\", \"Type\", \"Value\"} with typed values (see exmapi/rop.h).\n"
    "When the bytes do not decode, the ROPs before the failure are printed with an \"error\" object\n"
    "giving the offset, the field path and the reason, and the exit code is 2 (also for invalid hex).";

struct Options {
  std::optional<std::string> request, response;  // "-" means standard input
  uint32_t framing = EXMAPI_ROP_FRAMING_LIST;
  std::optional<std::vector<uint32_t>> columns;
  int32_t logon_flags = -1;
  bool text = false;
};

int usage_error(const std::string& message) {
  std::fprintf(stderr, "exmapi decode: %s (see 'exmapi decode --help')\n", message.c_str());
  return kExitUsage;
}

// Hex digits with any whitespace between them and an optional 0x before each group.
std::optional<std::vector<uint8_t>> parse_hex(const std::string& text, const char* what) {
  std::vector<uint8_t> out;
  int high = -1;
  bool group_start = true;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      group_start = true;
      continue;
    }
    if (group_start && c == '0' && i + 1 < text.size() && (text[i + 1] == 'x' || text[i + 1] == 'X') && high < 0) {
      ++i;
      group_start = false;
      continue;
    }
    group_start = false;
    int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    if (v < 0) {
      std::fprintf(stderr, "exmapi decode: %s: '%c' at position %zu is not a hex digit\n", what, c, i);
      return std::nullopt;
    }
    if (high < 0) {
      high = v;
    } else {
      out.push_back(static_cast<uint8_t>(high << 4 | v));
      high = -1;
    }
  }
  if (high >= 0) {
    std::fprintf(stderr, "exmapi decode: %s: odd number of hex digits\n", what);
    return std::nullopt;
  }
  return out;
}

std::optional<std::vector<uint32_t>> parse_columns(const std::string& list) {
  std::vector<uint32_t> tags;
  size_t start = 0;
  while (start <= list.size()) {
    size_t comma = list.find(',', start);
    std::string name = list.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    while (!name.empty() && name.front() == ' ') name.erase(0, 1);
    while (!name.empty() && name.back() == ' ') name.pop_back();
    uint32_t tag = 0;
    if (!name.empty()) {
      if (exmapi_property_tag_from_name(&tag, name.c_str()) != EXMAPI_OK) {
        std::fprintf(stderr, "exmapi decode: --columns: '%s' is no property tag name or hex tag\n", name.c_str());
        return std::nullopt;
      }
      tags.push_back(tag);
    }
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return tags;
}

// Parses the arguments; returns an exit code when they are unusable.
std::optional<int> parse_args(const Args& args, Options& o) {
  auto takes_value = [&](size_t i) { return i + 1 < args.size() && args[i + 1].rfind("--", 0) != 0; };
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--request" || a == "--response") {
      std::string value = takes_value(i) ? args[++i] : "-";
      (a == "--request" ? o.request : o.response) = value;
    } else if (a == "--buffer" || a == "--extended") {
      uint32_t f = a == "--buffer" ? EXMAPI_ROP_FRAMING_BUFFER : EXMAPI_ROP_FRAMING_EXTENDED;
      if (o.framing != EXMAPI_ROP_FRAMING_LIST && o.framing != f) return usage_error("--buffer and --extended exclude each other");
      o.framing = f;
    } else if (a == "--columns") {
      if (!takes_value(i)) return usage_error("--columns needs a list of tags");
      o.columns = parse_columns(args[++i]);
      if (!o.columns) return kExitUsage;
    } else if (a == "--logon-flags") {
      if (!takes_value(i)) return usage_error("--logon-flags needs a number");
      const std::string& v = args[++i];
      char* end = nullptr;
      long n = std::strtol(v.c_str(), &end, 0);
      if (v.empty() || *end || n < 0 || n > 255) return usage_error("--logon-flags takes a byte value (0-255, or 0x..)");
      o.logon_flags = static_cast<int32_t>(n);
    } else if (a == "--text") {
      o.text = true;
    } else {
      return usage_error("unknown argument '" + a + "'");
    }
  }
  if (!o.request && !o.response) return usage_error("give --request and/or --response");
  if (o.request == "-" && o.response == "-") return usage_error("only one of --request and --response can read standard input");
  return std::nullopt;
}

// ---- --text: the JSON document laid out for reading ------------------------------------------------

using Json = nlohmann::ordered_json;

std::string scalar_text(const Json& v) {
  if (v.is_string()) {
    const std::string& s = v.get_ref<const std::string&>();
    return s.empty() ? "\"\"" : s;
  }
  return v.dump(-1, ' ', false, Json::error_handler_t::replace);
}

// {"Tag","Type","Value"} (and a row cell's "Flag") read best on one line: "PidTagSubject (PtypString) = "Hi"".
bool is_property_value(const Json& v) { return v.is_object() && v.contains("Tag") && (v.contains("Value") || v.contains("Flag")); }

std::string property_value_text(const Json& v) {
  std::string out = scalar_text(v["Tag"]);
  if (v.contains("Type")) out += " (" + scalar_text(v["Type"]) + ")";
  if (v.contains("Flag") && v["Flag"] != "Present") out += " " + scalar_text(v["Flag"]);
  if (v.contains("Value")) out += " = " + v["Value"].dump(-1, ' ', false, Json::error_handler_t::replace);
  return out;
}

void render(std::string& out, const Json& v, int depth);

void render_field(std::string& out, const std::string& key, const Json& v, int depth) {
  std::string pad(static_cast<size_t>(depth) * 2, ' ');
  if (is_property_value(v)) {
    out += pad + key + ": " + property_value_text(v) + "\n";
  } else if (v.is_object() || v.is_array()) {
    if (v.empty()) {
      out += pad + key + ": " + (v.is_array() ? "[]" : "{}") + "\n";
      return;
    }
    out += pad + key + ":\n";
    render(out, v, depth + 1);
  } else {
    out += pad + key + ": " + scalar_text(v) + "\n";
  }
}

void render(std::string& out, const Json& v, int depth) {
  std::string pad(static_cast<size_t>(depth) * 2, ' ');
  if (v.is_object()) {
    for (const auto& [key, value] : v.items()) render_field(out, key, value, depth);
    return;
  }
  size_t i = 0;
  for (const Json& e : v) {
    std::string label = pad + "[" + std::to_string(i++) + "]";
    if (is_property_value(e)) {
      out += label + " " + property_value_text(e) + "\n";
    } else if (e.is_object()) {
      // A ROP opens its block with its name.
      out += label + (e.contains("RopId") ? " " + scalar_text(e["RopId"]) : "") + "\n";
      for (const auto& [key, value] : e.items())
        if (key != "RopId") render_field(out, key, value, depth + 1);
    } else if (e.is_array()) {
      out += label + "\n";
      render(out, e, depth + 1);
    } else {
      out += label + " " + scalar_text(e) + "\n";
    }
  }
}

std::string to_text(const std::string& json) {
  Json doc = Json::parse(json);
  std::string out;
  for (const char* side : {"request", "response"}) {
    if (!doc.contains(side)) continue;
    out += std::string(side) + "\n";
    render(out, doc[side], 1);
  }
  if (doc.contains("error")) {
    out += "error: " + scalar_text(doc["error"]["message"]) + "\n";
    if (doc["error"].contains("buffer")) out += "  in " + scalar_text(doc["error"]["input"]) + " buffer " + scalar_text(doc["error"]["buffer"]) + "\n";
  }
  return out;
}

// What to tell a person whose response needed context the command line did not give.
const char* missing_context_hint(const std::string& json) {
  Json doc = Json::parse(json, nullptr, false);
  if (doc.is_discarded() || !doc.contains("error") || !doc["error"].contains("missing_context")) return nullptr;
  if (doc["error"]["missing_context"] == "columns")
    return "give the requests (--request) or the table's columns (--columns PidTagSubject,0x0E060040,...)";
  return "give the RopLogon request (--request) or its LogonFlags (--logon-flags N)";
}

// `exmapi decode mapihttp-request|mapihttp-response --type NAME [HEX|-] [--text]`.
int run_decode_mapihttp(const Args& args) {
  bool response = args[0] == "mapihttp-response";
  std::optional<std::string> type, hex;
  bool text = false;
  for (size_t i = 1; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--type") {
      if (i + 1 >= args.size()) return usage_error("--type needs a request type name (e.g. Bind)");
      type = args[++i];
    } else if (a == "--text") {
      text = true;
    } else if (a.rfind("--", 0) == 0) {
      return usage_error("unknown argument '" + a + "'");
    } else if (hex) {
      return usage_error("give the body hex once");
    } else {
      hex = a;
    }
  }
  if (!type) return usage_error("give --type NAME, the X-RequestType of the body (e.g. Bind)");
  auto body = parse_hex(!hex || *hex == "-" ? read_stdin() : *hex, "body");
  if (!body) return kExitBadInput;
  static const uint8_t kEmpty = 0;
  exmapi_buf out{nullptr, 0};
  if (exmapi_mapihttp_decode(&out, type->c_str(), response ? 1 : 0, body->empty() ? &kEmpty : body->data(),
                             body->size()) != EXMAPI_OK)
    return report_last_error("decode");
  std::string json(reinterpret_cast<const char*>(out.data), out.size);
  exmapi_buf_dispose(&out);
  std::string output = text ? to_text(json) : json + "\n";
  if (!write_stdout(output.data(), output.size())) {
    std::fprintf(stderr, "exmapi decode: cannot write standard output\n");
    return kExitFailure;
  }
  return kExitOk;
}

int run_decode(const Args& args) {
  if (!args.empty() && (args[0] == "mapihttp-request" || args[0] == "mapihttp-response")) return run_decode_mapihttp(args);
  Options o;
  if (auto code = parse_args(args, o)) return *code;
  std::optional<std::vector<uint8_t>> request, response;
  if (o.request) {
    request = parse_hex(*o.request == "-" ? read_stdin() : *o.request, "--request");
    if (!request) return kExitBadInput;
  }
  if (o.response) {
    response = parse_hex(*o.response == "-" ? read_stdin() : *o.response, "--response");
    if (!response) return kExitBadInput;
  }
  exmapi_rop_decode_options options = EXMAPI_ROP_DECODE_OPTIONS_INIT;
  options.framing = o.framing;
  options.logon_flags = o.logon_flags;
  if (o.columns) {
    options.columns = o.columns->data();
    options.column_count = o.columns->size();
  }
  // An empty input is still an input; data() of an empty vector may be NULL, which means "none".
  static const uint8_t kEmpty = 0;
  const uint8_t* request_data = request ? (request->empty() ? &kEmpty : request->data()) : nullptr;
  const uint8_t* response_data = response ? (response->empty() ? &kEmpty : response->data()) : nullptr;
  exmapi_buf out{nullptr, 0};
  exmapi_status st = exmapi_rop_decode(&out, &options, request_data, request ? request->size() : 0, response_data,
                                       response ? response->size() : 0);
  if (!out.data) return report_last_error("decode");
  std::string json(reinterpret_cast<const char*>(out.data), out.size);
  exmapi_buf_dispose(&out);
  std::string text = o.text ? to_text(json) : json + "\n";
  if (!write_stdout(text.data(), text.size())) {
    std::fprintf(stderr, "exmapi decode: cannot write standard output\n");
    return kExitFailure;
  }
  if (st == EXMAPI_OK) return kExitOk;
  int code = report_last_error("decode");
  if (const char* hint = missing_context_hint(json)) std::fprintf(stderr, "exmapi decode: %s\n", hint);
  return code;
}

Registrar command{{"decode", "decode ROP requests/responses (hex, ROP buffers, extended buffers) to JSON or text",
                   run_decode, kUsage}};

}  // namespace

}  // namespace exmapi::cli

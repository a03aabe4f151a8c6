#include "mapihttp/framing.hpp"

#include <array>
#include <charconv>
#include <cstdio>

#include "base/error.hpp"

namespace exmapi::mapihttp {

namespace {

struct RequestTypeInfo {
  RequestType type;
  std::string_view name;
  Endpoint endpoint;
};

constexpr std::array<RequestTypeInfo, kRequestTypeCount> kRequestTypes{{
    {RequestType::Connect, "Connect", Endpoint::Mailbox},
    {RequestType::Execute, "Execute", Endpoint::Mailbox},
    {RequestType::Disconnect, "Disconnect", Endpoint::Mailbox},
    {RequestType::NotificationWait, "NotificationWait", Endpoint::Mailbox},
    {RequestType::Ping, "PING", Endpoint::Both},
    {RequestType::Bind, "Bind", Endpoint::AddressBook},
    {RequestType::Unbind, "Unbind", Endpoint::AddressBook},
    {RequestType::CompareMIds, "CompareMIds", Endpoint::AddressBook},
    {RequestType::DNToMId, "DNToMId", Endpoint::AddressBook},
    {RequestType::GetMatches, "GetMatches", Endpoint::AddressBook},
    {RequestType::GetPropList, "GetPropList", Endpoint::AddressBook},
    {RequestType::GetProps, "GetProps", Endpoint::AddressBook},
    {RequestType::GetSpecialTable, "GetSpecialTable", Endpoint::AddressBook},
    {RequestType::GetTemplateInfo, "GetTemplateInfo", Endpoint::AddressBook},
    {RequestType::ModLinkAtt, "ModLinkAtt", Endpoint::AddressBook},
    {RequestType::ModProps, "ModProps", Endpoint::AddressBook},
    {RequestType::QueryColumns, "QueryColumns", Endpoint::AddressBook},
    {RequestType::QueryRows, "QueryRows", Endpoint::AddressBook},
    {RequestType::ResolveNames, "ResolveNames", Endpoint::AddressBook},
    {RequestType::ResortRestriction, "ResortRestriction", Endpoint::AddressBook},
    {RequestType::SeekEntries, "SeekEntries", Endpoint::AddressBook},
    {RequestType::UpdateStat, "UpdateStat", Endpoint::AddressBook},
    {RequestType::GetMailboxUrl, "GetMailboxUrl", Endpoint::AddressBook},
    {RequestType::GetAddressBookUrl, "GetAddressBookUrl", Endpoint::AddressBook},
}};

constexpr std::array<RequestType, kRequestTypeCount> kAllTypes = [] {
  std::array<RequestType, kRequestTypeCount> a{};
  for (size_t i = 0; i < kRequestTypeCount; ++i) a[i] = kRequestTypes[i].type;
  return a;
}();

struct ResponseCodeInfo {
  const char* name;
  const char* meaning;
};
// 2.2.3.3.3, in value order.
constexpr std::array<ResponseCodeInfo, kMaxResponseCode + 1> kResponseCodes{{
    {"Success", "The request was properly formatted and accepted."},
    {"Unknown Failure", "The request produced an unknown failure."},
    {"Invalid Verb", "The request has an invalid verb."},
    {"Invalid Path", "The request has an invalid path."},
    {"Invalid Header", "The request has an invalid header."},
    {"Invalid Request Type", "The request has an invalid X-RequestType header."},
    {"Invalid Context Cookie", "The request has an invalid session context cookie."},
    {"Missing Header", "The request has a missing required header."},
    {"Anonymous Not Allowed", "The request is anonymous, but anonymous requests are not accepted."},
    {"Too Large", "The request is too large."},
    {"Context Not Found", "The Session Context is not found."},
    {"No Privilege", "The client has no privileges to the Session Context."},
    {"Invalid Request Body", "The request body is invalid."},
    {"Missing Cookie", "The request is missing a required cookie."},
    {"Reserved", "This value MUST be ignored by the client."},
    {"Invalid Sequence", "The request has violated the sequencing requirement of one request at a time per Session Context."},
    {"Endpoint Disabled", "The endpoint is disabled."},
    {"Invalid Response", "The response is invalid."},
    {"Endpoint Shutting Down", "The endpoint is shutting down."},
}};

constexpr char lower(char c) noexcept { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }
bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}
std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}
// RFC 7230 3.2.6 tchar.
bool is_token(std::string_view s) noexcept {
  if (s.empty()) return false;
  for (char c : s) {
    bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
    if (!ok) return false;
  }
  return true;
}
std::string printable(std::string_view s) {
  std::string out;
  for (char c : s.substr(0, 40)) {
    auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u < 0x7F) {
      out += c;
    } else {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[u >> 4];
      out += kHex[u & 15];
    }
  }
  if (s.size() > 40) out += "...";
  return out;
}

}  // namespace

std::span<const RequestType> all_request_types() noexcept { return kAllTypes; }

std::string_view request_type_name(RequestType type) noexcept { return kRequestTypes[static_cast<size_t>(type)].name; }

std::optional<RequestType> parse_request_type(std::string_view value) noexcept {
  value = trim(value);
  for (const auto& info : kRequestTypes)
    if (iequals(info.name, value)) return info.type;
  return std::nullopt;
}

Endpoint request_type_endpoint(RequestType type) noexcept { return kRequestTypes[static_cast<size_t>(type)].endpoint; }

std::string_view endpoint_path(Endpoint endpoint) noexcept {
  return endpoint == Endpoint::AddressBook ? "/mapi/nspi/" : "/mapi/emsmdb/";
}

const char* response_code_name(uint32_t code) noexcept {
  return code <= kMaxResponseCode ? kResponseCodes[code].name : nullptr;
}
const char* response_code_meaning(uint32_t code) noexcept {
  return code <= kMaxResponseCode ? kResponseCodes[code].meaning : nullptr;
}

std::optional<uint64_t> parse_decimal(std::string_view value) noexcept {
  value = trim(value);
  if (value.empty()) return std::nullopt;
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
  if (ec != std::errc() || end != value.data() + value.size()) return std::nullopt;
  return v;
}

std::string format_sequenced_id(const SequencedId& id) { return id.guid.to_string() + ':' + std::to_string(id.counter); }

std::optional<SequencedId> parse_sequenced_id(std::string_view value) noexcept {
  value = trim(value);
  size_t colon = value.rfind(':');
  if (colon == std::string_view::npos) return std::nullopt;
  std::string_view counter = value.substr(colon + 1);
  if (counter.empty() || counter.front() == ' ') return std::nullopt;
  auto n = parse_decimal(counter);
  auto guid = Guid::parse(value.substr(0, colon));
  if (!n || !guid) return std::nullopt;
  return SequencedId{*guid, *n};
}

std::string http_date(std::time_t t) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  char buf[40];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[tm.tm_wday % 7], tm.tm_mday,
                kMonths[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

std::string_view meta_tag_name(MetaTag tag) noexcept {
  switch (tag) {
    case MetaTag::Processing: return "PROCESSING";
    case MetaTag::Pending: return "PENDING";
    case MetaTag::Done: return "DONE";
  }
  return "";
}

// ---- parser ------------------------------------------------------------------------------------------

void ResponseStreamParser::fail(size_t at, std::string reason) const {
  throw DecodeError(at, "ResponseStream", std::move(reason));
}

void ResponseStreamParser::feed(ByteView bytes) {
  size_t i = 0;
  while (i < bytes.size()) {
    if (stage_ == Stage::Body) {
      size_t n = bytes.size() - i;
      if (n > limits_.max_body - body_.size())
        fail(offset_, "response body exceeds " + std::to_string(limits_.max_body) + " bytes");
      body_.insert(body_.end(), bytes.begin() + static_cast<std::ptrdiff_t>(i), bytes.end());
      offset_ += n;
      return;
    }
    char c = static_cast<char>(bytes[i]);
    if (line_.empty()) line_start_ = offset_;
    if (c == '\n') {
      if (line_.empty() || line_.back() != '\r') fail(offset_, "line ends in LF without CR (lines end in CRLF)");
      line_.pop_back();
      ++offset_, ++i;
      line_complete(line_start_);
      line_.clear();
      continue;
    }
    if (!line_.empty() && line_.back() == '\r') fail(offset_ - 1, "CR not followed by LF");
    if (line_.size() + 1 >= limits_.max_line)
      fail(line_start_, "line longer than " + std::to_string(limits_.max_line) + " bytes without CRLF");
    line_ += c;
    ++offset_, ++i;
  }
}

void ResponseStreamParser::line_complete(size_t at) {
  if (stage_ == Stage::MetaTags) {
    MetaTag tag;
    if (line_ == "PROCESSING") {
      if (processing_seen_) fail(at, "PROCESSING meta-tag repeated");
      tag = MetaTag::Processing;
      processing_seen_ = true;
    } else if (line_ == "PENDING") {
      if (!processing_seen_) fail(at, "PENDING meta-tag before PROCESSING");
      tag = MetaTag::Pending;
      ++pending_;
    } else if (line_ == "DONE") {
      if (!processing_seen_) fail(at, "DONE meta-tag before PROCESSING");
      tag = MetaTag::Done;
      stage_ = Stage::Headers;
    } else {
      fail(at, "expected a meta-tag (PROCESSING, PENDING or DONE), got \"" + printable(line_) + "\"");
    }
    if (on_meta_tag) on_meta_tag(tag);
    return;
  }
  // Stage::Headers
  if (line_.empty()) {
    stage_ = Stage::Body;
    return;
  }
  if (headers_.size() >= limits_.max_headers)
    fail(at, "more than " + std::to_string(limits_.max_headers) + " additional header lines");
  size_t colon = line_.find(':');
  if (colon == std::string::npos) fail(at, "header line without a colon: \"" + printable(line_) + "\"");
  std::string_view name(line_.data(), colon);
  if (!is_token(name)) fail(at, "header name is not an HTTP token: \"" + printable(name) + "\"");
  headers_.push_back({std::string(name), std::string(trim(std::string_view(line_).substr(colon + 1)))});
}

void ResponseStreamParser::finish() const {
  if (stage_ == Stage::Body) return;
  std::string where = stage_ == Stage::MetaTags ? (processing_seen_ ? "before the DONE meta-tag" : "before any meta-tag")
                                                : "inside the additional headers (no empty line after them)";
  fail(offset_, "response stream ended " + where);
}

std::optional<std::string_view> ResponseStreamParser::header(std::string_view name) const noexcept {
  for (const HeaderField& h : headers_)
    if (iequals(h.name, name)) return std::string_view(h.value);
  return std::nullopt;
}

// ---- writers -------------------------------------------------------------------------------------------

std::string response_stream_meta_tag(MetaTag tag) { return std::string(meta_tag_name(tag)) + "\r\n"; }

Bytes response_stream_final(std::span<const HeaderField> headers, ByteView body) {
  std::string head = "DONE\r\n";
  for (const HeaderField& h : headers) {
    if (!is_token(h.name)) throw EncodeError("ResponseStream", "header name is not an HTTP token: \"" + printable(h.name) + "\"");
    if (h.value.find_first_of("\r\n") != std::string::npos)
      throw EncodeError("ResponseStream", "header " + h.name + " holds CR or LF");
    head += h.name + ": " + h.value + "\r\n";
  }
  head += "\r\n";
  Bytes out(head.begin(), head.end());
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

std::vector<HeaderField> timing_headers(uint64_t elapsed_ms, std::time_t start) {
  return {{std::string(header::ElapsedTime), std::to_string(elapsed_ms)},
          {std::string(header::StartTime), http_date(start)}};
}

}  // namespace exmapi::mapihttp

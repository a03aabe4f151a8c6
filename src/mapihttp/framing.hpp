// The HTTP side of MAPI over HTTP (MS-OXCMAPIHTTP 2.2.2, 2.2.3, 2.2.7, 3.2.5.2): request types,
// header names and values, X-ResponseCode meanings, the "{GUID}:counter" identifiers, and the
// response stream that every request type answers with:
//
//   PROCESSING\r\n            (once, sent as soon as the request is queued)
//   PENDING\r\n               (zero or more keep-alives, one per X-PendingPeriod)
//   DONE\r\n
//   X-ElapsedTime: 12\r\n     (additional headers: X-ElapsedTime, X-StartTime, and a late
//   X-StartTime: ...\r\n       X-ResponseCode / Content-Type when the request failed after PROCESSING)
//   \r\n
//   <binary response body>
//
// The client feeds the bytes it receives (after HTTP chunked decoding) to ResponseStreamParser in
// whatever pieces they arrive; the server produces the same stream with the ResponseStream* writers.
// The codec does no I/O and owns no sockets.
#pragma once

#include <cstdint>
#include <ctime>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.hpp"
#include "base/text.hpp"

namespace exmapi::mapihttp {

// ---- request types (2.2.3.3.1) -------------------------------------------------------------------
enum class RequestType : uint8_t {
  // mailbox server endpoint (2.2.4)
  Connect,
  Execute,
  Disconnect,
  NotificationWait,
  // both endpoints (2.2.6): no request body, no response body
  Ping,
  // address book server endpoint (2.2.5)
  Bind,
  Unbind,
  CompareMIds,
  DNToMId,
  GetMatches,
  GetPropList,
  GetProps,
  GetSpecialTable,
  GetTemplateInfo,
  ModLinkAtt,
  ModProps,
  QueryColumns,
  QueryRows,
  ResolveNames,
  ResortRestriction,
  SeekEntries,
  UpdateStat,
  GetMailboxUrl,
  GetAddressBookUrl,
};
inline constexpr size_t kRequestTypeCount = 24;
// Every request type, in the order above.
std::span<const RequestType> all_request_types() noexcept;

enum class Endpoint : uint8_t { Mailbox, AddressBook, Both };

// The X-RequestType header value ("CompareMIds", "DNToMId", "PING"...).
std::string_view request_type_name(RequestType type) noexcept;
// Parses an X-RequestType value. Header values are matched case-insensitively (RFC 7230 leaves the
// value's case to the header's definition and the spec never says; "PING" vs "Ping" are seen both).
std::optional<RequestType> parse_request_type(std::string_view value) noexcept;
Endpoint request_type_endpoint(RequestType type) noexcept;
// The endpoint path Exchange publishes through Autodiscover: "/mapi/emsmdb/" or "/mapi/nspi/"
// (PING answers on both; this gives the mailbox one).
std::string_view endpoint_path(Endpoint endpoint) noexcept;

// ---- header names and fixed values (2.2.3) -----------------------------------------------------------
namespace header {
inline constexpr std::string_view ContentType = "Content-Type";
inline constexpr std::string_view ContentLength = "Content-Length";
inline constexpr std::string_view TransferEncoding = "Transfer-Encoding";
inline constexpr std::string_view Cookie = "Cookie";
inline constexpr std::string_view SetCookie = "Set-Cookie";
inline constexpr std::string_view RequestType = "X-RequestType";
inline constexpr std::string_view RequestId = "X-RequestId";
inline constexpr std::string_view ClientInfo = "X-ClientInfo";
inline constexpr std::string_view ClientApplication = "X-ClientApplication";
inline constexpr std::string_view ResponseCode = "X-ResponseCode";
inline constexpr std::string_view ServerApplication = "X-ServerApplication";
inline constexpr std::string_view PendingPeriod = "X-PendingPeriod";
inline constexpr std::string_view ExpirationInfo = "X-ExpirationInfo";
inline constexpr std::string_view ElapsedTime = "X-ElapsedTime";
inline constexpr std::string_view StartTime = "X-StartTime";
inline constexpr std::string_view DeviceInfo = "X-DeviceInfo";  // intermediaries only (2.2.3.3.11)
}  // namespace header

// Content-Type of every request and of responses whose X-ResponseCode is 0 (2.2.3.2.2).
inline constexpr std::string_view kContentType = "application/mapi-http";
// Content-Type of a response whose X-ResponseCode is not 0: its body is diagnostic HTML.
inline constexpr std::string_view kErrorContentType = "text/html";
// X-PendingPeriod default (2.2.3.3.5).
inline constexpr uint32_t kDefaultPendingPeriodMs = 30000;
// X-DeviceInfo maximum length (2.2.3.3.11).
inline constexpr size_t kMaxDeviceInfoLength = 64;

// ---- X-ResponseCode (2.2.3.3.3) ----------------------------------------------------------------------
enum class ResponseCode : uint32_t {
  Success = 0,
  UnknownFailure = 1,
  InvalidVerb = 2,
  InvalidPath = 3,
  InvalidHeader = 4,
  InvalidRequestType = 5,
  InvalidContextCookie = 6,
  MissingHeader = 7,
  AnonymousNotAllowed = 8,
  TooLarge = 9,
  ContextNotFound = 10,
  NoPrivilege = 11,
  InvalidRequestBody = 12,
  MissingCookie = 13,
  Reserved = 14,  // "This value MUST be ignored by the client."
  InvalidSequence = 15,
  EndpointDisabled = 16,
  InvalidResponse = 17,
  EndpointShuttingDown = 18,
};
inline constexpr uint32_t kMaxResponseCode = 18;
// The spec's name ("Invalid Context Cookie") and meaning ("The request has an invalid session
// context cookie."), or nullptr for a value the spec does not list.
const char* response_code_name(uint32_t code) noexcept;
const char* response_code_meaning(uint32_t code) noexcept;

// Decimal header values (X-ResponseCode, X-PendingPeriod, X-ExpirationInfo, X-ElapsedTime,
// Content-Length): digits only, optional surrounding blanks, no sign, no overflow.
std::optional<uint64_t> parse_decimal(std::string_view value) noexcept;

// ---- X-RequestId and X-ClientInfo (2.2.3.3.2, 2.2.3.3.4) ------------------------------------------------
// Both are a GUID and a decimal counter separated by a colon. X-RequestId: the GUID is fixed for a
// Session Context and the counter increases with every HTTP request. X-ClientInfo: the GUID is fixed
// for the client instance and the counter changes for every new Session Context.
struct SequencedId {
  Guid guid;
  uint64_t counter = 0;
  friend bool operator==(const SequencedId&, const SequencedId&) = default;
};
// "{E2EA6C1C-E61B-49E9-9CFB-38184F907552}:123456" (upper case, braces, as Outlook sends it).
std::string format_sequenced_id(const SequencedId& id);
// Accepts the GUID with or without braces (the spec's own two examples differ), either case; the
// counter is decimal. nullopt for anything else.
std::optional<SequencedId> parse_sequenced_id(std::string_view value) noexcept;

// Hands out the X-RequestId values of one Session Context: same GUID, counter + 1 each time.
class RequestIdSequence {
 public:
  explicit RequestIdSequence(const Guid& guid, uint64_t first_counter = 1) : guid_(guid), next_(first_counter) {}
  std::string next() { return format_sequenced_id({guid_, next_++}); }
  const Guid& guid() const noexcept { return guid_; }

 private:
  Guid guid_;
  uint64_t next_;
};

// RFC 1123 date as X-StartTime carries it (2.2.3.3.10, RFC 2616 3.3.1): "Fri, 27 Nov 2026 07:12:40 GMT".
std::string http_date(std::time_t t);

// ---- the response stream (2.2.7, 3.2.5.2) -----------------------------------------------------------
enum class MetaTag : uint8_t { Processing, Pending, Done };
std::string_view meta_tag_name(MetaTag tag) noexcept;

struct HeaderField {
  std::string name, value;
  friend bool operator==(const HeaderField&, const HeaderField&) = default;
};

// Incremental parser of a response stream. feed() takes any number of bytes, including one at a
// time; errors throw DecodeError with the offset counted from the first byte of the stream. The
// stream must be: PROCESSING, any number of PENDING, DONE, header lines, an empty line, the body.
// Lines end in CRLF (3.2.5.2 "preceded by a CRLF on an empty line"); a bare LF is an error.
class ResponseStreamParser {
 public:
  struct Limits {
    size_t max_line = 8192;        // one meta-tag or header line, CRLF included
    size_t max_headers = 64;       // additional header lines after DONE
    size_t max_body = SIZE_MAX;    // response body bytes
  };
  enum class Stage : uint8_t { MetaTags, Headers, Body };

  ResponseStreamParser() = default;
  explicit ResponseStreamParser(Limits limits) : limits_(limits) {}

  // Called for each meta-tag as soon as its line is complete (a client restarts its keep-alive
  // timer on PENDING, 3.1.5.6).
  std::function<void(MetaTag)> on_meta_tag;

  void feed(ByteView bytes);
  // The stream ended: fails unless the header block was complete (the body may be empty).
  void finish() const;

  Stage stage() const noexcept { return stage_; }
  bool complete_headers() const noexcept { return stage_ == Stage::Body; }
  size_t pending_count() const noexcept { return pending_; }
  const std::vector<HeaderField>& headers() const noexcept { return headers_; }
  // The value of the first additional header with that name (case-insensitive), or nullopt.
  std::optional<std::string_view> header(std::string_view name) const noexcept;
  const Bytes& body() const noexcept { return body_; }
  Bytes take_body() noexcept { return std::move(body_); }
  size_t offset() const noexcept { return offset_; }

 private:
  void line_complete(size_t line_start);
  [[noreturn]] void fail(size_t at, std::string reason) const;

  Limits limits_;
  Stage stage_ = Stage::MetaTags;
  bool processing_seen_ = false;
  size_t pending_ = 0;
  std::string line_;
  size_t line_start_ = 0;
  size_t offset_ = 0;
  std::vector<HeaderField> headers_;
  Bytes body_;
};

// The server's pieces of the same stream, each ready to be written (and flushed) as it happens.
std::string response_stream_meta_tag(MetaTag tag);  // "PROCESSING\r\n" ...
// "DONE\r\n", the header lines, the empty line, then the body. Throws EncodeError for a header name
// that is not an HTTP token or a name/value holding CR or LF.
Bytes response_stream_final(std::span<const HeaderField> headers, ByteView body);
// The usual additional headers: X-ElapsedTime in milliseconds and X-StartTime as http_date().
std::vector<HeaderField> timing_headers(uint64_t elapsed_ms, std::time_t start);

}  // namespace exmapi::mapihttp

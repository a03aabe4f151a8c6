// ROP input and output buffers (MS-OXCROPS 2.2.1) and the registry of every described ROP.
//
// A buffer is RopSize (2 bytes, counting itself and the RopsList), the RopsList (ROP requests or
// responses back to back), then the ServerObjectHandleTable (4-byte handles to the end).
//
// Requests decode standalone: each starts with its RopId and carries everything it needs, except
// RopWritePerUserInformation, whose ReplGuid depends on how its logon was opened (the LogonFlags of
// an earlier RopLogon, which the buffer decoder tracks by LogonId; see LogonFlagsState). Responses
// do not: a response has no length and some of them can only be read with facts from the request
// (see ResponseContext), so decode_response_buffer() walks the request list alongside: the n-th
// response answers the n-th request that has a response (RopRelease has none), and the response-only
// ROPs (RopNotify, RopPending, RopBackoff, RopBufferTooSmall) may appear without a request. The
// table columns that RopQueryRows/RopFindRow/RopExpandRow and RopNotify's row notifications need
// come from a RopSetColumns earlier in the same buffer, or from the TableColumnsState the caller
// keeps across buffers (keyed by server handle).
#pragma once

#include <exception>
#include <string>
#include <tuple>
#include <unordered_map>
#include <variant>
#include <vector>

#include "rop/one_of.hpp"
#include "rop/rop_codec.hpp"
#include "rop/rop_ids.hpp"
#include "rop/rops_fast_transfer.hpp"
#include "rop/rops_folder.hpp"
#include "rop/rops_logon.hpp"
#include "rop/rops_message.hpp"
#include "rop/rops_notification.hpp"
#include "rop/rops_permission.hpp"
#include "rop/rops_property.hpp"
#include "rop/rops_stream.hpp"
#include "rop/rops_sync.hpp"
#include "rop/rops_table.hpp"
#include "rop/rops_transport.hpp"

namespace exmapi::rop {

// ---- ROPs that belong to the buffer rather than to a family -----------------------------------------

// MS-OXCROPS 2.2.15.3: frees the object in the handle slot; the server sends no response.
struct RopRelease {
  static constexpr RopId kId = RopId::Release;
  EXMAPI_ROP_PLAIN_REQUEST(Release);
};

// MS-OXCROPS 2.2.14.3 (semantics MS-OXCNOTIF 2.2.1.3.4): notifications wait on session SessionIndex.
struct RopPending {
  static constexpr RopId kId = RopId::Pending;
  struct Response {
    static constexpr RopId kId = RopId::Pending;
    uint16_t session_index = 0;
    friend bool operator==(const Response&, const Response&) = default;
    template <class A>
    void describe(A& a) {
      a.u16("SessionIndex", session_index);
    }
  };
};

// MS-OXCROPS 2.2.15.2: the server asks the client to wait: Duration for the whole logon, and a
// duration per listed RopId.
struct BackoffRop {
  uint8_t rop_id_backoff = 0;
  uint32_t duration = 0;
  friend bool operator==(const BackoffRop&, const BackoffRop&) = default;
  template <class A>
  void describe(A& a) {
    a.u8("RopIdBackoff", rop_id_backoff);
    a.u32("Duration", duration);
  }
};
struct RopBackoff {
  static constexpr RopId kId = RopId::Backoff;
  struct Response {
    static constexpr RopId kId = RopId::Backoff;
    uint8_t logon_id = 0;
    uint32_t duration = 0;
    std::vector<BackoffRop> backoff_rops;
    Bytes additional_data;
    friend bool operator==(const Response&, const Response&) = default;
    template <class A>
    void describe(A& a) {
      a.u8("LogonId", logon_id);
      a.u32("Duration", duration);
      size_t n = a.count8("BackoffRopCount", backoff_rops.size());
      a.list("BackoffRopData", backoff_rops, n, 5, [](auto& a, BackoffRop& b) { a.object("", b); });
      bytes16(a, "AdditionalDataSize", "AdditionalData", additional_data);
    }
  };
};

// MS-OXCROPS 2.2.15.1: the response buffer was too small; RequestBuffers holds the request bytes the
// server did not process, up to the end of the RopsList, so it is always the last response.
struct RopBufferTooSmall {
  static constexpr RopId kId = RopId::BufferTooSmall;
  struct Response {
    static constexpr RopId kId = RopId::BufferTooSmall;
    uint16_t size_needed = 0;
    Bytes request_buffers;
    friend bool operator==(const Response&, const Response&) = default;
    template <class A>
    void describe(A& a) {
      a.u16("SizeNeeded", size_needed);
      a.rest("RequestBuffers", request_buffers);
    }
  };
};

using BufferRops = RopList<RopRelease, RopPending, RopBackoff, RopBufferTooSmall>;

// ---- the registry -------------------------------------------------------------------------------------

namespace registry {
template <class A, class B>
struct Join;
template <class... A, class... B>
struct Join<RopList<A...>, RopList<B...>> {
  using type = RopList<A..., B...>;
};
template <class... Lists>
struct JoinAll;
template <class L>
struct JoinAll<L> {
  using type = L;
};
template <class L, class... Rest>
struct JoinAll<L, Rest...> {
  using type = typename Join<L, typename JoinAll<Rest...>::type>::type;
};

template <class R>
concept HasRequest = requires { typename R::Request; };
template <class R>
concept HasResponse = requires { typename R::Response; };

template <class... T>
struct Types {};
template <class... A, class... B>
Types<A..., B...> operator+(Types<A...>, Types<B...>);  // only named in decltype: concatenation

template <class R>
struct RequestOf {
  using type = Types<>;
};
template <HasRequest R>
struct RequestOf<R> {
  using type = Types<typename R::Request>;
};
template <class R>
struct ResponseOf {
  using type = Types<>;
};
template <HasResponse R>
struct ResponseOf<R> {
  using type = Types<typename R::Response>;
};
template <class L>
struct OneOfTypes;
template <class... T>
struct OneOfTypes<Types<T...>> {
  using type = OneOf<T...>;
};
template <class L>
struct Variants;
template <class... R>
struct Variants<RopList<R...>> {
  using requests = typename OneOfTypes<decltype((typename RequestOf<R>::type{} + ... + Types<>{}))>::type;
  using responses = typename OneOfTypes<decltype((typename ResponseOf<R>::type{} + ... + Types<>{}))>::type;
};
}  // namespace registry

// Every described ROP, family by family. Adding a ROP: its struct in its family header and one entry
// in that family's RopList.
using AllRops = registry::JoinAll<LogonRops, FolderRops, TableRops, PropertyRops, StreamRops, MessageRops, TransportRops,
                                  PermissionRuleRops, NotificationRops, FastTransferRops, SyncRops, BufferRops>::type;

using RopRequest = registry::Variants<AllRops>::requests;
using RopResponse = registry::Variants<AllRops>::responses;

RopId rop_id(const RopRequest& rop) noexcept;
RopId rop_id(const RopResponse& rop) noexcept;

struct DescribedRop {
  RopId id;
  const char* family;  // "logon", "folder", "table", "property", "stream", "message", "transport", ... "buffer"
  bool request;        // a request description exists
  bool response;       // a response description exists
};
// One entry per described ROP, in registry order.
const std::vector<DescribedRop>& described_rops();
const DescribedRop* find_described_rop(RopId id) noexcept;

// The LogonFlags of each logon the session opened, by LogonId. The request decoders record every
// RopLogon they read and give RopWritePerUserInformation its logon's flags.
struct LogonFlagsState {
  std::unordered_map<uint8_t, uint8_t> flags_by_logon_id;
};

// ---- one ROP ------------------------------------------------------------------------------------------
// Reads RopId and the request; fails on a reserved RopId or a ROP not described here. `context`
// gives what a request cannot show itself: its logon's LogonFlags (RopWritePerUserInformation,
// RopSetMessageReadFlag).
RopRequest decode_request(ByteReader& r, const ResponseContext* context = nullptr);
void encode_request(ByteWriter& w, const RopRequest& rop);
RopResponse decode_response(ByteReader& r, const ResponseContext* context = nullptr);
// The RopId of the response that answers a request: its own, except RopGetMessageStatus, which a
// RopSetMessageStatus response (0x20) answers (MS-OXCROPS 2.2.6.9.2).
RopId response_rop_id(RopId request) noexcept;
void encode_response(ByteWriter& w, const RopResponse& rop);
// A RopQueryRows response (RopId first) whose rows stay in the bytes `r` reads (PropertyRowsView): the
// fast path for message lists. `out` keeps its storage from call to call. Fails as decode_response().
void decode_query_rows_view(ByteReader& r, const ResponseContext& context, RopQueryRows::ResponseView& out);
// {"RopId":"RopOpenFolder",...fields in wire order}
std::string to_json(const RopRequest& rop);
std::string to_json(const RopResponse& rop);

// Requests back to back with no buffer framing (`exmapi decode --request HEX`).
std::vector<RopRequest> decode_requests(ByteView bytes, LogonFlagsState* logons = nullptr);

// ---- buffers ------------------------------------------------------------------------------------------
// ROP buffers hold at most 32 KB of RopsList in the classic protocol; MAPI extensions allow 64 KB - 1
// for RopSize. Encoding refuses what RopSize cannot express.
struct RopRequestBuffer {
  std::vector<RopRequest> rops;
  std::vector<uint32_t> handles;  // ServerObjectHandleTable
  friend bool operator==(const RopRequestBuffer&, const RopRequestBuffer&) = default;
};
struct RopResponseBuffer {
  std::vector<RopResponse> rops;
  std::vector<uint32_t> handles;
  friend bool operator==(const RopResponseBuffer&, const RopResponseBuffer&) = default;
};

// The columns of each table object the session holds, by server object handle, and the recipient
// columns of each message object. The response buffer decoder reads it for RopQueryRows/RopFindRow/
// RopExpandRow and RopReadRecipients, and records successful RopSetColumns, RopOpenMessage,
// RopOpenEmbeddedMessage and RopReloadCachedInformation.
struct TableColumnsState {
  std::unordered_map<uint32_t, Columns> columns_by_handle;
};

// `logons` may be null when the buffer's logons are all opened in it; decode_request_buffer() also
// learns LogonFlags from the RopLogon requests it reads.
RopRequestBuffer decode_request_buffer(ByteView bytes, LogonFlagsState* logons = nullptr);
Bytes encode_request_buffer(const RopRequestBuffer& buffer);
// `request` is the buffer these responses answer; `tables` may be null when no table ROPs occur.
RopResponseBuffer decode_response_buffer(ByteView bytes, const RopRequestBuffer& request,
                                         TableColumnsState* tables = nullptr);
Bytes encode_response_buffer(const RopResponseBuffer& buffer);
// The context decode_response_buffer() gives the response to `request`: the request's own tags
// (RopGetPropertiesSpecific), its LogonFlags (RopLogon), or else `table_columns` (the columns the
// buffer decoder found for the table the request reads, or the message's recipient columns for
// RopReadRecipients).
ResponseContext context_for(const RopRequest& request, const Columns& table_columns);

// ---- decoding as far as the bytes go ------------------------------------------------------------------
// For a dissector (`exmapi decode`, exmapi_rop_decode()): the ROPs decoded before a failure are kept,
// and the failure is kept as the exception it was (a DecodeError with offset and field path; a
// MissingContextError when a response needed context nobody supplied). A ROP is decoded whole or
// not at all. The throwing functions above are these plus a rethrow.
enum class RopFraming : uint8_t {
  List,    // ROPs back to back, no RopSize and no handle table
  Buffer,  // RopSize | RopsList | ServerObjectHandleTable (MS-OXCROPS 2.2.1)
};
struct PartialRequests {
  std::vector<RopRequest> rops;
  std::vector<uint32_t> handles;  // Buffer framing only
  std::exception_ptr error;       // null when every byte decoded
};
struct PartialResponses {
  std::vector<RopResponse> rops;
  std::vector<uint32_t> handles;
  std::exception_ptr error;
};
struct ResponseSources {
  // The requests the responses answer, in order; null decodes each response on its own, which
  // works for every response whose shape needs no context.
  const std::vector<RopRequest>* requests = nullptr;
  // The request buffer's ServerObjectHandleTable, for looking up `tables` by server handle.
  const std::vector<uint32_t>* request_handles = nullptr;
  // What a caller knows beyond the bytes (e.g. a table's columns from an earlier exchange): used
  // for any member the requests and `tables` leave empty.
  ResponseContext supplied;
  // Read for table ROPs and, when the whole buffer decodes, updated as decode_response_buffer() does.
  TableColumnsState* tables = nullptr;
};
PartialRequests decode_requests_partial(ByteView bytes, RopFraming framing, LogonFlagsState* logons = nullptr);
PartialResponses decode_responses_partial(ByteView bytes, RopFraming framing, const ResponseSources& sources);

// ---- samples --------------------------------------------------------------------------------------------
// Plausible values for every field (see Sampler), for the generated round-trip tests, fuzz seeds and
// the coverage document. Fails (Error) for a ROP with no such description.
// A request that needs context is sampled against sample_context(seed).
RopRequest sample_request(RopId id, uint64_t seed);
RopResponse sample_response(RopId id, uint64_t seed, uint32_t return_value, const ResponseContext& context);
// The ReturnValues that select a distinct response shape somewhere (success, generic failure and the
// special codes of ec::).
std::vector<uint32_t> sample_return_values();
// A context with a column set covering the sample value types (also as recipient columns) and a logon
// that is private for odd seeds, public for even ones.
ResponseContext sample_context(uint64_t seed);

}  // namespace exmapi::rop

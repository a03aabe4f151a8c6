#include "rop/rop_buffer.hpp"

#include <array>
#include <cstdio>

namespace exmapi::rop {

namespace {

std::string hex8(uint8_t v) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%02X", v);
  return buf;
}

[[noreturn]] void fail_rop_id(size_t offset, uint8_t id, bool request) {
  const RopIdInfo* info = rop_id_info(id);
  std::string what = request ? "request" : "response";
  if (!info) throw DecodeError(offset, "RopId", hex8(id) + " is a reserved RopId");
  if (request ? !info->has_request : !info->has_response)
    throw DecodeError(offset, "RopId", std::string(info->name) + " (" + hex8(id) + ") has no " + what);
  throw DecodeError(offset, "RopId", std::string(info->name) + " (" + hex8(id) + ") " + what + " is not described yet");
}

// ---- dispatch tables built from the registry -------------------------------------------------------------

using RequestDecoder = RopRequest (*)(ByteReader&, const ResponseContext*);
using ResponseDecoder = RopResponse (*)(ByteReader&, const ResponseContext*);
using RequestSampler = RopRequest (*)(uint64_t);
using ResponseSampler = RopResponse (*)(uint64_t, uint32_t, const ResponseContext&);

template <class T>
T decode_body(ByteReader& r, const ResponseContext* context) {
  T v;
  Decoder d(r, context);
  in_field(rop_name(T::kId), [&] { v.describe(d); });
  return v;
}

struct Tables {
  std::array<RequestDecoder, 256> request{};
  std::array<ResponseDecoder, 256> response{};
  std::array<RequestSampler, 256> request_sampler{};
  std::array<ResponseSampler, 256> response_sampler{};
  std::vector<DescribedRop> described;
};

template <class R>
void add(Tables& t, const char* family) {
  auto i = static_cast<uint8_t>(R::kId);
  DescribedRop d{R::kId, family, false, false};
  if constexpr (registry::HasRequest<R>) {
    static_assert(R::Request::kId == R::kId);
    t.request[i] = [](ByteReader& r, const ResponseContext* c) -> RopRequest {
      return decode_body<typename R::Request>(r, c);
    };
    t.request_sampler[i] = [](uint64_t seed) -> RopRequest {
      typename R::Request v;
      ResponseContext context = sample_context(seed);
      Sampler s(seed, 0, &context);
      v.describe(s);
      return v;
    };
    d.request = true;
  }
  if constexpr (registry::HasResponse<R>) {
    static_assert(R::Response::kId == R::kId);
    t.response[i] = [](ByteReader& r, const ResponseContext* c) -> RopResponse {
      return decode_body<typename R::Response>(r, c);
    };
    t.response_sampler[i] = [](uint64_t seed, uint32_t rv, const ResponseContext& c) -> RopResponse {
      typename R::Response v;
      Sampler s(seed, rv, &c);
      v.describe(s);
      return v;
    };
    d.response = true;
  }
  t.described.push_back(d);
}

template <class... R>
void add_family(Tables& t, [[maybe_unused]] const char* family, RopList<R...>) {
  (add<R>(t, family), ...);
}

const Tables& tables() {
  static const Tables t = [] {
    Tables t;
    add_family(t, "logon", LogonRops{});
    add_family(t, "folder", FolderRops{});
    add_family(t, "table", TableRops{});
    add_family(t, "property", PropertyRops{});
    add_family(t, "stream", StreamRops{});
    add_family(t, "message", MessageRops{});
    add_family(t, "transport", TransportRops{});
    add_family(t, "permission/rule", PermissionRuleRops{});
    add_family(t, "notification", NotificationRops{});
    add_family(t, "fast transfer", FastTransferRops{});
    add_family(t, "sync", SyncRops{});
    add_family(t, "buffer", BufferRops{});
    return t;
  }();
  return t;
}

template <class Variant>
RopId id_of(const Variant& v) noexcept {
  return visit([](const auto& rop) { return std::decay_t<decltype(rop)>::kId; }, v);
}

}  // namespace

RopId rop_id(const RopRequest& rop) noexcept { return id_of(rop); }
RopId rop_id(const RopResponse& rop) noexcept { return id_of(rop); }

const std::vector<DescribedRop>& described_rops() { return tables().described; }

const DescribedRop* find_described_rop(RopId id) noexcept {
  for (const DescribedRop& d : described_rops())
    if (d.id == id) return &d;
  return nullptr;
}

// ---- one ROP ------------------------------------------------------------------------------------------

RopRequest decode_request(ByteReader& r, const ResponseContext* context) {
  size_t at = r.offset();
  uint8_t id = r.u8("RopId");
  RequestDecoder fn = tables().request[id];
  if (!fn) fail_rop_id(at, id, true);
  return fn(r, context);
}

namespace {
// Every request opens with RopId, LogonId: the logon's recorded flags go in the context, and a
// RopLogon records the flags of the logon it opens.
RopRequest decode_request_of_session(ByteReader& r, LogonFlagsState& logons) {
  ResponseContext context;
  ByteView rest = r.rest();
  if (rest.size() >= 2)
    if (auto it = logons.flags_by_logon_id.find(rest[1]); it != logons.flags_by_logon_id.end())
      context.logon_flags = it->second;
  RopRequest rop = decode_request(r, &context);
  if (auto* logon = get_if<RopLogon::Request>(&rop)) logons.flags_by_logon_id[logon->logon_id] = logon->logon_flags;
  return rop;
}
}  // namespace

void encode_request(ByteWriter& w, const RopRequest& rop) {
  visit(
      [&](const auto& v) {
        w.u8(static_cast<uint8_t>(std::decay_t<decltype(v)>::kId));
        encode_described(w, v);
      },
      rop);
}

RopResponse decode_response(ByteReader& r, const ResponseContext* context) {
  size_t at = r.offset();
  uint8_t id = r.u8("RopId");
  ResponseDecoder fn = tables().response[id];
  if (!fn) fail_rop_id(at, id, false);
  return fn(r, context);
}

void decode_query_rows_view(ByteReader& r, const ResponseContext& context, RopQueryRows::ResponseView& out) {
  size_t at = r.offset();
  uint8_t id = r.u8("RopId");
  if (id != static_cast<uint8_t>(RopId::QueryRows))
    throw DecodeError(at, "RopId", hex8(id) + " where a RopQueryRows response (0x15) was expected");
  Decoder d(r, &context);
  in_field(rop_name(RopId::QueryRows), [&] { out.describe(d); });
}

RopId response_rop_id(RopId request) noexcept {
  return request == RopId::GetMessageStatus ? RopId::SetMessageStatus : request;
}

void encode_response(ByteWriter& w, const RopResponse& rop) {
  visit(
      [&](const auto& v) {
        w.u8(static_cast<uint8_t>(std::decay_t<decltype(v)>::kId));
        encode_described(w, v);
      },
      rop);
}

namespace {
template <class Variant>
std::string json_of(const Variant& rop) {
  return visit(
      [](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        Printer p;
        std::string name = rop_name(T::kId);
        p.str8z("RopId", name);
        const_cast<T&>(v).describe(p);  // the Printer only reads
        return p.finish();
      },
      rop);
}
}  // namespace

std::string to_json(const RopRequest& rop) { return json_of(rop); }
std::string to_json(const RopResponse& rop) { return json_of(rop); }

std::vector<RopRequest> decode_requests(ByteView bytes, LogonFlagsState* logons) {
  PartialRequests p = decode_requests_partial(bytes, RopFraming::List, logons);
  if (p.error) std::rethrow_exception(p.error);
  return std::move(p.rops);
}

// ---- buffers ------------------------------------------------------------------------------------------

namespace {

// Splits RopSize | RopsList | ServerObjectHandleTable.
ByteReader split_buffer(ByteReader& r, std::vector<uint32_t>& handles) {
  size_t rop_size = r.u16("RopSize");
  if (rop_size < 2) r.fail("RopSize", "is " + std::to_string(rop_size) + " but counts its own 2 bytes");
  ByteReader list = r.sub(rop_size - 2, "RopsList");
  in_field("ServerObjectHandleTable", [&] {
    if (r.remaining() % 4) r.fail("", std::to_string(r.remaining()) + " bytes are not a whole number of 4-byte handles");
    size_t n = r.remaining() / 4;
    handles.resize(n);
    for (size_t i = 0; i < n; ++i) handles[i] = r.u32("");
  });
  return list;
}

template <class Rop, class EncodeOne>
Bytes encode_buffer(const std::vector<Rop>& rops, const std::vector<uint32_t>& handles, EncodeOne&& encode_one) {
  ByteWriter w;
  size_t at = w.placeholder_u16();
  for (const Rop& rop : rops) encode_one(w, rop);
  w.patch_u16_length(at, at, "RopSize");
  for (uint32_t h : handles) w.u32(h);
  return w.take();
}

bool is_response_only(uint8_t id) {
  const RopIdInfo* info = rop_id_info(id);
  return info && !info->has_request;
}

const Columns* slot_columns(const std::unordered_map<size_t, Columns>& local, const std::vector<uint32_t>* request_handles,
                            const TableColumnsState* tables, size_t slot) {
  if (auto it = local.find(slot); it != local.end()) return &it->second;
  if (tables && request_handles && slot < request_handles->size()) {
    auto it = tables->columns_by_handle.find((*request_handles)[slot]);
    if (it != tables->columns_by_handle.end()) return &it->second;
  }
  return nullptr;
}

// RopNotify names its object by server handle (NotificationHandle, right after RopId); a row
// notification needs that table's columns, set earlier in this buffer or kept by the caller.
Columns notified_table_columns(ByteView rest, const std::unordered_map<size_t, Columns>& local,
                               const std::vector<uint32_t>& handles, const TableColumnsState* tables) {
  if (rest.size() < 5) return nullptr;  // the decoder reports the truncation
  ByteReader peek(rest.subspan(1, 4));
  uint32_t handle = peek.u32("NotificationHandle");
  for (const auto& [slot, columns] : local)
    if (slot < handles.size() && handles[slot] == handle) return columns;
  if (tables)
    if (auto it = tables->columns_by_handle.find(handle); it != tables->columns_by_handle.end()) return it->second;
  return nullptr;
}

// The handle slot whose columns a response's rows follow: the table of a row-returning table ROP, or
// the message of RopReadRecipients (its recipient columns).
std::optional<size_t> columns_slot(const RopRequest& request) {
  if (auto* q = get_if<RopQueryRows::Request>(&request)) return q->input_handle_index;
  if (auto* f = get_if<RopFindRow::Request>(&request)) return f->input_handle_index;
  if (auto* e = get_if<RopExpandRow::Request>(&request)) return e->input_handle_index;
  if (auto* rr = get_if<RopReadRecipients::Request>(&request)) return rr->input_handle_index;
  return std::nullopt;
}

// The slot and recipient columns a successful response announces for a message object.
std::optional<std::pair<size_t, Columns>> announced_recipient_columns(const RopRequest& request,
                                                                      const RopResponse& response) {
  auto columns = [](const MessageHeader& m) { return std::make_shared<const std::vector<PropTag>>(m.recipient_columns); };
  if (auto* o = get_if<RopOpenMessage::Response>(&response); o && o->return_value == ec::Success)
    return std::pair{size_t{get<RopOpenMessage::Request>(request).output_handle_index}, columns(o->message)};
  if (auto* e = get_if<RopOpenEmbeddedMessage::Response>(&response); e && e->return_value == ec::Success)
    return std::pair{size_t{get<RopOpenEmbeddedMessage::Request>(request).output_handle_index}, columns(e->message)};
  if (auto* l = get_if<RopReloadCachedInformation::Response>(&response); l && l->return_value == ec::Success)
    return std::pair{size_t{get<RopReloadCachedInformation::Request>(request).input_handle_index}, columns(l->message)};
  return std::nullopt;
}

}  // namespace

RopRequestBuffer decode_request_buffer(ByteView bytes, LogonFlagsState* logons) {
  PartialRequests p = decode_requests_partial(bytes, RopFraming::Buffer, logons);
  if (p.error) std::rethrow_exception(p.error);
  return {std::move(p.rops), std::move(p.handles)};
}

Bytes encode_request_buffer(const RopRequestBuffer& buffer) {
  return encode_buffer(buffer.rops, buffer.handles, [](ByteWriter& w, const RopRequest& rop) { encode_request(w, rop); });
}

ResponseContext context_for(const RopRequest& request, const Columns& table_columns) {
  ResponseContext c;
  if (auto* g = get_if<RopGetPropertiesSpecific::Request>(&request))
    c.columns = std::make_shared<const std::vector<PropTag>>(g->property_tags);
  else if (auto* l = get_if<RopLogon::Request>(&request))
    c.logon_flags = l->logon_flags;
  else if (holds_alternative<RopReadRecipients::Request>(request))
    c.recipient_columns = table_columns;
  else
    c.columns = table_columns;
  return c;
}

RopResponseBuffer decode_response_buffer(ByteView bytes, const RopRequestBuffer& request, TableColumnsState* tables) {
  ResponseSources sources;
  sources.requests = &request.rops;
  sources.request_handles = &request.handles;
  sources.tables = tables;
  PartialResponses p = decode_responses_partial(bytes, RopFraming::Buffer, sources);
  if (p.error) std::rethrow_exception(p.error);
  return {std::move(p.rops), std::move(p.handles)};
}

// ---- decoding as far as the bytes go ------------------------------------------------------------------

namespace {

// Runs one_rop(list) until the list is empty or a ROP fails; a failure is stored with its path
// ("RopsList[i]...") and ends the walk, keeping what came before.
template <class Rop, class OneRop>
void walk_list(ByteReader& r, RopFraming framing, std::vector<Rop>& rops, std::vector<uint32_t>& handles,
                      std::exception_ptr& error, OneRop&& one_rop) {
  ByteReader list;
  try {
    list = framing == RopFraming::Buffer ? split_buffer(r, handles) : r;
    in_field("RopsList", [&] {
      while (!list.empty()) {
        size_t i = rops.size();
        try {
          rops.push_back(one_rop(list));
        } catch (DecodeError& e) {
          detail::rethrow_with_index(e, i);
        }
      }
    });
  } catch (const DecodeError&) {
    error = std::current_exception();
  }
}

}  // namespace

PartialRequests decode_requests_partial(ByteView bytes, RopFraming framing, LogonFlagsState* logons) {
  ByteReader r(bytes);
  PartialRequests out;
  LogonFlagsState local;
  LogonFlagsState& session = logons ? *logons : local;
  walk_list(r, framing, out.rops, out.handles, out.error,
            [&](ByteReader& list) { return decode_request_of_session(list, session); });
  return out;
}

PartialResponses decode_responses_partial(ByteView bytes, RopFraming framing, const ResponseSources& sources) {
  ByteReader r(bytes);
  PartialResponses out;
  std::unordered_map<size_t, Columns> local;  // handle slot -> columns set in this buffer
  size_t next_request = 0;
  auto one_response = [&](ByteReader& list) -> RopResponse {
    uint8_t id = list.rest()[0];
    if (is_response_only(id) || !sources.requests) {
      ResponseContext context = sources.supplied;
      // RopNotify names its table by server handle; a row notification reads that table's columns.
      if (id == static_cast<uint8_t>(RopId::Notify))
        if (Columns c = notified_table_columns(list.rest(), local, out.handles, sources.tables)) context.columns = c;
      return decode_response(list, &context);
    }
    const std::vector<RopRequest>& requests = *sources.requests;
    while (next_request < requests.size() && !rop_id_info(static_cast<uint8_t>(rop_id(requests[next_request])))->has_response)
      ++next_request;  // RopRelease gets no response
    if (next_request == requests.size())
      list.fail("RopId", "a response to " + std::string(rop_name(static_cast<RopId>(id)) ? rop_name(static_cast<RopId>(id)) : hex8(id)) +
                             " follows but every request has been answered");
    const RopRequest& req = requests[next_request++];
    RopId expected = response_rop_id(rop_id(req));
    if (static_cast<uint8_t>(expected) != id)
      list.fail("RopId", "is " + hex8(id) + " but the matching request is " + rop_name(rop_id(req)));
    Columns table_columns;
    if (auto slot = columns_slot(req))
      if (const Columns* c = slot_columns(local, sources.request_handles, sources.tables, *slot)) table_columns = *c;
    ResponseContext context = context_for(req, table_columns);
    if (!context.columns) context.columns = sources.supplied.columns;
    if (!context.logon_flags) context.logon_flags = sources.supplied.logon_flags;
    if (!context.recipient_columns) context.recipient_columns = sources.supplied.recipient_columns;
    RopResponse rop = decode_response(list, &context);
    // A successful RopSetColumns sets the columns the later row ROPs of this table read.
    if (auto* set = get_if<RopSetColumns::Request>(&req)) {
      auto& resp = get<RopSetColumns::Response>(rop);
      if (resp.return_value == ec::Success)
        local[set->input_handle_index] = std::make_shared<const std::vector<PropTag>>(set->property_tags);
    }
    if (auto announced = announced_recipient_columns(req, rop)) local[announced->first] = announced->second;
    return rop;
  };
  walk_list(r, framing, out.rops, out.handles, out.error, one_response);
  // The slots now hold real server handles (the response's handle table): remember their columns.
  if (sources.tables && !out.error)
    for (auto& [slot, columns] : local)
      if (slot < out.handles.size()) sources.tables->columns_by_handle[out.handles[slot]] = columns;
  return out;
}

Bytes encode_response_buffer(const RopResponseBuffer& buffer) {
  return encode_buffer(buffer.rops, buffer.handles, [](ByteWriter& w, const RopResponse& rop) { encode_response(w, rop); });
}

// ---- samples --------------------------------------------------------------------------------------------

RopRequest sample_request(RopId id, uint64_t seed) {
  RequestSampler fn = tables().request_sampler[static_cast<uint8_t>(id)];
  if (!fn) throw Error(EXMAPI_E_INVALID_ARGUMENT, std::string("no request description for ") + (rop_name(id) ? rop_name(id) : "a reserved RopId"));
  return fn(seed);
}

RopResponse sample_response(RopId id, uint64_t seed, uint32_t return_value, const ResponseContext& context) {
  ResponseSampler fn = tables().response_sampler[static_cast<uint8_t>(id)];
  if (!fn) throw Error(EXMAPI_E_INVALID_ARGUMENT, std::string("no response description for ") + (rop_name(id) ? rop_name(id) : "a reserved RopId"));
  return fn(seed, return_value, context);
}

std::vector<uint32_t> sample_return_values() {
  return {ec::Success, ec::NotSupported, ec::WrongServer, ec::ServerBusy, ec::NullDestinationObject, ec::WarnWithErrors};
}

ResponseContext sample_context(uint64_t seed) {
  ResponseContext c;
  c.columns = std::make_shared<const std::vector<PropTag>>(std::vector<PropTag>{
      0x67480014, 0x0037001F, 0x0E080003, 0x0E060040, 0x0FFF0102, 0x0E1B000B, 0x001A001E});
  c.recipient_columns = c.columns;
  c.logon_flags = seed % 2 ? logon_flags::Private : 0;
  return c;
}

}  // namespace exmapi::rop

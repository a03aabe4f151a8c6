#include "server/mapihttp/mapi_http.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstring>
#include <ctime>
#include <iostream>
#include <optional>
#include <utility>
#include <vector>

#include "base/error.hpp"
#include "mapihttp/bodies.hpp"
#include "mapihttp/framing.hpp"
#include "ndr/emsmdb_methods.hpp"
#include "server/deferred_reply.hpp"
#include "server/emsmdb/endpoint.hpp"
#include "server/mapihttp/ab_convert.hpp"
#include "server/nspi/nspi_service.hpp"

namespace exmapi::server::mapihttp_server {

namespace mh = exmapi::mapihttp;
namespace em = ndr::emsmdb;
namespace ns = ndr::nspi;
using mh::RequestType;
using mh::ResponseCode;
using Clock = std::chrono::steady_clock;

namespace {

// The session context cookie (3.2.5.1: its name and value are the server's choice; the client
// returns every cookie it was given). One per endpoint, told apart by its Path.
constexpr const char* kContextCookie = "MapiContext";
// X-ServerApplication: the Exchange build this server's protocol level follows (EmsmdbEndpoint
// answers as 15.0.847.4040).
constexpr const char* kServerApplication = "Exchange/15.00.0847.4040";
// EcDoAsyncWaitEx's NotificationPending (MS-OXCRPC 3.3.4.1), NotificationWait's EventPending.
constexpr uint32_t kNotificationPending = 0x00000001;

// MAPI over HTTP address book sessions have no RPC connection; NspiService scopes context handles
// to one, so each session gets a connection number of its own, far from the RPC host's.
std::atomic<uint64_t> g_next_nspi_connection{uint64_t{1} << 62};

Guid random_guid() {
  Guid g;
  sqlite3_randomness(static_cast<int>(g.bytes.size()), g.bytes.data());
  return g;
}

// MS-OXCRPC 3.1.4.1 version words for "major.minor.build.revision" in the high-bit form.
std::optional<std::array<uint16_t, 3>> version_words(std::string_view text) {
  std::array<unsigned long, 4> parts{};
  size_t i = 0;
  std::string s(text);
  const char* p = s.c_str();
  while (i < 4) {
    char* end = nullptr;
    if (*p < '0' || *p > '9') return std::nullopt;
    parts[i++] = std::strtoul(p, &end, 10);
    p = end;
    if (*p != '.') break;
    ++p;
  }
  if (i < 2 || parts[0] > 255 || parts[1] > 255 || parts[2] > 0x7FFF || parts[3] > 0xFFFF) return std::nullopt;
  return std::array<uint16_t, 3>{static_cast<uint16_t>(parts[0] << 8 | parts[1]),
                                 static_cast<uint16_t>(0x8000 | parts[2]), static_cast<uint16_t>(parts[3])};
}

bool same_media_type(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  return true;
}

struct Failure {
  ResponseCode code;
  std::string detail;
};

http::Response failure_response(const Failure& f, const http::HeaderList& echo) {
  http::Response r;
  r.status = 200;  // 2.2.3.3.3: the failure is told by X-ResponseCode, its details by the HTML body
  r.headers = echo;
  r.headers.emplace_back(std::string(mh::header::ResponseCode), std::to_string(static_cast<uint32_t>(f.code)));
  r.headers.emplace_back(std::string(mh::header::ContentType), std::string(mh::kErrorContentType));
  r.headers.emplace_back(std::string(mh::header::ServerApplication), kServerApplication);
  const char* name = mh::response_code_name(static_cast<uint32_t>(f.code));
  const char* meaning = mh::response_code_meaning(static_cast<uint32_t>(f.code));
  std::string html = "<html><head><title>" + std::string(name ? name : "Failure") + "</title></head><body><p>" +
                     (meaning ? meaning : "") + "</p><p>";
  for (char c : f.detail) {
    if (c == '<') html += "&lt;";
    else if (c == '>') html += "&gt;";
    else if (c == '&') html += "&amp;";
    else html += c;
  }
  html += "</p></body></html>\r\n";
  r.body.assign(html.begin(), html.end());
  return r;
}

// A reply that arrives on another thread (NotificationWait's wake-up from another session's
// Execute) or once its timeout has passed, waited for by the HTTP connection's thread.
class WaitingReply final : public DeferredReply {
 public:
  void reply(Bytes stub) override {
    std::lock_guard lock(mutex_);
    if (answered_) return;
    stub_ = std::move(stub);
    answered_ = true;
    cv_.notify_all();
  }
  void fault(uint32_t code) override {
    std::lock_guard lock(mutex_);
    if (answered_) return;
    fault_ = code;
    answered_ = true;
    cv_.notify_all();
  }
  bool answered() const override {
    std::lock_guard lock(mutex_);
    return answered_;
  }
  void set_timeout(std::chrono::milliseconds delay, std::function<void()> fn) override {
    std::lock_guard lock(mutex_);
    deadline_ = Clock::now() + delay;
    on_timeout_ = std::move(fn);
  }
  void on_abandon(std::function<void()> fn) override {
    std::lock_guard lock(mutex_);
    on_abandon_ = std::move(fn);
  }

  // Waits until answered or `until`; runs the timeout once it is due. True once answered.
  bool wait_until(Clock::time_point until) {
    std::function<void()> due;
    {
      std::unique_lock lock(mutex_);
      Clock::time_point limit = deadline_ ? std::min(until, *deadline_) : until;
      cv_.wait_until(lock, limit, [&] { return answered_; });
      if (answered_) return true;
      if (deadline_ && Clock::now() >= *deadline_) {
        due = std::move(on_timeout_);
        deadline_.reset();
      }
    }
    if (due) due();  // cancels the wait, which answers "nothing pending"
    std::lock_guard lock(mutex_);
    return answered_;
  }
  void abandon() {
    std::function<void()> fn;
    {
      std::lock_guard lock(mutex_);
      if (answered_) return;
      answered_ = true;
      fn = std::move(on_abandon_);
    }
    if (fn) fn();
  }
  std::optional<Bytes> stub() const {
    std::lock_guard lock(mutex_);
    return stub_;
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  bool answered_ = false;
  std::optional<Bytes> stub_;
  std::optional<uint32_t> fault_;
  std::optional<Clock::time_point> deadline_;
  std::function<void()> on_timeout_, on_abandon_;
};

}  // namespace

struct Session {
  mh::Endpoint endpoint = mh::Endpoint::Mailbox;
  std::string account;
  Guid handle;              // the EMSMDB CXH or the NSPI context handle
  uint64_t connection = 0;  // NSPI: the connection number its handle is scoped to
  Clock::time_point last_used;
  unsigned in_flight = 0;   // requests being answered: a session in use does not expire
};

struct MapiHttpService::Impl : std::enable_shared_from_this<Impl> {
  EmsmdbEndpoint& emsmdb;
  nspi::NspiService& nspi;
  NspiExecutor nspi_executor;
  Options options;
  std::mutex mutex;
  std::map<std::string, Session> sessions;  // by cookie value
  std::string public_base;

  Impl(EmsmdbEndpoint& e, nspi::NspiService& n, NspiExecutor x, Options o)
      : emsmdb(e), nspi(n), nspi_executor(std::move(x)), options(o) {}

  // Ends a session's backend state (after it left `sessions`).
  void end_backend(const Session& s) {
    try {
      if (s.endpoint == mh::Endpoint::Mailbox) {
        em::EcDoDisconnect::Request rq;
        rq.cxh.uuid = s.handle;
        if (emsmdb.has_session(s.handle, {})) emsmdb.disconnect(rq, {});
      } else {
        uint64_t connection = s.connection;
        nspi_executor([&] { nspi.connection_closed(connection); });
      }
    } catch (const std::exception& e) {
      std::cerr << "exmapi-server: mapi/http: ending a session failed: " << e.what() << "\n";
    }
  }

  // Removes the sessions unused for longer than the timeout.
  void reap_expired() {
    std::vector<Session> expired;
    {
      std::lock_guard lock(mutex);
      auto now = Clock::now();
      for (auto it = sessions.begin(); it != sessions.end();) {
        if (it->second.in_flight == 0 && now - it->second.last_used > options.session_timeout) {
          expired.push_back(it->second);
          it = sessions.erase(it);
        } else {
          ++it;
        }
      }
    }
    for (const auto& s : expired) end_backend(s);
  }

  std::string add_session(Session s) {
    std::string cookie = random_guid().to_string();
    cookie = cookie.substr(1, cookie.size() - 2);
    s.last_used = Clock::now();
    s.in_flight = 0;
    std::lock_guard lock(mutex);
    sessions[cookie] = std::move(s);
    return cookie;
  }
  void release(const std::string& cookie) {
    std::lock_guard lock(mutex);
    auto it = sessions.find(cookie);
    if (it == sessions.end()) return;
    it->second.last_used = Clock::now();
    if (it->second.in_flight) --it->second.in_flight;
  }
  std::optional<Session> remove_session(const std::string& cookie) {
    std::lock_guard lock(mutex);
    auto it = sessions.find(cookie);
    if (it == sessions.end()) return std::nullopt;
    Session s = it->second;
    sessions.erase(it);
    return s;
  }
};

namespace {

using Impl = MapiHttpService::Impl;
using ImplPtr = std::shared_ptr<Impl>;

// The answer to one request: the response body, and cookie changes.
struct Answer {
  Bytes body;
  std::optional<std::string> set_cookie;  // a new session's cookie value
  bool clear_cookie = false;              // the session has ended
};

// ---- mailbox endpoint ----------------------------------------------------------------------------------

template <class Resp>
Resp failed_body(uint32_t status) {
  Resp r;
  r.status_code = status;
  return r;
}

Answer connect(Impl& impl, const mh::ConnectRequest& body, const http::Request& req) {
  em::EcDoConnectEx::Request rq;
  rq.user_dn = body.user_dn;
  rq.flags = body.flags;
  rq.cpid = body.default_code_page;
  rq.lcid_sort = body.lcid_sort;
  rq.lcid_string = body.lcid_string;
  rq.aux_in = body.auxiliary_buffer;
  rq.aux_out_size = 0x1008;
  // The Connect body has no rgwClientVersion; the client's version travels in X-ClientApplication
  // ("Outlook/15.00.0847.4040", 2.2.3.3.8) and is checked as EcDoConnectEx checks it. Without one the
  // client is taken to be at the protocol's minimum (11.0), which EcDoConnectEx accepts.
  std::string app = req.header(mh::header::ClientApplication);
  auto slash = app.find('/');
  std::optional<std::array<uint16_t, 3>> v = slash == std::string::npos ? std::nullopt : version_words(app.substr(slash + 1));
  rq.client_version = v.value_or(std::array<uint16_t, 3>{static_cast<uint16_t>(11 << 8), 0x8000, 0});
  em::EcDoConnectEx::Response rs = impl.emsmdb.connect(rq, req.user);
  mh::ConnectResponse out;
  out.error_code = rs.result;
  Answer a;
  if (rs.result == 0) {
    out.polls_max = rs.polls_max;
    out.retry_count = rs.retry;
    out.retry_delay = rs.retry_delay;
    out.dn_prefix = rs.dn_prefix.value_or("");
    out.display_name = rs.display_name.value_or("");
    Session s;
    s.endpoint = mh::Endpoint::Mailbox;
    s.account = req.user;
    s.handle = rs.cxh.uuid;
    a.set_cookie = impl.add_session(std::move(s));
  }
  out.auxiliary_buffer = rs.aux_out;
  a.body = mh::encode_body(out);
  return a;
}

Answer execute(Impl& impl, const mh::ExecuteRequest& body, const Session& s) {
  em::EcDoRpcExt2::Request rq;
  rq.cxh.uuid = s.handle;
  rq.flags = body.flags;
  rq.in = body.rop_buffer;
  rq.out_size = body.max_rop_out;
  rq.aux_in = body.auxiliary_buffer;
  rq.aux_out_size = 0x1008;
  em::EcDoRpcExt2::Response rs = impl.emsmdb.execute(rq, s.account);
  mh::ExecuteResponse out;
  out.error_code = rs.result;
  if (rs.result == 0) out.rop_buffer = std::move(rs.out);
  out.auxiliary_buffer = rs.aux_out;
  return Answer{mh::encode_body(out), std::nullopt, false};
}

Answer disconnect(Impl& impl, const std::string& cookie) {
  if (std::optional<Session> s = impl.remove_session(cookie)) impl.end_backend(*s);
  return Answer{mh::encode_body(mh::DisconnectResponse{}), std::nullopt, true};
}

// ---- address book endpoint ---------------------------------------------------------------------------

ns::Stat stat_or_default(const std::optional<ns::Stat>& s) { return s.value_or(ns::Stat{}); }

ns::PropertyTagArray mids_array(const std::vector<uint32_t>& ids) {
  ns::PropertyTagArray a;
  a.values = ids;
  return a;
}

// Runs one NSPI method for session `s` where NspiService runs.
template <class NdrRequest>
auto nspi_call(Impl& impl, const Session& s, NdrRequest& rq) {
  CallerIdentity caller;
  caller.account = s.account;
  caller.connection = s.connection;
  decltype(impl.nspi.answer(rq, caller)) rs;
  impl.nspi_executor([&] { rs = impl.nspi.answer(rq, caller); });
  return rs;
}

std::optional<mh::ColumnsAndRows> rows_of(const std::optional<ns::PropertyRowSet>& rows,
                                          const std::optional<std::vector<rop::PropTag>>& requested,
                                          const std::vector<uint32_t>& defaults) {
  if (!rows) return std::nullopt;
  // NSPI rows carry their columns in each value's tag; MAPI/HTTP names them once. The requested
  // columns (or the server's default set) are those columns, and the first row confirms them.
  std::vector<rop::PropTag> columns = requested ? *requested : std::vector<rop::PropTag>(defaults.begin(), defaults.end());
  if (!rows->rows.empty() && rows->rows.front().props.size() == columns.size())
    for (size_t i = 0; i < columns.size(); ++i)
      if (rop::prop_type(columns[i]) == rop::ptyp::Unspecified)
        columns[i] = (columns[i] & 0xFFFF0000) | rop::prop_type(rows->rows.front().props[i].prop_tag);
  return mapihttp_ab::to_ab_rows(columns, *rows);
}

Answer ab_answer(Impl& impl, const mh::RequestBody& body, const http::Request& req, const Session* s,
                 const std::string& cookie) {
  using namespace mapihttp_ab;
  Answer a;
  if (const auto* b = get_if<mh::BindRequest>(&body)) {
    Session ns_session;
    ns_session.endpoint = mh::Endpoint::AddressBook;
    ns_session.account = req.user;
    ns_session.connection = g_next_nspi_connection++;
    ns::NspiBind::Request rq;
    rq.flags = b->flags;
    rq.stat = stat_or_default(b->state);
    rq.server_guid = Guid{};
    ns::NspiBind::Response rs = nspi_call(impl, ns_session, rq);
    mh::BindResponse out;
    out.error_code = rs.result;
    if (rs.result == 0) {
      out.server_guid = rs.server_guid.value_or(Guid{});
      ns_session.handle = rs.context_handle.uuid;
      a.set_cookie = impl.add_session(std::move(ns_session));
    }
    a.body = mh::encode_body(out);
    return a;
  }
  if (get_if<mh::GetMailboxUrlRequest>(&body) || get_if<mh::GetAddressBookUrlRequest>(&body)) {
    // Every mailbox and the address book are served here (RfrGetFQDNFromServerDN/RfrGetNewDSA's
    // answer for this server), by this server's own URL.
    std::string base;
    {
      std::lock_guard lock(impl.mutex);
      base = impl.public_base;
    }
    if (get_if<mh::GetMailboxUrlRequest>(&body)) {
      mh::GetMailboxUrlResponse out;
      out.server_url = base + std::string(mh::endpoint_path(mh::Endpoint::Mailbox));
      a.body = mh::encode_body(out);
    } else {
      mh::GetAddressBookUrlResponse out;
      out.server_url = base + std::string(mh::endpoint_path(mh::Endpoint::AddressBook));
      a.body = mh::encode_body(out);
    }
    return a;
  }
  const Session& ses = *s;
  ndr::ContextHandle handle;
  handle.uuid = ses.handle;
  if (get_if<mh::UnbindRequest>(&body)) {
    if (std::optional<Session> gone = impl.remove_session(cookie)) {
      ns::NspiUnbind::Request rq;
      rq.context_handle = handle;
      nspi_call(impl, *gone, rq);
      impl.end_backend(*gone);
    }
    a.clear_cookie = true;
    a.body = mh::encode_body(mh::UnbindResponse{});
    return a;
  }
  if (const auto* b = get_if<mh::CompareMIdsRequest>(&body)) {
    ns::NspiCompareMIds::Request rq;
    rq.handle = handle;
    rq.stat = stat_or_default(b->state);
    rq.mid1 = b->minimal_id1;
    rq.mid2 = b->minimal_id2;
    auto rs = nspi_call(impl, ses, rq);
    mh::CompareMIdsResponse out;
    out.error_code = rs.result;
    out.result = rs.comparison;
    a.body = mh::encode_body(out);
  } else if (const auto* b = get_if<mh::DNToMIdRequest>(&body)) {
    ns::NspiDNToMId::Request rq;
    rq.handle = handle;
    if (b->names) rq.names.strings = *b->names;
    auto rs = nspi_call(impl, ses, rq);
    mh::DNToMIdResponse out;
    out.error_code = rs.result;
    if (rs.tags) out.minimal_ids = rs.tags->values;
    a.body = mh::encode_body(out);
  } else if (const auto* b = get_if<mh::GetMatchesRequest>(&body)) {
    ns::NspiGetMatches::Request rq;
    rq.handle = handle;
    rq.stat = stat_or_default(b->state);
    if (b->minimal_ids) rq.reserved_mids = mids_array(*b->minimal_ids);
    rq.reserved2 = b->interface_option_flags;
    if (b->filter) rq.filter = to_ndr_restriction(*b->filter);
    if (b->property_name) {
      ns::PropertyName name;
      name.guid = b->property_name->guid;
      name.id = b->property_name->id;
      rq.prop_name = name;
    }
    rq.requested = b->row_count;
    rq.prop_tags = to_ndr_tags(b->columns);
    auto rs = nspi_call(impl, ses, rq);
    mh::GetMatchesResponse out;
    out.error_code = rs.result;
    if (rs.result == 0) {
      out.state = rs.stat;
      if (rs.mids) out.minimal_ids = rs.mids->values;
      out.columns_and_rows = rows_of(rs.rows, b->columns, nspi::NspiService::default_columns(false));
    }
    a.body = mh::encode_body(out);
  } else if (const auto* b = get_if<mh::GetPropListRequest>(&body)) {
    ns::NspiGetPropList::Request rq;
    rq.handle = handle;
    rq.flags = b->flags;
    rq.mid = b->minimal_id;
    rq.code_page = b->code_page;
    auto rs = nspi_call(impl, ses, rq);
    mh::GetPropListResponse out;
    out.error_code = rs.result;
    out.property_tags = to_ab_tags(rs.tags);
    a.body = mh::encode_body(out);
  } else if (const auto* b = get_if<mh::GetPropsRequest>(&body)) {
    ns::NspiGetProps::Request rq;
    rq.handle = handle;
    rq.flags = b->flags;
    rq.stat = stat_or_default(b->state);
    rq.prop_tags = to_ndr_tags(b->property_tags);
    auto rs = nspi_call(impl, ses, rq);
    mh::GetPropsResponse out;
    out.error_code = rs.result;
    out.code_page = rq.stat.code_page;
    if (rs.row) out.property_values = to_ab_list(*rs.row);
    a.body = mh::encode_body(out);
  } else if (const auto* b = get_if<mh::GetSpecialTableRequest>(&body)) {
    ns::NspiGetSpecialTable::Request rq;
    rq.handle = handle;
    rq.flags = b->flags;
    rq.stat = stat_or_default(b->state);
    rq.version = b->version.value_or(0);
    auto rs = nspi_call(impl, ses, rq);
    mh::GetSpecialTableResponse out;
    out.error_code = rs.result;
    out.code_page = rq.stat.code_page;
    if (b->version) out.version = rs.version;
    if (rs.rows) {
      out.rows.emplace();
      for (const auto& row : rs.rows->rows) out.rows->push_back(to_ab_list(row));
    }
    a.body = mh::encode_body(out);
  } else if (const auto* b = get_if<mh::GetTemplateInfoRequest>(&body)) {
    ns::NspiGetTemplateInfo::Request rq;
    rq.handle = handle;
    rq.flags = b->flags;
    rq.type = b->display_type;
    rq.dn = b->template_dn;
    rq.code_page = b->code_page;
    rq.locale_id = b->locale_id;
    auto rs = nspi_call(impl, ses, rq);
    mh::GetTemplateInfoResponse out;
    out.error_code = rs.result;
    out.code_page = b->code_page;
    if (rs.data) out.row = to_ab_list(*rs.data);
    a.body = mh::encode_body(out);
  } else if (const auto* b = get_if<mh::ModLinkAttRequest>(&body)) {
    ns::NspiModLinkAtt::Request rq;
    rq.handle = handle;
    rq.flags = b->flags;
    rq.prop_tag = b->property_tag;
    rq.mid = b->minimal_id;
    if (b->entry_ids) rq.entry_ids.values = *b->entry_ids;
    auto rs = nspi_call(impl, ses, rq);
    mh::ModLinkAttResponse out;
    out.error_code = rs.result;
    a.body = mh::encode_body(out);
  } else if (const auto* b = get_if<mh::ModPropsRequest>(&body)) {
    ns::NspiModProps::Request rq;
    rq.handle = handle;
    rq.stat = stat_or_default(b->state);
    rq.prop_tags = to_ndr_tags(b->property_tags);
    if (b->property_values) rq.row = to_ndr_row(*b->property_values);
    auto rs = nspi_call(impl, ses, rq);
    mh::ModPropsResponse out;
    out.error_code = rs.result;
    a.body = mh::encode_body(out);
  } else if (const auto* b = get_if<mh::QueryColumnsRequest>(&body)) {
    ns::NspiQueryColumns::Request rq;
    rq.handle = handle;
    rq.reserved = b->reserved;
    rq.flags = b->mapi_flags;
    auto rs = nspi_call(impl, ses, rq);
    mh::QueryColumnsResponse out;
    out.error_code = rs.result;
    out.columns = to_ab_tags(rs.tags);
    a.body = mh::encode_body(out);
  } else if (const auto* b = get_if<mh::QueryRowsRequest>(&body)) {
    ns::NspiQueryRows::Request rq;
    rq.handle = handle;
    rq.flags = b->flags;
    rq.stat = stat_or_default(b->state);
    if (!b->explicit_table.empty()) rq.explicit_table = b->explicit_table;
    rq.count = b->row_count;
    rq.prop_tags = to_ndr_tags(b->columns);
    auto rs = nspi_call(impl, ses, rq);
    mh::QueryRowsResponse out;
    out.error_code = rs.result;
    if (rs.result == 0) {
      out.state = rs.stat;
      out.columns_and_rows = rows_of(rs.rows, b->columns, nspi::NspiService::default_columns(false));
    }
    a.body = mh::encode_body(out);
  } else if (const auto* b = get_if<mh::ResolveNamesRequest>(&body)) {
    ns::NspiResolveNamesW::Request rq;
    rq.handle = handle;
    rq.stat = stat_or_default(b->state);
    rq.prop_tags = to_ndr_tags(b->property_tags);
    if (b->names) rq.names.strings = *b->names;
    auto rs = nspi_call(impl, ses, rq);
    mh::ResolveNamesResponse out;
    out.error_code = rs.result;
    out.code_page = rq.stat.code_page;
    if (rs.result == 0) {
      if (rs.mids) out.minimal_ids = rs.mids->values;
      out.rows_and_columns = rows_of(rs.rows, b->property_tags, nspi::NspiService::default_columns(true));
    }
    a.body = mh::encode_body(out);
  } else if (const auto* b = get_if<mh::ResortRestrictionRequest>(&body)) {
    ns::NspiResortRestriction::Request rq;
    rq.handle = handle;
    rq.stat = stat_or_default(b->state);
    if (b->minimal_ids) rq.in_mids = mids_array(*b->minimal_ids);
    auto rs = nspi_call(impl, ses, rq);
    mh::ResortRestrictionResponse out;
    out.error_code = rs.result;
    if (rs.result == 0) {
      out.state = rs.stat;
      if (rs.out_mids) out.minimal_ids = rs.out_mids->values;
    }
    a.body = mh::encode_body(out);
  } else if (const auto* b = get_if<mh::SeekEntriesRequest>(&body)) {
    ns::NspiSeekEntries::Request rq;
    rq.handle = handle;
    rq.stat = stat_or_default(b->state);
    if (b->target) rq.target = to_ndr(*b->target);
    if (b->explicit_table) rq.explicit_table = mids_array(*b->explicit_table);
    rq.prop_tags = to_ndr_tags(b->columns);
    auto rs = nspi_call(impl, ses, rq);
    mh::SeekEntriesResponse out;
    out.error_code = rs.result;
    if (rs.result == 0) {
      out.state = rs.stat;
      out.columns_and_rows = rows_of(rs.rows, b->columns, nspi::NspiService::default_columns(false));
    }
    a.body = mh::encode_body(out);
  } else if (const auto* b = get_if<mh::UpdateStatRequest>(&body)) {
    ns::NspiUpdateStat::Request rq;
    rq.handle = handle;
    rq.stat = stat_or_default(b->state);
    if (b->delta_requested) rq.delta = 0;
    auto rs = nspi_call(impl, ses, rq);
    mh::UpdateStatResponse out;
    out.error_code = rs.result;
    if (rs.result == 0) {
      out.state = rs.stat;
      if (b->delta_requested) out.delta = rs.delta.value_or(0);
    }
    a.body = mh::encode_body(out);
  } else {
    throw Error(EXMAPI_E_INVALID_ARGUMENT, "not an address book request");
  }
  return a;
}

// ---- the HTTP exchange ---------------------------------------------------------------------------------

std::vector<mh::HeaderField> final_headers(Clock::time_point started, std::time_t start_time) {
  auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started).count();
  return mh::timing_headers(static_cast<uint64_t>(elapsed), start_time);
}

// The response stream of one request (2.2.7): PROCESSING at once, PENDING every pending period
// while the work has not produced the body, then DONE, the timing headers and the body. `step`
// is given the moment of the next keep-alive and returns the body, or nullopt when that moment
// came first.
class ResponseStream {
 public:
  using Step = std::function<std::optional<Bytes>(Clock::time_point next_pending)>;
  ResponseStream(Clock::time_point started, std::time_t start_time, std::chrono::milliseconds period, Step step,
                 std::function<void()> done)
      : started_(started), start_time_(start_time), period_(period), step_(std::move(step)), done_(std::move(done)) {
    put(mh::response_stream_meta_tag(mh::MetaTag::Processing));
  }
  ~ResponseStream() {
    if (done_) done_();
  }
  ResponseStream(const ResponseStream&) = delete;
  ResponseStream& operator=(const ResponseStream&) = delete;

  size_t write(uint8_t* dst, size_t max) {
    while (sent_ == out_.size()) {
      if (finished_) return 0;
      out_.clear();
      sent_ = 0;
      if (std::optional<Bytes> body = step_(Clock::now() + period_)) {
        Bytes tail = mh::response_stream_final(final_headers(started_, start_time_), *body);
        out_.insert(out_.end(), tail.begin(), tail.end());
        finished_ = true;
        // The session is free again as soon as its answer exists, not when the client has read it.
        if (done_) std::exchange(done_, nullptr)();
      } else {
        put(mh::response_stream_meta_tag(mh::MetaTag::Pending));
      }
    }
    size_t n = std::min(max, out_.size() - sent_);
    std::memcpy(dst, out_.data() + sent_, n);
    sent_ += n;
    return n;
  }

 private:
  void put(std::string_view text) { out_.insert(out_.end(), text.begin(), text.end()); }

  Clock::time_point started_;
  std::time_t start_time_;
  std::chrono::milliseconds period_;
  Step step_;
  std::function<void()> done_;
  Bytes out_;
  size_t sent_ = 0;
  bool finished_ = false;
};

class MapiExchange final : public http::Exchange {
 public:
  MapiExchange(ImplPtr impl, mh::Endpoint endpoint, http::Request req)
      : impl_(std::move(impl)), endpoint_(endpoint), req_(std::move(req)),
        started_(Clock::now()), start_time_(std::time(nullptr)) {}

  std::optional<http::Response> on_body(ByteView chunk) override {
    if (too_large_) return std::nullopt;
    if (body_.size() + chunk.size() > impl_->options.max_request_body) {
      too_large_ = true;
      body_.clear();
      return std::nullopt;
    }
    body_.insert(body_.end(), chunk.begin(), chunk.end());
    return std::nullopt;
  }

  http::Response on_complete() override {
    try {
      return answer();
    } catch (const Failure& f) {
      return failure_response(f, echo_);
    }
  }

  void on_closed() override {
    if (waiting_) waiting_->abandon();
  }

 private:
  [[noreturn]] static void fail(ResponseCode code, std::string detail) { throw Failure{code, std::move(detail)}; }

  http::Response answer() {
    // Echoed headers (2.2.3.3.2, 2.2.3.3.4): what the client sent, on success and failure alike.
    for (std::string_view name : {mh::header::RequestType, mh::header::RequestId, mh::header::ClientInfo}) {
      std::string v = req_.header(name);
      if (!v.empty()) echo_.emplace_back(std::string(name), v);
    }
    if (req_.method != "POST") fail(ResponseCode::InvalidVerb, "MAPI over HTTP takes POST, not " + req_.method);
    std::string_view path = mh::endpoint_path(endpoint_);
    std::string p = req_.path;
    if (p != path && p + "/" != path) fail(ResponseCode::InvalidPath, "nothing is served at " + req_.path);
    if (req_.user.empty()) fail(ResponseCode::AnonymousNotAllowed, "the request is not authenticated");
    std::string type_text = req_.header(mh::header::RequestType);
    if (type_text.empty()) fail(ResponseCode::MissingHeader, "the request has no X-RequestType header");
    std::optional<RequestType> type = mh::parse_request_type(type_text);
    if (!type) fail(ResponseCode::InvalidRequestType, "unknown X-RequestType \"" + type_text + "\"");
    mh::Endpoint te = mh::request_type_endpoint(*type);
    if (te != mh::Endpoint::Both && te != endpoint_)
      fail(ResponseCode::InvalidRequestType, "X-RequestType " + type_text + " is not served at " + req_.path);
    std::string request_id = req_.header(mh::header::RequestId);
    if (request_id.empty()) fail(ResponseCode::MissingHeader, "the request has no X-RequestId header");
    if (!mh::parse_sequenced_id(request_id))
      fail(ResponseCode::InvalidHeader, "X-RequestId \"" + request_id + "\" is not {GUID}:counter");
    std::string client_info = req_.header(mh::header::ClientInfo);
    if (!client_info.empty() && !mh::parse_sequenced_id(client_info))
      fail(ResponseCode::InvalidHeader, "X-ClientInfo \"" + client_info + "\" is not {GUID}:counter");
    if (*type != RequestType::Ping) {
      std::string ct = req_.header(mh::header::ContentType);
      auto semi = ct.find(';');
      std::string media = ct.substr(0, semi);
      while (!media.empty() && media.back() == ' ') media.pop_back();
      if (ct.empty()) fail(ResponseCode::MissingHeader, "the request has no Content-Type header");
      if (!same_media_type(media, mh::kContentType))
        fail(ResponseCode::InvalidHeader, "Content-Type " + ct + " is not " + std::string(mh::kContentType));
    }
    if (too_large_) fail(ResponseCode::TooLarge, "the request body exceeds " + std::to_string(impl_->options.max_request_body) + " bytes");

    impl_->reap_expired();
    bool creates = *type == RequestType::Connect || *type == RequestType::Bind;
    std::optional<std::string> cookie = req_.cookie(kContextCookie);
    if (creates && cookie) {
      // 3.2.5.6: a reconnect destroys the Session Context the old cookie names.
      std::optional<Session> old = impl_->remove_session(*cookie);
      if (old && old->account == req_.user) impl_->end_backend(*old);
      else if (old) {
        std::lock_guard lock(impl_->mutex);
        impl_->sessions[*cookie] = *old;  // not this caller's to end
      }
      cookie.reset();
    }
    bool needs_session = !creates && *type != RequestType::Ping && *type != RequestType::GetMailboxUrl &&
                         *type != RequestType::GetAddressBookUrl;
    std::optional<Session> session;
    if (needs_session) {
      if (!cookie) fail(ResponseCode::MissingCookie, "the request has no session context cookie (" + std::string(kContextCookie) + ")");
      if (!Guid::parse(*cookie)) fail(ResponseCode::InvalidContextCookie, "the session context cookie is not one this server issues");
      std::lock_guard lock(impl_->mutex);
      auto it = impl_->sessions.find(*cookie);
      if (it == impl_->sessions.end() || it->second.endpoint != endpoint_)
        fail(ResponseCode::ContextNotFound, "the Session Context has expired or does not exist");
      if (it->second.account != req_.user)
        fail(ResponseCode::NoPrivilege, "the Session Context belongs to another account");
      ++it->second.in_flight;
      it->second.last_used = Clock::now();
      session = it->second;
      held_cookie_ = *cookie;
    }

    std::optional<mh::RequestBody> body;
    if (mh::has_body(*type)) {
      try {
        body = mh::decode_request(*type, body_);
      } catch (const std::exception& e) {
        release();
        fail(ResponseCode::InvalidRequestBody, e.what());
      }
    }

    http::Response r;
    r.status = 200;
    r.headers = echo_;
    r.headers.emplace_back(std::string(mh::header::ResponseCode), "0");
    r.headers.emplace_back(std::string(mh::header::ContentType), std::string(mh::kContentType));
    r.headers.emplace_back(std::string(mh::header::ServerApplication), kServerApplication);
    r.headers.emplace_back(std::string(mh::header::PendingPeriod), std::to_string(impl_->options.pending_period.count()));
    r.headers.emplace_back(std::string(mh::header::ExpirationInfo), std::to_string(impl_->options.session_timeout.count()));
    r.headers.emplace_back("Cache-Control", "private");
    if (*type == RequestType::Ping) {
      release();
      return r;  // 2.2.6: no body
    }

    // Requests that end or create a session are answered before the stream starts, so that their
    // Set-Cookie goes with the response headers.
    std::string cookie_path(mh::endpoint_path(endpoint_));
    auto set_cookie = [&](const Answer& a) {
      if (a.set_cookie)
        r.headers.emplace_back("Set-Cookie", std::string(kContextCookie) + "=" + *a.set_cookie + "; path=" + cookie_path + "; HttpOnly" + (req_.tls ? "; secure" : ""));
      if (a.clear_cookie)
        r.headers.emplace_back("Set-Cookie", std::string(kContextCookie) + "=; path=" + cookie_path + "; Max-Age=0");
    };
    ImplPtr impl = impl_;
    std::string held = held_cookie_;
    held_cookie_.clear();
    auto done = [impl, held] {
      if (!held.empty()) impl->release(held);
    };

    auto period = impl_->options.pending_period;
    if (*type == RequestType::NotificationWait) {
      auto reply = std::make_shared<WaitingReply>();
      waiting_ = reply;
      try {
        impl_->emsmdb.async_wait(session->handle, session->account, reply);
      } catch (const RpcFault&) {
        done();
        fail(ResponseCode::ContextNotFound, "the Session Context has ended");
      }
      auto stream = std::make_shared<ResponseStream>(
          started_, start_time_, period,
          [reply](Clock::time_point next_pending) -> std::optional<Bytes> {
            if (!reply->wait_until(next_pending)) return std::nullopt;
            mh::NotificationWaitResponse nw;
            if (std::optional<Bytes> stub = reply->stub()) {
              auto rs = ndr::decode_stub<em::EcDoAsyncWaitEx::Response>(*stub);
              nw.event_pending = rs.flags_out & kNotificationPending;  // 2.2.4.4.2 EventPending
            }
            return mh::encode_body(nw);
          },
          done);
      r.stream = [stream](uint8_t* out, size_t max) { return stream->write(out, max); };
      return r;
    }

    if (creates || *type == RequestType::Disconnect || *type == RequestType::Unbind) {
      Answer a = run(*type, *body, session);
      set_cookie(a);
      done();
      Bytes stream;
      std::string p = mh::response_stream_meta_tag(mh::MetaTag::Processing);
      stream.assign(p.begin(), p.end());
      Bytes tail = mh::response_stream_final(final_headers(started_, start_time_), a.body);
      stream.insert(stream.end(), tail.begin(), tail.end());
      r.body = std::move(stream);
      return r;
    }

    auto stream = std::make_shared<ResponseStream>(
        started_, start_time_, period,
        [impl = impl_, type = *type, body = std::move(*body), session, req = req_](Clock::time_point) -> std::optional<Bytes> {
          return std::optional<Bytes>(MapiExchange::run_with(*impl, type, body, session, req).body);
        },
        done);
    r.stream = [stream](uint8_t* out, size_t max) { return stream->write(out, max); };
    return r;
  }

  Answer run(RequestType type, const mh::RequestBody& body, const std::optional<Session>& session) {
    return run_with(*impl_, type, body, session, req_);
  }

  static Answer run_with(Impl& impl, RequestType type, const mh::RequestBody& body,
                         const std::optional<Session>& session, const http::Request& req) {
    try {
      switch (type) {
        case RequestType::Connect: return connect(impl, get<mh::ConnectRequest>(body), req);
        case RequestType::Execute: return execute(impl, get<mh::ExecuteRequest>(body), *session);
        case RequestType::Disconnect: return disconnect(impl, *req.cookie(kContextCookie));
        default: {
          std::string cookie = req.cookie(kContextCookie).value_or("");
          return ab_answer(impl, body, req, session ? &*session : nullptr, cookie);
        }
      }
    } catch (const RpcFault& f) {
      // The backend no longer knows the session: the same as an unknown cookie, told in the body's
      // StatusCode since the stream's X-ResponseCode 0 may be out already.
      std::cerr << "exmapi-server: mapi/http: " << mh::request_type_name(type) << ": " << f.what() << "\n";
      return Answer{failure_body(static_cast<uint32_t>(ResponseCode::ContextNotFound)), std::nullopt, false};
    } catch (const std::exception& e) {
      std::cerr << "exmapi-server: mapi/http: " << mh::request_type_name(type) << " failed: " << e.what() << "\n";
      return Answer{failure_body(static_cast<uint32_t>(ResponseCode::UnknownFailure)), std::nullopt, false};
    }
  }

  // The failure form of a response body (2.2.4.x.3, 2.2.5.x.3): StatusCode and an empty
  // auxiliary buffer, whose layout every response type shares.
  static Bytes failure_body(uint32_t status) {
    ByteWriter w;
    w.u32(status);
    w.u32(0);
    return w.take();
  }

  void release() {
    if (!held_cookie_.empty()) impl_->release(held_cookie_);
    held_cookie_.clear();
  }

  ImplPtr impl_;
  mh::Endpoint endpoint_;
  http::Request req_;
  Clock::time_point started_;
  std::time_t start_time_;
  Bytes body_;
  bool too_large_ = false;
  http::HeaderList echo_;
  std::string held_cookie_;
  std::shared_ptr<WaitingReply> waiting_;
};

}  // namespace

MapiHttpService::MapiHttpService(EmsmdbEndpoint& emsmdb, nspi::NspiService& nspi, NspiExecutor nspi_executor,
                                 Options options)
    : impl_(std::make_shared<Impl>(emsmdb, nspi, std::move(nspi_executor), options)) {}

MapiHttpService::~MapiHttpService() {
  std::map<std::string, Session> left;
  {
    std::lock_guard lock(impl_->mutex);
    left.swap(impl_->sessions);
  }
  for (const auto& [cookie, s] : left)
    if (s.endpoint == mh::Endpoint::Mailbox) impl_->end_backend(s);
}

void MapiHttpService::set_public_base(std::string base_url) {
  std::lock_guard lock(impl_->mutex);
  impl_->public_base = std::move(base_url);
}

void MapiHttpService::attach(http::HttpServer& server) {
  for (mh::Endpoint e : {mh::Endpoint::Mailbox, mh::Endpoint::AddressBook}) {
    std::string prefix(mh::endpoint_path(e));
    prefix.pop_back();  // "/mapi/emsmdb" also matches the path without its final slash
    ImplPtr impl = impl_;
    server.add_route(
        prefix,
        [impl, e](const http::Request& req) -> std::unique_ptr<http::Exchange> {
          return std::make_unique<MapiExchange>(impl, e, req);
        },
        true);
  }
}

}  // namespace exmapi::server::mapihttp_server

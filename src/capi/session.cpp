// C ABI of the MAPI session (include/exmapi/session.h).
#include <exmapi/session.h>
#include <exmapi/mapi_errors.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/text.hpp"
#include "capi/capi_guard.hpp"
#include "mapi/connect.hpp"
#include "rop/property_json.hpp"
#include "rop/property_names.hpp"

struct exmapi_session {
  std::unique_ptr<exmapi::mapi::Connection> connection;
  // exmapi_session_watch()'s subscriptions, by (folder id or 0 for the mailbox, event types).
  std::map<std::pair<uint64_t, uint32_t>, exmapi::mapi::ServerHandle> subscriptions;
  std::vector<exmapi::mapi::FolderInfo> folders;  // read once, on first use
  bool folders_read = false;
};

namespace {

using exmapi::Error;
using exmapi::mapi::FolderInfo;
namespace detail = exmapi::rop::detail;

std::string hex_id(uint64_t id) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%016llX", static_cast<unsigned long long>(id));
  return buf;
}

std::optional<uint64_t> parse_hex_id(std::string_view s) {
  if (s.size() < 3 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X')) return std::nullopt;
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(s.data() + 2, s.data() + s.size(), v, 16);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

std::string json_string(std::string_view s) {
  std::string out;
  detail::append_json_text(out, s);
  return out;
}

bool same_text(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

const std::vector<FolderInfo>& folders_of(exmapi_session* s) {
  if (!s->folders_read) {
    s->folders = s->connection->session().folder_tree();
    s->folders_read = true;
  }
  return s->folders;
}

// "Inbox/Projects": each folder's path joins its ancestors' names below the tree's top.
std::vector<std::string> folder_paths(const std::vector<FolderInfo>& folders) {
  std::vector<std::string> paths(folders.size());
  for (size_t i = 0; i < folders.size(); ++i) {
    paths[i] = folders[i].name;
    for (size_t j = 0; j < i; ++j)
      if (folders[j].id == folders[i].parent_id) {
        paths[i] = paths[j] + "/" + folders[i].name;
        break;
      }
  }
  return paths;
}

// A folder given as a path or an id; NotFound names what was asked for.
const FolderInfo& find_folder(exmapi_session* s, const char* folder) {
  exmapi::capi::require(folder, "folder");
  const std::vector<FolderInfo>& folders = folders_of(s);
  std::optional<uint64_t> id = parse_hex_id(folder);
  std::vector<std::string> paths = folder_paths(folders);
  for (size_t i = 0; i < folders.size(); ++i)
    if (id ? folders[i].id == *id : same_text(paths[i], folder)) return folders[i];
  throw Error(EXMAPI_MAPI_NotFound, std::string("no folder \"") + folder + "\" in the mailbox");
}

const char* event_name(uint16_t type) {
  namespace nt = exmapi::rop::notification_type;
  switch (type) {
    case nt::NewMail: return "NewMail";
    case nt::ObjectCreated: return "ObjectCreated";
    case nt::ObjectDeleted: return "ObjectDeleted";
    case nt::ObjectModified: return "ObjectModified";
    case nt::ObjectMoved: return "ObjectMoved";
    case nt::ObjectCopied: return "ObjectCopied";
    case nt::SearchComplete: return "SearchComplete";
    case nt::TableModified: return "TableModified";
    default: return "Extended";
  }
}

// A message's subject, if it can still be read (it may be gone by now).
std::optional<std::string> subject_of(exmapi::mapi::Session& s, uint64_t folder, uint64_t message) {
  constexpr exmapi::rop::PropTag kSubject = 0x0037001F;
  try {
    for (const auto& v : s.item_properties(folder, message))
      if (v.tag == kSubject) return v.value.as_string();
  } catch (const Error&) {
  }
  return std::nullopt;
}

std::string event_json(exmapi::mapi::Session& s, const exmapi::mapi::Notification& n) {
  namespace nt = exmapi::rop::notification_type;
  const auto& d = n.data;
  uint16_t t = d.type();
  std::string json = std::string("{\"type\":\"") + event_name(t) + "\"";
  if (t == nt::TableModified || t == nt::Extended) return json + '}';
  json += ",\"folder\":\"" + hex_id(d.folder_id) + "\"";
  if (d.on_message()) json += ",\"message\":\"" + hex_id(d.message_id) + "\"";
  bool parent_event = t == nt::ObjectCreated || t == nt::ObjectDeleted || t == nt::ObjectMoved || t == nt::ObjectCopied;
  if (parent_event && d.on_message() == d.in_search_folder()) json += ",\"parent\":\"" + hex_id(d.parent_folder_id) + "\"";
  if (t == nt::ObjectMoved || t == nt::ObjectCopied) {
    json += ",\"old_folder\":\"" + hex_id(d.old_folder_id) + "\"";
    if (d.on_message())
      json += ",\"old_message\":\"" + hex_id(d.old_message_id) + "\"";
    else
      json += ",\"old_parent\":\"" + hex_id(d.old_parent_folder_id) + "\"";
  }
  if ((t == nt::NewMail || t == nt::ObjectCreated) && d.on_message())
    if (auto subject = subject_of(s, d.folder_id, d.message_id)) json += ",\"subject\":" + json_string(*subject);
  if (t == nt::NewMail) json += ",\"message_class\":" + json_string(d.message_class) + ",\"message_flags\":" + std::to_string(d.message_flags);
  if (d.notification_flags & exmapi::rop::notification_flags::TotalMessageCount) json += ",\"total\":" + std::to_string(d.total_message_count);
  if (d.notification_flags & exmapi::rop::notification_flags::UnreadMessageCount) json += ",\"unread\":" + std::to_string(d.unread_message_count);
  if (d.tags && (t == nt::ObjectCreated || t == nt::ObjectModified)) {
    json += ",\"tags\":[";
    for (size_t i = 0; i < d.tags->size(); ++i) {
      if (i) json += ',';
      json += json_string(exmapi::rop::format_property_tag((*d.tags)[i]));
    }
    json += ']';
  }
  return json + '}';
}

void give_text(exmapi_buf* out, const std::string& text) {
  exmapi::capi::give(out, exmapi::ByteView(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
}

}  // namespace

extern "C" {

EXMAPI_EXTERN(exmapi_status) exmapi_session_open(exmapi_session** out, const exmapi_session_options* options) {
  return exmapi::capi::guard([&] {
    exmapi::capi::require(out, "out");
    *out = nullptr;
    exmapi::capi::require(options, "options");
    // Version 1 callers' structure ends before target_host, version 2's before mapi_url: never read past it.
    if (options->version < 1 || options->version > EXMAPI_SESSION_OPTIONS_VERSION)
      throw Error(EXMAPI_E_INVALID_ARGUMENT, "unknown exmapi_session_options version " + std::to_string(options->version));
    const bool v3 = options->version >= 3;
    const char* mapi_url = v3 ? options->mapi_url : nullptr;
    const char* email = v3 ? options->email : nullptr;
    if (!mapi_url && !(email && *email && !options->server)) exmapi::capi::require(options->server, "options->server");
    if (options->version >= 2 && options->http_auth > EXMAPI_HTTP_AUTH_BEARER)
      throw Error(EXMAPI_E_INVALID_ARGUMENT, "unknown HTTP authentication method");
    if (options->version >= 2 && options->http_auth == EXMAPI_HTTP_AUTH_BEARER && !mapi_url && !email)
      throw Error(EXMAPI_E_INVALID_ARGUMENT, "bearer tokens go with MAPI over HTTP (mapi_url or email)");
    if (options->auth > EXMAPI_AUTH_ANONYMOUS) throw Error(EXMAPI_E_INVALID_ARGUMENT, "unknown authentication method");
    if (options->protection > EXMAPI_PROTECTION_CONNECT) throw Error(EXMAPI_E_INVALID_ARGUMENT, "unknown protection level");
    if (options->auth != EXMAPI_AUTH_ANONYMOUS && (!options->user || !*options->user))
      throw Error(EXMAPI_E_INVALID_ARGUMENT, "a user name is needed unless the connection is anonymous");
    exmapi::mapi::ConnectSpec spec;
    if (options->server) spec.server = options->server;
    spec.port = options->port;
    if (options->user) spec.user = options->user;
    if (options->domain) spec.domain = options->domain;
    if (options->password) spec.password = options->password;
    if (options->realm) spec.realm = options->realm;
    spec.auth = static_cast<exmapi::mapi::Auth>(options->auth);
    spec.protection = static_cast<exmapi::mapi::Protection>(options->protection);
    if (options->mailbox) spec.mailbox = options->mailbox;
    if (options->version >= 2 && options->target_host) spec.target_hostname = options->target_host;
    if (options->version >= 2 && options->rpc_proxy) {
      if (options->http_flags & ~EXMAPI_HTTP_NO_TLS) throw Error(EXMAPI_E_INVALID_ARGUMENT, "unknown http_flags bits");
      exmapi::mapi::RpcProxySpec proxy;
      proxy.proxy = options->rpc_proxy;
      proxy.tls = !(options->http_flags & EXMAPI_HTTP_NO_TLS);
      if (options->ca_file) proxy.ca_file = options->ca_file;
      proxy.auth = options->http_auth == EXMAPI_HTTP_AUTH_BASIC       ? exmapi::mapi::ProxyAuth::Basic
                   : options->http_auth == EXMAPI_HTTP_AUTH_NEGOTIATE ? exmapi::mapi::ProxyAuth::Negotiate
                                                                      : exmapi::mapi::ProxyAuth::Ntlm;
      spec.rpc_proxy = proxy;
    }
    if (mapi_url || email) {
      exmapi::mapi::MapiHttpSpec m;
      if (mapi_url) m.mailbox_url = mapi_url;
      if (options->address_book_url) m.address_book_url = options->address_book_url;
      m.auth = options->http_auth == EXMAPI_HTTP_AUTH_BASIC       ? exmapi::http::AuthScheme::kBasic
               : options->http_auth == EXMAPI_HTTP_AUTH_NEGOTIATE ? exmapi::http::AuthScheme::kNegotiate
               : options->http_auth == EXMAPI_HTTP_AUTH_BEARER    ? exmapi::http::AuthScheme::kBearer
                                                                  : exmapi::http::AuthScheme::kNtlm;
      if (options->ca_file) m.ca_file = options->ca_file;
      if (options->bearer_token) m.bearer_token = options->bearer_token;
      for (const char* const* a = options->token_command; a && *a; ++a) m.bearer_token_command.emplace_back(*a);
      if (email) spec.email = email;
      if (mapi_url) spec.mapi_http = m;
      else spec.mapi_http_defaults = m;  // how to reach what Autodiscover names
    }
    auto session = std::make_unique<exmapi_session>();
    session->connection = exmapi::mapi::connect(spec);
    *out = session.release();
  });
}

EXMAPI_EXTERN(void) exmapi_session_close(exmapi_session* session) { delete session; }

EXMAPI_EXTERN(exmapi_status) exmapi_session_folders(exmapi_buf* out_json, exmapi_session* session) {
  return exmapi::capi::guard([&] {
    exmapi::capi::require(out_json, "out_json");
    exmapi::capi::require(session, "session");
    const std::vector<FolderInfo>& folders = folders_of(session);
    std::vector<std::string> paths = folder_paths(folders);
    std::string json = "[";
    for (size_t i = 0; i < folders.size(); ++i) {
      const FolderInfo& f = folders[i];
      if (i) json += ',';
      json += "{\"id\":\"" + hex_id(f.id) + "\",\"parent_id\":\"" + hex_id(f.parent_id) + "\",\"path\":" +
              json_string(paths[i]) + ",\"name\":" + json_string(f.name) +
              ",\"container_class\":" + json_string(f.container_class) + ",\"depth\":" + std::to_string(f.depth) +
              ",\"items\":" + std::to_string(f.item_count) + ",\"unread\":" + std::to_string(f.unread_count) +
              ",\"subfolders\":" + std::to_string(f.child_count) + '}';
    }
    give_text(out_json, json + ']');
  });
}

EXMAPI_EXTERN(exmapi_status) exmapi_session_items(exmapi_buf* out_json, exmapi_session* session, const char* folder,
                                                  size_t limit) {
  return exmapi::capi::guard([&] {
    exmapi::capi::require(out_json, "out_json");
    exmapi::capi::require(session, "session");
    const FolderInfo& f = find_folder(session, folder);
    auto items = session->connection->session().folder_items(f.id, limit ? limit : SIZE_MAX);
    std::string json = "[";
    for (size_t i = 0; i < items.size(); ++i) {
      const auto& item = items[i];
      if (i) json += ',';
      json += "{\"id\":\"" + hex_id(item.id) + "\",\"subject\":" + json_string(item.subject) +
              ",\"sender\":" + json_string(item.sender) + ",\"message_class\":" + json_string(item.message_class) +
              ",\"delivery_time\":" + (item.delivery_time ? json_string(exmapi::filetime_to_iso8601(static_cast<uint64_t>(*item.delivery_time))) : "null") +
              ",\"size\":" + std::to_string(item.size) + ",\"has_attachments\":" + (item.has_attachments ? "true" : "false") +
              '}';
    }
    give_text(out_json, json + ']');
  });
}

EXMAPI_EXTERN(exmapi_status) exmapi_session_item(exmapi_buf* out_json, exmapi_session* session, const char* folder,
                                                 const char* item_id) {
  return exmapi::capi::guard([&] {
    exmapi::capi::require(out_json, "out_json");
    exmapi::capi::require(session, "session");
    exmapi::capi::require(item_id, "item_id");
    const FolderInfo& f = find_folder(session, folder);
    exmapi::mapi::Session& s = session->connection->session();
    std::optional<uint64_t> id = parse_hex_id(item_id);
    if (!id) {
      size_t position = 0;
      std::string_view text(item_id);
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), position);
      if (ec != std::errc() || end != text.data() + text.size() || position == 0)
        throw Error(EXMAPI_E_INVALID_ARGUMENT, std::string("\"") + item_id + "\" is neither an item id (0x...) nor a position (1, 2, ...)");
      auto items = s.folder_items(f.id, position);
      if (items.size() < position)
        throw Error(EXMAPI_MAPI_NotFound, "folder \"" + f.name + "\" has " + std::to_string(items.size()) + " items, not " +
                                              std::to_string(position));
      id = items[position - 1].id;
    }
    std::string json = "{\"id\":\"" + hex_id(*id) + "\",\"folder\":" + json_string(f.name) + ",\"properties\":[";
    bool first = true;
    for (const auto& v : s.item_properties(f.id, *id)) {
      if (!first) json += ',';
      first = false;
      json += exmapi::rop::tagged_value_json(v);
    }
    give_text(out_json, json + "]}");
  });
}

EXMAPI_EXTERN(exmapi_status) exmapi_session_watch(exmapi_buf* out_json, exmapi_session* session, const char* folder,
                                                  uint32_t event_types, uint32_t timeout_ms) {
  return exmapi::capi::guard([&] {
    exmapi::capi::require(out_json, "out_json");
    exmapi::capi::require(session, "session");
    if (event_types == 0) event_types = EXMAPI_EVENT_ALL;
    if (event_types & ~EXMAPI_EVENT_ALL) throw Error(EXMAPI_E_INVALID_ARGUMENT, "unknown EXMAPI_EVENT_* bits");
    exmapi::mapi::Session& s = session->connection->session();
    std::optional<uint64_t> folder_id;
    if (folder) folder_id = find_folder(session, folder).id;
    auto key = std::make_pair(folder_id.value_or(0), event_types);
    if (!session->subscriptions.count(key))
      session->subscriptions[key] = s.subscribe(static_cast<uint16_t>(event_types), folder_id);
    auto events = s.wait_for_notifications(std::chrono::milliseconds(timeout_ms));
    std::string json = "[";
    bool first = true;
    for (const auto& n : events) {
      // Other subscriptions of the session (another folder's watch) keep their own events out.
      if (n.subscription != session->subscriptions[key]) continue;
      if (!first) json += ',';
      first = false;
      json += event_json(s, n);
    }
    give_text(out_json, json + ']');
  });
}
}  // extern "C"

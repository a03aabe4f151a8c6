#include "autodiscover/discover.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <optional>
#include <set>

#include "base/error.hpp"

namespace exmapi::autodiscover {

namespace {

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool is_https(const std::string& url) { return lower(url.substr(0, 8)) == "https://"; }

std::string domain_of(const std::string& email) {
  size_t at = email.rfind('@');
  if (at == std::string::npos || at == 0 || at + 1 >= email.size())
    throw Error(EXMAPI_E_INVALID_ARGUMENT, "'" + email + "' is not an email address (USER@DOMAIN)");
  std::string domain = email.substr(at + 1);
  if (domain.find_first_of("/:?#@ \t\r\n") != std::string::npos)
    throw Error(EXMAPI_E_INVALID_ARGUMENT, "'" + domain + "' is not a domain name");
  return lower(domain);
}

// Resolves a Location header against the URL that sent it.
std::string resolve_location(const std::string& base, const std::string& location) {
  CURLU* u = curl_url();
  if (!u) throw Error(EXMAPI_E_NO_MEMORY, "out of memory");
  std::string out;
  if (curl_url_set(u, CURLUPART_URL, base.c_str(), 0) == CURLUE_OK &&
      curl_url_set(u, CURLUPART_URL, location.c_str(), 0) == CURLUE_OK) {
    char* s = nullptr;
    if (curl_url_get(u, CURLUPART_URL, &s, 0) == CURLUE_OK) {
      out = s;
      curl_free(s);
    }
  }
  curl_url_cleanup(u);
  if (out.empty()) throw Error(EXMAPI_E_PROTOCOL, "the redirect target '" + location + "' is not a URL");
  return out;
}

const char* kPoxPath = "/autodiscover/autodiscover.xml";

struct Outcome {
  std::optional<PoxResponse> settings;
  std::string redirect_addr;
  std::string url;
};

class Discovery {
 public:
  explicit Discovery(const DiscoverOptions& options)
      : options_(options), client_(options.http, options.credentials), probe_(options.http, http::Credentials{}) {}

  DiscoveredEndpoints run(const std::string& email) {
    std::string address = email;
    std::set<std::string> asked;
    for (;;) {
      const std::string domain = domain_of(address);
      asked.insert(lower(address));
      Outcome o = try_candidates(address, domain);
      if (o.settings) {
        DiscoveredEndpoints ep = endpoints_from(*o.settings, options_.prefer_internal);
        ep.email = address;
        ep.autodiscover_url = o.url;
        if (ep.transport == Transport::kNone)
          throw Error(EXMAPI_E_PROTOCOL, "the Autodiscover answer from " + o.url + " offers neither MAPI over HTTP nor RPC over HTTP");
        return ep;
      }
      if (!o.redirect_addr.empty()) {
        trace("RedirectAddr " + address + " -> " + o.redirect_addr);
        if (asked.count(lower(o.redirect_addr)))
          throw Error(EXMAPI_E_LIMIT, "Autodiscover redirect loop: " + o.url + " sends " + address + " back to " + o.redirect_addr +
                                          ", which was already asked");
        count_hop(o.url);
        address = o.redirect_addr;
        continue;
      }
      // Every candidate failed.
      std::string message = "Autodiscover found no server for " + address + ":";
      for (const auto& f : failures_) message += "\n  " + f;
      throw Error(last_status_, message);
    }
  }

 private:
  void trace(const std::string& line) const {
    if (options_.trace) options_.trace(line);
  }

  void count_hop(const std::string& where) {
    if (++hops_ > options_.max_redirects)
      throw Error(EXMAPI_E_LIMIT, "Autodiscover gave up after " + std::to_string(options_.max_redirects) +
                                      " redirects (the last from " + where + ")");
  }

  void fail(const std::string& url, const std::string& why, exmapi_status status = EXMAPI_E_TRANSPORT) {
    trace(url + ": " + why);
    failures_.push_back(url + ": " + why);
    last_status_ = status;
  }

  Outcome try_candidates(const std::string& address, const std::string& domain) {
    failures_.clear();
    last_status_ = EXMAPI_E_TRANSPORT;
    Outcome o;
    // 3.1.5 steps: the domain itself, then autodiscover.DOMAIN.
    for (const std::string& host : {domain, "autodiscover." + domain}) {
      if (post_chain("https://" + host + kPoxPath, address, o)) return o;
    }
    // The unauthenticated HTTP GET whose 302 names the real (HTTPS) Autodiscover URL.
    const std::string probe_url = "http://autodiscover." + domain + kPoxPath;
    try {
      http::HttpRequest get;
      get.url = probe_url;
      trace("GET " + probe_url);
      http::HttpResponse r = probe_.send(get);
      auto location = r.header("Location");
      if (r.status >= 300 && r.status < 400 && location) {
        std::string target = resolve_location(probe_url, *location);
        if (!is_https(target)) {
          fail(probe_url, "redirects to " + target + ", which is not HTTPS (credentials are only sent over TLS)");
        } else {
          count_hop(probe_url);
          if (post_chain(target, address, o)) return o;
        }
      } else {
        fail(probe_url, "answers HTTP " + std::to_string(r.status) + " instead of a redirect");
      }
    } catch (const Error& e) {
      if (e.status() == EXMAPI_E_LIMIT) throw;
      fail(probe_url, e.message(), e.status());
    }
    if (options_.try_srv) {
      const std::string srv_name = "_autodiscover._tcp." + domain;
      try {
        trace("SRV " + srv_name);
        auto targets = lookup_srv(srv_name, options_.dns_server, options_.http.connect_timeout_ms);
        if (targets.empty()) fail("SRV " + srv_name, "no such record");
        for (const auto& t : targets) {
          std::string host = lower(t.host);
          if (!host.empty() && host.back() == '.') host.pop_back();
          std::string url = "https://" + host + (t.port == 443 || t.port == 0 ? "" : ":" + std::to_string(t.port)) + kPoxPath;
          if (post_chain(url, address, o)) return o;
        }
      } catch (const Error& e) {
        if (e.status() == EXMAPI_E_AUTH || e.status() == EXMAPI_E_LIMIT) throw;
        fail("SRV " + srv_name, e.message(), e.status());
      }
    }
    if (options_.try_json_v2) {
      for (const std::string& host : {domain, "autodiscover." + domain}) {
        const std::string base = "https://" + host;
        try {
          JsonV2Response j = query_json_v2(client_, base, address, "MapiHttp");
          if (!j.url.empty()) {
            PoxResponse synthetic;
            synthetic.account.emplace();
            synthetic.account->action = "settings";
            ProtocolSettings p;
            p.type_attribute = "mapiHttp";
            p.version_attribute = "1";
            p.mail_store.external_url = j.url;
            synthetic.account->protocols.push_back(p);
            o.settings = synthetic;
            o.url = base + json_v2_path(address, "MapiHttp");
            return o;
          }
          fail(base + "/autodiscover/autodiscover.json", "error " + j.error_code + ": " + j.error_message, EXMAPI_E_PROTOCOL);
        } catch (const Error& e) {
          if (e.status() == EXMAPI_E_AUTH) throw;
          fail(base + "/autodiscover/autodiscover.json", e.message(), e.status());
        }
      }
    }
    return o;
  }

  // POSTs the request to url, following HTTP redirects and RedirectUrl answers. True when the
  // outcome is final (settings or RedirectAddr); false when this candidate failed.
  bool post_chain(std::string url, const std::string& address, Outcome& o) {
    std::set<std::string> visited;
    for (;;) {
      if (!visited.insert(url).second)
        throw Error(EXMAPI_E_LIMIT, "Autodiscover redirect loop: " + url + " was already visited");
      http::HttpRequest req;
      req.method = "POST";
      req.url = url;
      req.headers = {{"Content-Type", "text/xml; charset=utf-8"}, {"X-MapiHttpCapability", "1"}, {"X-ClientCanHandle", "Negotiate"}};
      req.body = build_pox_request(PoxRequest{address, {}, std::string(kOutlookResponseNamespace)});
      http::HttpResponse r;
      try {
        trace("POST " + url);
        r = client_.send(req);
      } catch (const Error& e) {
        if (e.status() == EXMAPI_E_AUTH || e.status() == EXMAPI_E_INVALID_ARGUMENT) throw;
        fail(url, e.message(), e.status());
        return false;
      }
      trace("POST " + url + " -> " + std::to_string(r.status));
      auto location = r.header("Location");
      if (r.status >= 300 && r.status < 400 && location) {
        std::string target = resolve_location(url, *location);
        if (!is_https(target)) {
          fail(url, "redirects to " + target + ", which is not HTTPS");
          return false;
        }
        count_hop(url);
        url = target;
        continue;
      }
      if (r.status != 200) {
        fail(url, "HTTP status " + std::to_string(r.status), EXMAPI_E_PROTOCOL);
        return false;
      }
      PoxResponse doc;
      try {
        doc = parse_pox_response(r.body);
      } catch (const Error& e) {
        fail(url, "the answer is not an Autodiscover response: " + e.message(), e.status());
        return false;
      }
      if (doc.error && !doc.account) {
        fail(url, "the server reports error " + doc.error->error_code + " (" + doc.error->message + ")", EXMAPI_E_PROTOCOL);
        return false;
      }
      if (!doc.account) {
        fail(url, "the answer has no Account element", EXMAPI_E_PROTOCOL);
        return false;
      }
      const auto& a = *doc.account;
      if (a.action == "redirectUrl") {
        if (!is_https(a.redirect_url)) {
          fail(url, "RedirectUrl " + a.redirect_url + " is not HTTPS");
          return false;
        }
        trace("RedirectUrl " + url + " -> " + a.redirect_url);
        count_hop(url);
        url = a.redirect_url;
        continue;
      }
      o.url = url;
      if (a.action == "redirectAddr") {
        o.redirect_addr = a.redirect_addr;
        return true;
      }
      if (a.action != "settings" && !a.action.empty()) {
        fail(url, "unknown Action '" + a.action + "'", EXMAPI_E_PROTOCOL);
        return false;
      }
      o.settings = std::move(doc);
      return true;
    }
  }

  const DiscoverOptions& options_;
  http::HttpClient client_;
  http::HttpClient probe_;  // no credentials: the plain-HTTP probe must never carry them
  std::vector<std::string> failures_;
  exmapi_status last_status_ = EXMAPI_E_TRANSPORT;
  int hops_ = 0;
};

}  // namespace

const char* transport_name(Transport t) {
  switch (t) {
    case Transport::kNone: return "none";
    case Transport::kMapiHttp: return "mapi-http";
    case Transport::kRpcHttp: return "rpc-http";
  }
  return "?";
}

DiscoveredEndpoints endpoints_from(const PoxResponse& response, bool prefer_internal) {
  DiscoveredEndpoints ep;
  if (response.user) {
    ep.display_name = response.user->display_name;
    ep.legacy_dn = response.user->legacy_dn;
    ep.deployment_id = response.user->deployment_id;
  }
  if (!response.account) return ep;
  auto pick = [&](const UrlPair& u) {
    if (prefer_internal) return u.internal_url.empty() ? u.external_url : u.internal_url;
    return u.external_url.empty() ? u.internal_url : u.external_url;
  };
  const ProtocolSettings* mapi = nullptr;
  const ProtocolSettings* expr = nullptr;
  const ProtocolSettings* exch = nullptr;
  for (const auto& p : response.account->protocols) {
    if (p.is_mapi_http() && !mapi && !p.mail_store.empty()) mapi = &p;
    else if (p.type == "EXPR" && !expr) expr = &p;
    else if (p.type == "EXCH" && !exch) exch = &p;
  }
  if (exch) {
    ep.rpc_server = exch->get("Server");
    ep.rpc_server_dn = exch->get("ServerDN");
    ep.mdb_dn = exch->get("MdbDN");
  }
  if (expr) {
    ep.rpc_proxy_server = expr->get("Server");
    ep.rpc_proxy_ssl = lower(expr->get("SSL")) != "off";
    ep.rpc_auth_package = expr->get("AuthPackage");
  }
  if (mapi) {
    ep.transport = Transport::kMapiHttp;
    ep.mapi_mailbox_url = pick(mapi->mail_store);
    ep.mapi_addressbook_url = pick(mapi->address_book);
  } else if (!ep.rpc_proxy_server.empty()) {
    ep.transport = Transport::kRpcHttp;
  }
  return ep;
}

JsonV2Response query_json_v2(http::HttpClient& client, const std::string& base_url, const std::string& email,
                             const std::string& protocol) {
  http::HttpRequest req;
  req.url = base_url + json_v2_path(email, protocol);
  req.headers = {{"Accept", "application/json"}};
  http::HttpResponse r = client.send(req);
  if (r.status != 200 && !(r.status >= 400 && r.status < 500 && r.body.find('{') != std::string::npos))
    throw Error(EXMAPI_E_PROTOCOL, req.url + " answers HTTP " + std::to_string(r.status));
  return parse_json_v2_response(r.body);
}

DiscoveredEndpoints discover(const std::string& email, const DiscoverOptions& options) {
  Discovery d(options);
  return d.run(email);
}

}  // namespace exmapi::autodiscover

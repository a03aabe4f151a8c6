// The DNS SRV step of MS-OXDSCLI 3.1.5 (_autodiscover._tcp.DOMAIN), through libresolv.
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <netdb.h>
#include <netinet/in.h>
#include <resolv.h>

#include <algorithm>
#include <cstring>

#include "autodiscover/discover.hpp"
#include "base/error.hpp"

namespace exmapi::autodiscover {

namespace {
struct ResolverState {
  struct __res_state st;
  ResolverState() {
    std::memset(&st, 0, sizeof st);
    if (res_ninit(&st) != 0) throw Error(EXMAPI_E_TRANSPORT, "cannot initialise the DNS resolver");
  }
  ~ResolverState() { res_nclose(&st); }
};
}  // namespace

std::vector<SrvTarget> lookup_srv(const std::string& name, const std::string& dns_server, long timeout_ms) {
  ResolverState rs;
  auto& st = rs.st;
  if (!dns_server.empty()) {
    std::string addr = dns_server;
    uint16_t port = 53;
    if (size_t colon = addr.rfind(':'); colon != std::string::npos) {
      int p = std::atoi(addr.c_str() + colon + 1);
      if (p <= 0 || p > 65535) throw Error(EXMAPI_E_INVALID_ARGUMENT, "bad DNS server port in '" + dns_server + "'");
      port = static_cast<uint16_t>(p);
      addr.resize(colon);
    }
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    if (inet_pton(AF_INET, addr.c_str(), &sa.sin_addr) != 1)
      throw Error(EXMAPI_E_INVALID_ARGUMENT, "the DNS server '" + dns_server + "' is not an IPv4 address[:port]");
    st.nscount = 1;
    st.nsaddr_list[0] = sa;
    // IPv6 servers read from resolv.conf would take precedence over the IPv4 slot.
    for (int i = 0; i < MAXNS; ++i) st._u._ext.nsaddrs[i] = nullptr;
  }
  st.retrans = static_cast<int>(std::max(1L, timeout_ms / 1000));
  st.retry = 2;

  unsigned char answer[8192];
  int n = res_nquery(&st, name.c_str(), ns_c_in, ns_t_srv, answer, sizeof answer);
  if (n < 0) {
    switch (st.res_h_errno) {
      case HOST_NOT_FOUND:
      case NO_DATA:
        return {};
      case TRY_AGAIN:
        throw Error(EXMAPI_E_TIMEOUT, "no DNS answer for the SRV record " + name + (dns_server.empty() ? "" : " from " + dns_server));
      default:
        throw Error(EXMAPI_E_TRANSPORT, "the DNS query for the SRV record " + name + " failed");
    }
  }
  ns_msg msg;
  if (ns_initparse(answer, n, &msg) < 0) throw DecodeError(0, "DNS answer", "the answer for " + name + " is malformed");
  std::vector<SrvTarget> out;
  for (int i = 0; i < ns_msg_count(msg, ns_s_an); ++i) {
    ns_rr rr;
    if (ns_parserr(&msg, ns_s_an, i, &rr) < 0) throw DecodeError(0, "DNS answer", "a record of " + name + " is malformed");
    if (ns_rr_type(rr) != ns_t_srv || ns_rr_class(rr) != ns_c_in) continue;
    const unsigned char* rdata = ns_rr_rdata(rr);
    if (ns_rr_rdlen(rr) < 7) throw DecodeError(0, "DNS answer.SRV", "record shorter than 7 bytes");
    SrvTarget t;
    t.priority = ns_get16(rdata);
    t.weight = ns_get16(rdata + 2);
    t.port = ns_get16(rdata + 4);
    char host[NS_MAXDNAME];
    if (dn_expand(ns_msg_base(msg), ns_msg_end(msg), rdata + 6, host, sizeof host) < 0)
      throw DecodeError(0, "DNS answer.SRV.target", "bad compressed name");
    t.host = host;
    if (t.host.empty() || t.host == ".") continue;  // "." means: no such service (RFC 2782)
    out.push_back(std::move(t));
  }
  std::stable_sort(out.begin(), out.end(), [](const SrvTarget& a, const SrvTarget& b) {
    return a.priority != b.priority ? a.priority < b.priority : a.weight > b.weight;
  });
  return out;
}

}  // namespace exmapi::autodiscover

// RFR method stubs (MS-OXABREF 3.1.4; IDL in MS-OXABREF 6). hRpc is a primitive binding handle,
// not on the wire.
#pragma once

#include "ndr/ndr.hpp"

namespace exmapi::ndr::rfr {

// [in, out, unique, string] unsigned char** : a unique pointer to a unique string pointer.
template <class A>
void unique_string_pointer_param(A& a, std::string_view name, std::optional<std::optional<std::string>>& v) {
  a.param_unique(name, v, [name](auto& a, std::optional<std::string>& s) {
    a.unique(name, s, [name](auto& a, std::string& s) { a.string8(name, s); });
  });
}

// MS-OXABREF 3.1.4.1 (opnum 0).
struct RfrGetNewDSA {
  static constexpr uint16_t kOpnum = 0;
  struct Request {
    static constexpr std::string_view kName = "RfrGetNewDSA";
    uint32_t flags = 0;
    std::string user_dn;  // pUserDN
    std::optional<std::optional<std::string>> unused, server;  // ppszUnused, ppszServer
    friend bool operator==(const Request&, const Request&) = default;
    template <class A>
    void describe(A& a) {
      a.u32("ulFlags", flags);
      a.param("pUserDN", [&](auto& a) { a.string8("pUserDN", user_dn); });
      unique_string_pointer_param(a, "ppszUnused", unused);
      unique_string_pointer_param(a, "ppszServer", server);
    }
  };
  struct Response {
    static constexpr std::string_view kName = "RfrGetNewDSA";
    std::optional<std::optional<std::string>> unused, server;
    uint32_t result = 0;
    friend bool operator==(const Response&, const Response&) = default;
    template <class A>
    void describe(A& a) {
      unique_string_pointer_param(a, "ppszUnused", unused);
      unique_string_pointer_param(a, "ppszServer", server);
      a.u32("ReturnValue", result);
    }
  };
};

// MS-OXABREF 3.1.4.2 (opnum 1).
struct RfrGetFQDNFromServerDN {
  static constexpr uint16_t kOpnum = 1;
  struct Request {
    static constexpr std::string_view kName = "RfrGetFQDNFromServerDN";
    uint32_t flags = 0;
    // cbMailboxServerDN, [range(10, 1024)]: the string's max_count, at least its length plus NUL.
    uint32_t server_dn_size = 0;
    std::string server_dn;  // szMailboxServerDN
    friend bool operator==(const Request&, const Request&) = default;
    template <class A>
    void describe(A& a) {
      a.u32("ulFlags", flags);
      a.ranged_u32("cbMailboxServerDN", server_dn_size, 1024);
      if (server_dn_size < 10) a.fail("cbMailboxServerDN", "is below its range 10..1024");
      a.param("szMailboxServerDN", [&](auto& a) { a.string8("szMailboxServerDN", server_dn, server_dn_size); });
    }
  };
  struct Response {
    static constexpr std::string_view kName = "RfrGetFQDNFromServerDN";
    std::optional<std::string> server_fqdn;  // ppszServerFQDN
    uint32_t result = 0;
    friend bool operator==(const Response&, const Response&) = default;
    template <class A>
    void describe(A& a) {
      a.param_unique("ppszServerFQDN", server_fqdn, [](auto& a, std::string& s) { a.string8("ppszServerFQDN", s); });
      a.u32("ReturnValue", result);
    }
  };
};

}  // namespace exmapi::ndr::rfr

// EMSMDB and AsyncEMSMDB method stubs (MS-OXCRPC 3.1.4 and 3.3.4; IDL in MS-OXCRPC 6). The
// primitive binding handle of EcDoConnectEx / EcDummyRpc is not on the wire; CXH and ACXH are
// 20-byte context handles. Byte arrays sized by a later parameter ([size_is(cbIn)] rgbIn[], then
// cbIn) carry their max_count inline before the bytes, and the later count must agree with it.
#pragma once

#include "ndr/ndr.hpp"

namespace exmapi::ndr::emsmdb {

constexpr uint64_t kBigRange = 0x40000;   // BIG_RANGE_ULONG
constexpr uint64_t kSmallRange = 0x1008;  // SMALL_RANGE_ULONG
constexpr uint64_t kAnySize = 0xFFFFFFFF;

// [in, size_is(cb)] unsigned char rgb[]: max_count then the bytes. The caller describes the later cb
// parameter (a u32, or a u16 in EcRRegisterPushNotification) and checks it against the max_count.
template <class A>
uint32_t conformant_bytes(A& a, std::string_view name, Bytes& b) {
  uint32_t max = a.conformance(name, b.size());
  a.byte_elements(name, b, max);
  return max;
}
// [out, length_is(*pcb), size_is(*pcb)] unsigned char rgb[]: max_count, offset, actual_count, bytes.
template <class A>
uint32_t conformant_varying_bytes(A& a, std::string_view name, Bytes& b) {
  uint32_t max = a.conformance(name, b.size());
  a.variance(name, max);
  a.byte_elements(name, b, max);
  return max;
}
template <class A>
void size_param32(A& a, std::string_view name, std::string_view array, uint32_t max, size_t size, uint64_t range) {
  size_t n = a.count32(name, size, range);
  a.same_size(array, max, n);
}

// MS-OXCRPC 3.1.4.3 (opnum 1).
struct EcDoDisconnect {
  static constexpr uint16_t kOpnum = 1;
  struct Request {
    static constexpr std::string_view kName = "EcDoDisconnect";
    ContextHandle cxh;
    friend bool operator==(const Request&, const Request&) = default;
    template <class A>
    void describe(A& a) {
      a.context_handle("pcxh", cxh);
    }
  };
  struct Response {
    static constexpr std::string_view kName = "EcDoDisconnect";
    ContextHandle cxh;
    uint32_t result = 0;
    friend bool operator==(const Response&, const Response&) = default;
    template <class A>
    void describe(A& a) {
      a.context_handle("pcxh", cxh);
      a.u32("ReturnValue", result);
    }
  };
};

// MS-OXCRPC 3.1.4.5 (opnum 4).
struct EcRRegisterPushNotification {
  static constexpr uint16_t kOpnum = 4;
  struct Request {
    static constexpr std::string_view kName = "EcRRegisterPushNotification";
    ContextHandle cxh;
    uint32_t rpc = 0;  // iRpc
    Bytes context;     // rgbContext
    uint32_t advise_bits = 0;
    Bytes callback_address;  // rgbCallbackAddress (a SOCKADDR)
    friend bool operator==(const Request&, const Request&) = default;
    template <class A>
    void describe(A& a) {
      a.context_handle("pcxh", cxh);
      a.u32("iRpc", rpc);
      uint32_t max = conformant_bytes(a, "rgbContext", context);
      a.same_size("rgbContext", max, a.count16("cbContext", context.size()));
      a.u32("grbitAdviseBits", advise_bits);
      max = conformant_bytes(a, "rgbCallbackAddress", callback_address);
      a.same_size("rgbCallbackAddress", max, a.count16("cbCallbackAddress", callback_address.size()));
    }
  };
  struct Response {
    static constexpr std::string_view kName = "EcRRegisterPushNotification";
    ContextHandle cxh;
    uint32_t notification = 0;  // hNotification
    uint32_t result = 0;
    friend bool operator==(const Response&, const Response&) = default;
    template <class A>
    void describe(A& a) {
      a.context_handle("pcxh", cxh);
      a.u32("hNotification", notification);
      a.u32("ReturnValue", result);
    }
  };
};

// MS-OXCRPC 3.1.4.6 (opnum 6): no [in] parameter on the wire.
struct EcDummyRpc {
  static constexpr uint16_t kOpnum = 6;
  struct Request {
    static constexpr std::string_view kName = "EcDummyRpc";
    friend bool operator==(const Request&, const Request&) = default;
    template <class A>
    void describe(A&) {}
  };
  struct Response {
    static constexpr std::string_view kName = "EcDummyRpc";
    uint32_t result = 0;
    friend bool operator==(const Response&, const Response&) = default;
    template <class A>
    void describe(A& a) {
      a.u32("ReturnValue", result);
    }
  };
};

// MS-OXCRPC 3.1.4.1 (opnum 10).
struct EcDoConnectEx {
  static constexpr uint16_t kOpnum = 10;
  struct Request {
    static constexpr std::string_view kName = "EcDoConnectEx";
    std::string user_dn;  // szUserDN, 8-bit
    uint32_t flags = 0, connection_mod = 0, limit = 0, cpid = 0, lcid_string = 0, lcid_sort = 0, icxr_link = 0;
    uint16_t can_convert_code_pages = 0;
    std::array<uint16_t, 3> client_version{};
    uint32_t timestamp = 0;
    Bytes aux_in;
    uint32_t aux_out_size = 0;  // pcbAuxOut: the most the client accepts
    friend bool operator==(const Request&, const Request&) = default;
    template <class A>
    void describe(A& a) {
      a.param("szUserDN", [&](auto& a) { a.string8("szUserDN", user_dn); });
      a.u32("ulFlags", flags);
      a.u32("ulConMod", connection_mod);
      a.u32("cbLimit", limit);
      a.u32("ulCpid", cpid);
      a.u32("ulLcidString", lcid_string);
      a.u32("ulLcidSort", lcid_sort);
      a.u32("ulIcxrLink", icxr_link);
      a.u16("usFCanConvertCodePages", can_convert_code_pages);
      a.fixed_u16s("rgwClientVersion", client_version);
      a.u32("pulTimeStamp", timestamp);
      uint32_t max = conformant_bytes(a, "rgbAuxIn", aux_in);
      size_param32(a, "cbAuxIn", "rgbAuxIn", max, aux_in.size(), kAnySize);
      a.ranged_u32("pcbAuxOut", aux_out_size, kSmallRange);
    }
  };
  struct Response {
    static constexpr std::string_view kName = "EcDoConnectEx";
    ContextHandle cxh;
    uint32_t polls_max = 0, retry = 0, retry_delay = 0;
    uint16_t icxr = 0;
    std::optional<std::string> dn_prefix, display_name;
    std::array<uint16_t, 3> server_version{}, best_version{};
    uint32_t timestamp = 0;
    Bytes aux_out;
    uint32_t result = 0;
    friend bool operator==(const Response&, const Response&) = default;
    template <class A>
    void describe(A& a) {
      a.context_handle("pcxh", cxh);
      a.u32("pcmsPollsMax", polls_max);
      a.u32("pcRetry", retry);
      a.u32("pcmsRetryDelay", retry_delay);
      a.u16("picxr", icxr);
      a.param_unique("szDNPrefix", dn_prefix, [](auto& a, std::string& s) { a.string8("szDNPrefix", s); });
      a.param_unique("szDisplayName", display_name, [](auto& a, std::string& s) { a.string8("szDisplayName", s); });
      a.fixed_u16s("rgwServerVersion", server_version);
      a.fixed_u16s("rgwBestVersion", best_version);
      a.u32("pulTimeStamp", timestamp);
      uint32_t max = conformant_varying_bytes(a, "rgbAuxOut", aux_out);
      size_param32(a, "pcbAuxOut", "rgbAuxOut", max, aux_out.size(), kSmallRange);
      a.u32("ReturnValue", result);
    }
  };
};

// MS-OXCRPC 3.1.4.2 (opnum 11).
struct EcDoRpcExt2 {
  static constexpr uint16_t kOpnum = 11;
  struct Request {
    static constexpr std::string_view kName = "EcDoRpcExt2";
    ContextHandle cxh;
    uint32_t flags = 0;  // pulFlags
    Bytes in;            // rgbIn: RPC_HEADER_EXT and the ROP request buffers
    uint32_t out_size = 0;  // pcbOut: the most the client accepts
    Bytes aux_in;
    uint32_t aux_out_size = 0;
    friend bool operator==(const Request&, const Request&) = default;
    template <class A>
    void describe(A& a) {
      a.context_handle("pcxh", cxh);
      a.u32("pulFlags", flags);
      uint32_t max = conformant_bytes(a, "rgbIn", in);
      size_param32(a, "cbIn", "rgbIn", max, in.size(), kAnySize);
      a.ranged_u32("pcbOut", out_size, kBigRange);
      max = conformant_bytes(a, "rgbAuxIn", aux_in);
      size_param32(a, "cbAuxIn", "rgbAuxIn", max, aux_in.size(), kAnySize);
      a.ranged_u32("pcbAuxOut", aux_out_size, kSmallRange);
    }
  };
  struct Response {
    static constexpr std::string_view kName = "EcDoRpcExt2";
    ContextHandle cxh;
    uint32_t flags = 0;
    Bytes out;  // rgbOut
    Bytes aux_out;
    uint32_t trans_time = 0;  // pulTransTime
    uint32_t result = 0;
    friend bool operator==(const Response&, const Response&) = default;
    template <class A>
    void describe(A& a) {
      a.context_handle("pcxh", cxh);
      a.u32("pulFlags", flags);
      uint32_t max = conformant_varying_bytes(a, "rgbOut", out);
      size_param32(a, "pcbOut", "rgbOut", max, out.size(), kBigRange);
      max = conformant_varying_bytes(a, "rgbAuxOut", aux_out);
      size_param32(a, "pcbAuxOut", "rgbAuxOut", max, aux_out.size(), kSmallRange);
      a.u32("pulTransTime", trans_time);
      a.u32("ReturnValue", result);
    }
  };
};

// MS-OXCRPC 3.1.4.4 (opnum 14).
struct EcDoAsyncConnectEx {
  static constexpr uint16_t kOpnum = 14;
  struct Request {
    static constexpr std::string_view kName = "EcDoAsyncConnectEx";
    ContextHandle cxh;
    friend bool operator==(const Request&, const Request&) = default;
    template <class A>
    void describe(A& a) {
      a.context_handle("cxh", cxh);
    }
  };
  struct Response {
    static constexpr std::string_view kName = "EcDoAsyncConnectEx";
    ContextHandle acxh;
    uint32_t result = 0;
    friend bool operator==(const Response&, const Response&) = default;
    template <class A>
    void describe(A& a) {
      a.context_handle("pacxh", acxh);
      a.u32("ReturnValue", result);
    }
  };
};

// AsyncEMSMDB, MS-OXCRPC 3.3.4.1 (opnum 0).
struct EcDoAsyncWaitEx {
  static constexpr uint16_t kOpnum = 0;
  struct Request {
    static constexpr std::string_view kName = "EcDoAsyncWaitEx";
    ContextHandle acxh;
    uint32_t flags_in = 0;
    friend bool operator==(const Request&, const Request&) = default;
    template <class A>
    void describe(A& a) {
      a.context_handle("acxh", acxh);
      a.u32("ulFlagsIn", flags_in);
    }
  };
  struct Response {
    static constexpr std::string_view kName = "EcDoAsyncWaitEx";
    uint32_t flags_out = 0;  // pulFlagsOut: NotificationPending 0x00000001
    uint32_t result = 0;
    friend bool operator==(const Response&, const Response&) = default;
    template <class A>
    void describe(A& a) {
      a.u32("pulFlagsOut", flags_out);
      a.u32("ReturnValue", result);
    }
  };
};

}  // namespace exmapi::ndr::emsmdb

// Request and response bodies of every MAPI over HTTP request type (MS-OXCMAPIHTTP 2.2.4 mailbox
// endpoint, 2.2.5 address book endpoint; PING, 2.2.6, has none). One codec for both sides: a client
// encodes requests and decodes responses, a server the reverse.
//
// Each body is described ONCE by describe(archive), walked by the ROP archives of
// rop/rop_codec.hpp: Encoder, Decoder (bounds-checked, DecodeError with offset and field path),
// Printer (JSON) and Sampler (generated values for tests and fuzz seeds). The bodies are plain
// little-endian packed structures like ROP buffers, so those archives fit them unchanged.
//
// Conventions the descriptions follow:
// - Every response starts with StatusCode. StatusCode 0 is the success form (2.2.4.x.2, 2.2.5.x.2):
//   ErrorCode and the request type's fields follow. Any other StatusCode is the failure form
//   (2.2.4.x.3, 2.2.5.x.3): only AuxiliaryBufferSize and AuxiliaryBuffer follow. The success-only
//   members of a response struct are meaningful only when status_code == 0 and are not written
//   for a failure.
// - "HasX" bytes (HasState, HasMinimalIds, HasColumns...) become std::optional members: a nonzero
//   byte means present (the spec's wording for every one of them); we write TRUE as 0xFF, as
//   2.2.1.1 defines TRUE, so a body that used another nonzero byte re-encodes with 0xFF.
// - AuxiliaryBuffer and Execute's RopBuffer stay the raw bytes of their extended buffers
//   (MS-OXCRPC 3.1.4.1.1, 3.1.4.2.1): wire/extended_buffer.hpp unpacks and packs them,
//   wire/aux_blocks.hpp decodes the auxiliary blocks, rop/rop_buffer.hpp the ROPs inside.
// - Counts are 4 bytes; restrictions and property values use 4-byte COUNTs (CountWidth::Wide);
//   LargePropertyTagArray and ExplicitTable counts are limited to 100,000 (2.2.1.8, 2.2.5.12.1).
#pragma once

#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "base/bytes.hpp"
#include "base/error.hpp"
#include "mapihttp/ab_values.hpp"
#include "mapihttp/framing.hpp"
#include "ndr/nspi_types.hpp"
#include "rop/one_of.hpp"
#include "rop/rop_codec.hpp"

namespace exmapi::mapihttp {

using Stat = ndr::nspi::Stat;  // STAT (MS-OXNSPI 2.3.7): 36 bytes, the same nine DWORDs here
using rop::Restriction;

// ---- description helpers ----------------------------------------------------------------------------

template <class A>
void auxiliary_buffer(A& a, Bytes& b) {
  size_t n = a.count32("AuxiliaryBufferSize", b.size());
  a.bytes("AuxiliaryBuffer", b, n);
}

// StatusCode, then ErrorCode when StatusCode is 0. Returns whether the success fields follow.
template <class A>
bool response_status(A& a, uint32_t& status_code, uint32_t& error_code) {
  a.return_value("StatusCode", status_code);
  if (status_code != 0) return false;
  a.return_value("ErrorCode", error_code);
  return true;
}

// A HasX byte and, when it is nonzero, the field it announces.
template <class A, class T, class Body>
void optional_field(A& a, std::string_view has_name, std::optional<T>& v, Body&& body) {
  uint8_t flag = v ? kTrue : 0x00;
  a.u8(has_name, flag);
  if constexpr (std::decay_t<A>::kDecoding) {
    if (!flag) {
      v.reset();
      return;
    }
    // The reference emplace() returns, not *v: GCC 12 at -O2 otherwise believes the new value's
    // vectors "may be used uninitialized" (-Wmaybe-uninitialized through std::optional).
    body(a, v ? *v : v.emplace());
    return;
  }
  if (v) body(a, *v);
}

namespace detail {
[[noreturn]] void throw_large_count_encode(std::string_view field, size_t n);
[[noreturn]] void throw_large_count_decode(size_t offset, std::string_view field, size_t n);
}  // namespace detail

// A 4-byte count "limited to 100,000".
template <class A>
size_t large_count(A& a, std::string_view name, size_t n) {
  if constexpr (std::is_same_v<A, rop::Encoder>)
    if (n > kMaxLargeCount) detail::throw_large_count_encode(name, n);
  size_t got = a.count32(name, n);
  if constexpr (std::is_same_v<A, rop::Decoder>)
    if (got > kMaxLargeCount) detail::throw_large_count_decode(a.reader().offset() - 4, name, got);
  return got;
}

// LargePropertyTagArray (2.2.1.8): PropertyTagCount, PropertyTags.
template <class A>
void large_tags(A& a, std::string_view name, std::vector<PropTag>& tags) {
  size_t n = large_count(a, "PropertyTagCount", tags.size());
  a.list(name, tags, n, 4, [](auto& a, PropTag& t) { a.prop_tag("", t); });
}

// A 4-byte count and that many MinimalEntryIDs (MS-OXNSPI 2.3.8.1: a DWORD each).
template <class A>
void minimal_ids(A& a, std::string_view count_name, std::string_view name, std::vector<uint32_t>& ids) {
  size_t n = a.count32(count_name, ids.size());
  a.list(name, ids, n, 4, [](auto& a, uint32_t& id) { a.u32("", id); });
}

template <class A>
void state(A& a, std::optional<Stat>& s) {
  optional_field(a, "HasState", s, [](auto& a, Stat& st) { a.object("State", st); });
}

// A restriction with 4-byte counts (MS-OXCDATA 2.12 in its MAPI/HTTP width).
struct WideRestrictionCodec {
  static Restriction decode(ByteReader& r) { return rop::decode_restriction(r, rop::CountWidth::Wide); }
  static void encode(ByteWriter& w, const Restriction& v) { rop::encode_restriction(w, v, rop::CountWidth::Wide); }
  static std::string print_json(const Restriction& v) { return rop::restriction_json(v); }
  static void sample(rop::Sampler& s, Restriction& v) { s.value("", v, rop::RestrictionCodec{}); }
  static constexpr size_t kMinSize = 1;
};

template <class A>
void optional_minimal_ids(A& a, std::optional<std::vector<uint32_t>>& v) {
  optional_field(a, "HasMinimalIds", v,
                 [](auto& a, std::vector<uint32_t>& ids) { minimal_ids(a, "MinimalIdCount", "MinimalIds", ids); });
}
template <class A>
void optional_tags(A& a, std::string_view has_name, std::string_view name, std::optional<std::vector<PropTag>>& v) {
  optional_field(a, has_name, v, [&](auto& a, std::vector<PropTag>& tags) { large_tags(a, name, tags); });
}

// Columns (a LargePropertyTagArray), RowCount and RowData (AddressBookPropertyRows against those
// columns): the tail of GetMatches, QueryRows, SeekEntries and ResolveNames responses.
struct ColumnsAndRows {
  std::vector<PropTag> columns;
  std::vector<AbRow> rows;
  friend bool operator==(const ColumnsAndRows&, const ColumnsAndRows&) = default;
};
template <class A>
void columns_and_rows(A& a, std::string_view has_name, std::string_view columns_name, std::optional<ColumnsAndRows>& v) {
  optional_field(a, has_name, v, [&](auto& a, ColumnsAndRows& cr) {
    large_tags(a, columns_name, cr.columns);
    size_t n = a.count32("RowCount", cr.rows.size());
    a.list("RowData", cr.rows, n, 1, [&](auto& a, AbRow& row) { a.value("", row, AbRowCodec{&cr.columns}); });
  });
}

// GetMatches' PropertyNameGuid and PropertyNameId (2.2.5.5.1).
struct PropertyName {
  Guid guid;
  uint32_t id = 0;
  friend bool operator==(const PropertyName&, const PropertyName&) = default;
};

#define EXMAPI_MH_BODY(TYPE, SUFFIX) \
  static constexpr RequestType kType = RequestType::TYPE; \
  static constexpr std::string_view kName = #TYPE SUFFIX

// ==== mailbox server endpoint (2.2.4) =====================================================================

// 2.2.4.1: EcDoConnectEx over HTTP.
struct ConnectRequest {
  EXMAPI_MH_BODY(Connect, "Request");
  std::string user_dn;  // null-terminated ASCII
  uint32_t flags = 0;
  uint32_t default_code_page = 0;
  uint32_t lcid_sort = 0;
  uint32_t lcid_string = 0;
  Bytes auxiliary_buffer;
  friend bool operator==(const ConnectRequest&, const ConnectRequest&) = default;
  template <class A>
  void describe(A& a) {
    a.str8z("UserDn", user_dn);
    a.u32("Flags", flags);
    a.u32("DefaultCodePage", default_code_page);
    a.u32("LcidSort", lcid_sort);
    a.u32("LcidString", lcid_string);
    mapihttp::auxiliary_buffer(a, auxiliary_buffer);
  }
};
struct ConnectResponse {
  EXMAPI_MH_BODY(Connect, "Response");
  uint32_t status_code = 0;
  uint32_t error_code = 0;
  uint32_t polls_max = 0;    // milliseconds
  uint32_t retry_count = 0;
  uint32_t retry_delay = 0;  // milliseconds
  std::string dn_prefix;     // null-terminated ASCII
  std::string display_name;  // null-terminated Unicode
  Bytes auxiliary_buffer;
  friend bool operator==(const ConnectResponse&, const ConnectResponse&) = default;
  template <class A>
  void describe(A& a) {
    if (response_status(a, status_code, error_code)) {
      a.u32("PollsMax", polls_max);
      a.u32("RetryCount", retry_count);
      a.u32("RetryDelay", retry_delay);
      a.str8z("DnPrefix", dn_prefix);
      a.utf16z("DisplayName", display_name);
    }
    mapihttp::auxiliary_buffer(a, auxiliary_buffer);
  }
};

// 2.2.4.2: EcDoRpcExt2 over HTTP.
struct ExecuteRequest {
  EXMAPI_MH_BODY(Execute, "Request");
  uint32_t flags = 0;  // pulFlags: NoCompression 0x1, NoXorMagic 0x2, Chain 0x4 (MS-OXCRPC 3.1.4.2)
  Bytes rop_buffer;    // rgbIn: RPC_HEADER_EXT-framed ROP requests
  uint32_t max_rop_out = 0;
  Bytes auxiliary_buffer;
  friend bool operator==(const ExecuteRequest&, const ExecuteRequest&) = default;
  template <class A>
  void describe(A& a) {
    a.u32("Flags", flags);
    size_t n = a.count32("RopBufferSize", rop_buffer.size());
    a.bytes("RopBuffer", rop_buffer, n);
    a.u32("MaxRopOut", max_rop_out);
    mapihttp::auxiliary_buffer(a, auxiliary_buffer);
  }
};
struct ExecuteResponse {
  EXMAPI_MH_BODY(Execute, "Response");
  uint32_t status_code = 0;
  uint32_t error_code = 0;
  uint32_t flags = 0;  // reserved: the server writes 0, the client ignores it
  Bytes rop_buffer;    // rgbOut
  Bytes auxiliary_buffer;
  friend bool operator==(const ExecuteResponse&, const ExecuteResponse&) = default;
  template <class A>
  void describe(A& a) {
    if (response_status(a, status_code, error_code)) {
      a.u32("Flags", flags);
      size_t n = a.count32("RopBufferSize", rop_buffer.size());
      a.bytes("RopBuffer", rop_buffer, n);
    }
    mapihttp::auxiliary_buffer(a, auxiliary_buffer);
  }
};

// 2.2.4.3: EcDoDisconnect over HTTP.
struct DisconnectRequest {
  EXMAPI_MH_BODY(Disconnect, "Request");
  Bytes auxiliary_buffer;
  friend bool operator==(const DisconnectRequest&, const DisconnectRequest&) = default;
  template <class A>
  void describe(A& a) {
    mapihttp::auxiliary_buffer(a, auxiliary_buffer);
  }
};
struct DisconnectResponse {
  EXMAPI_MH_BODY(Disconnect, "Response");
  uint32_t status_code = 0;
  uint32_t error_code = 0;
  Bytes auxiliary_buffer;
  friend bool operator==(const DisconnectResponse&, const DisconnectResponse&) = default;
  template <class A>
  void describe(A& a) {
    response_status(a, status_code, error_code);
    mapihttp::auxiliary_buffer(a, auxiliary_buffer);
  }
};

// 2.2.4.4: EcDoAsyncWaitEx over HTTP.
struct NotificationWaitRequest {
  EXMAPI_MH_BODY(NotificationWait, "Request");
  uint32_t flags = 0;  // reserved: 0
  Bytes auxiliary_buffer;
  friend bool operator==(const NotificationWaitRequest&, const NotificationWaitRequest&) = default;
  template <class A>
  void describe(A& a) {
    a.u32("Flags", flags);
    mapihttp::auxiliary_buffer(a, auxiliary_buffer);
  }
};
struct NotificationWaitResponse {
  EXMAPI_MH_BODY(NotificationWait, "Response");
  uint32_t status_code = 0;
  uint32_t error_code = 0;
  uint32_t event_pending = 0;  // 0x00000001: an event is pending (send Execute to fetch it)
  Bytes auxiliary_buffer;
  friend bool operator==(const NotificationWaitResponse&, const NotificationWaitResponse&) = default;
  template <class A>
  void describe(A& a) {
    if (response_status(a, status_code, error_code)) a.u32("EventPending", event_pending);
    mapihttp::auxiliary_buffer(a, auxiliary_buffer);
  }
};

// ==== address book server endpoint (2.2.5) =================================================================

// A response whose success form is StatusCode, ErrorCode, AuxiliaryBuffer only.
#define EXMAPI_MH_PLAIN_RESPONSE(TYPE)                                              \
  struct TYPE##Response {                                                           \
    EXMAPI_MH_BODY(TYPE, "Response");                                               \
    uint32_t status_code = 0;                                                       \
    uint32_t error_code = 0;                                                        \
    Bytes auxiliary_buffer;                                                         \
    friend bool operator==(const TYPE##Response&, const TYPE##Response&) = default; \
    template <class A>                                                              \
    void describe(A& a) {                                                           \
      response_status(a, status_code, error_code);                                  \
      mapihttp::auxiliary_buffer(a, auxiliary_buffer);                              \
    }                                                                               \
  }

// 2.2.5.1: NspiBind.
struct BindRequest {
  EXMAPI_MH_BODY(Bind, "Request");
  uint32_t flags = 0;  // only fAnonymousLogin (0x20) matters
  std::optional<Stat> state;
  Bytes auxiliary_buffer;
  friend bool operator==(const BindRequest&, const BindRequest&) = default;
  template <class A>
  void describe(A& a) {
    a.u32("Flags", flags);
    mapihttp::state(a, state);
    mapihttp::auxiliary_buffer(a, auxiliary_buffer);
  }
};
struct BindResponse {
  EXMAPI_MH_BODY(Bind, "Response");
  uint32_t status_code = 0;
  uint32_t error_code = 0;
  Guid server_guid;
  Bytes auxiliary_buffer;
  friend bool operator==(const BindResponse&, const BindResponse&) = default;
  template <class A>
  void describe(A& a) {
    if (response_status(a, status_code, error_code)) a.guid("ServerGuid", server_guid);
    mapihttp::auxiliary_buffer(a, auxiliary_buffer);
  }
};

// 2.2.5.2: NspiUnbind.
struct UnbindRequest {
  EXMAPI_MH_BODY(Unbind, "Request");
  uint32_t reserved = 0;
  Bytes auxiliary_buffer;
  friend bool operator==(const UnbindRequest&, const UnbindRequest&) = default;
  template <class A>
  void describe(A& a) {
    a.u32("Reserved", reserved);
    mapihttp::auxiliary_buffer(a, auxiliary_buffer);
  }
};
EXMAPI_MH_PLAIN_RESPONSE(Unbind);

// 2.2.5.3: NspiCompareMIds.
struct CompareMIdsRequest {
  EXMAPI_MH_BODY(CompareMIds, "Request");
  uint32_t reserved = 0;
  std::optional<Stat> state;
  uint32_t minimal_id1 = 0, minimal_id2 = 0;
  Bytes auxiliary_buffer;
  friend bool operator==(const CompareMIdsRequest&, const CompareMIdsRequest&) = default;
  template <class A>
  void describe(A& a) {
    a.u32("Reserved", reserved);
    mapihttp::state(a, state);
    a.u32("MinimalId1", minimal_id1);
    a.u32("MinimalId2", minimal_id2);
    mapihttp::auxiliary_buffer(a, auxiliary_buffer);
  }
};
struct CompareMIdsResponse {
  EXMAPI_MH_BODY(CompareMIds, "Response");
  uint32_t status_code = 0;
  uint32_t error_code = 0;
  int32_t result = 0;  // <0: MinimalId1 first; 0: same object; >0: MinimalId2 first
  Bytes auxiliary_buffer;
  friend bool operator==(const CompareMIdsResponse&, const CompareMIdsResponse&) = default;
  template <class A>
  void describe(A& a) {
    if (response_status(a, status_code, error_code)) a.i32("Result", result);
    mapihttp::auxiliary_buffer(a, auxiliary_buffer);
  }
};

// 2.2.5.4: NspiDNToMId.
struct DNToMIdRequest {
  EXMAPI_MH_BODY(DNToMId, "Request");
  uint32_t reserved = 0;
  std::optional<std::vector<std::string>> names;  // null-terminated ASCII DNs
  Bytes auxiliary_buffer;
  friend bool operator==(const DNToMIdRequest&, const DNToMIdRequest&) = default;
  template <class A>
  void describe(A& a) {
    a.u32("Reserved", reserved);
    optional_field(a, "HasNames", names, [](auto& a, std::vector<std::string>& v) {
      size_t n = a.count32("NameCount", v.size());
      a.list("NameValues", v, n, 1, [](auto& a, std::string& s) { a.str8z("", s); });
    });
    mapihttp::auxiliary_buffer(a, auxiliary_buffer);
  }
};
struct DNToMIdResponse {
  EXMAPI_MH_BODY(DNToMId, "Response");
  uint32_t status_code = 0;
  uint32_t error_code = 0;
  std::optional<std::vector<uint32_t>> minimal_ids;
  Bytes auxiliary_buffer;
  friend bool operator==(const DNToMIdResponse&, const DNToMIdResponse&) = default;
  template <class A>
  void describe(A& a) {
    if (response_status(a, status_code, error_code)) optional_minimal_ids(a, minimal_ids);
    mapihttp::auxiliary_buffer(a, auxiliary_buffer);
  }
};


// 2.2.5.5: NspiGetMatches.
struct GetMatchesRequest {
  EXMAPI_MH_BODY(GetMatches, "Request");
  uint32_t reserved = 0;
  std::optional<Stat> state;
  std::optional<std::vector<uint32_t>> minimal_ids;  // an Explicit Table
  uint32_t interface_option_flags = 0;  // reserved: 0
  std::optional<Restriction> filter;
  std::optional<PropertyName> property_name;
  uint32_t row_count = 0;
  std::optional<std::vector<PropTag>> columns;
  Bytes auxiliary_buffer;
  friend bool operator==(const GetMatchesRequest&, const GetMatchesRequest&) = default;
  template <class A>
  void describe(A& a) {
    a.u32("Reserved", reserved);
    mapihttp::state(a, state);
    optional_minimal_ids(a, minimal_ids);
    a.u32("InterfaceOptionFlags", interface_option_flags);
    optional_field(a, "HasFilter", filter, [](auto& a, Restriction& r) { a.value("Filter", r, WideRestrictionCodec{}); });
    optional_field(a, "HasPropertyName", property_name, [](auto& a, PropertyName& p) {
      a.guid("PropertyNameGuid", p.guid);
      a.u32("PropertyNameId", p.id);
    });
    a.u32("RowCount", row_count);
    optional_tags(a, "HasColumns", "Columns", columns);
    mapihttp::auxiliary_buffer(a, auxiliary_buffer);
  }
};
struct GetMatchesResponse {
  EXMAPI_MH_BODY(GetMatches, "Response");
  uint32_t status_code = 0;
  uint32_t error_code = 0;
  std::optional<Stat> state;
  std::optional<std::vector<uint32_t>> minimal_ids;
  std::optional<ColumnsAndRows> columns_and_rows;
  Bytes auxiliary_buffer;
  friend bool operator==(const GetMatchesResponse&, const GetMatchesResponse&) = default;
  template <class A>
  void describe(A& a) {
    if (response_status(a, status_code, error_code)) {
      mapihttp::state(a, state);
      optional_minimal_ids(a, minimal_ids);
      mapihttp::columns_and_rows(a, "HasColumnsAndRows", "Columns", columns_and_rows);
    }
    mapihttp::auxiliary_buffer(a, auxiliary_buffer);
  }
};

// 2.2.5.6: NspiGetPropList.
struct GetPropListRequest {
  EXMAPI_MH_BODY(GetPropList, "Request");
  uint32_t flags = 0;
  uint32_t minimal_id = 0;
  uint32_t code_page = 0;
  Bytes auxiliary_buffer;
  friend bool operator==(const GetPropListRequest&, const GetPropListRequest&) = default;
  template <class A>
  void describe(A& a) {
    a.u32("Flags", flags);
    a.u32("MinimalId", minimal_id);
    a.u32("CodePage", code_page);
    mapihttp::auxiliary_buffer(a, auxiliary_buffer);
  }
};
struct GetPropListResponse {
  EXMAPI_MH_BODY(GetPropList, "Response");
  uint32_t status_code = 0;
  uint32_t error_code = 0;
  std::optional<std::vector<PropTag>> property_tags;
  Bytes auxiliary_buffer;
  friend bool operator==(const GetPropListResponse&, const GetPropListResponse&) = default;
  template <class A>
  void describe(A& a) {
    if (response_status(a, status_code, error_code)) optional_tags(a, "HasPropertyTags", "PropertyTags", property_tags);
    mapihttp::auxiliary_buffer(a, auxiliary_buffer);
  }
};

// 2.2.5.7: NspiGetProps.
struct GetPropsRequest {
  EXMAPI_MH_BODY(GetProps, "Request");
  uint32_t flags = 0;
  std::optional<Stat> state;
  std::optional<std::vector<PropTag>> property_tags;
  Bytes auxiliary_buffer;
  friend bool operator==(const GetPropsRequest&, const GetPropsRequest&) = default;
  template <class A>
  void describe(A& a) {
    a.u32("Flags", flags);
    mapihttp::state(a, state);
    optional_tags(a, "HasPropertyTags", "PropertyTags", property_tags);
    mapihttp::auxiliary_buffer(a, auxiliary_buffer);
  }
};
struct GetPropsResponse {
  EXMAPI_MH_BODY(GetProps, "Response");
  uint32_t status_code = 0;
  uint32_t error_code = 0;
  uint32_t code_page = 0;
  std::optional<AbValueList> property_values;
  Bytes auxiliary_buffer;
  friend bool operator==(const GetPropsResponse&, const GetPropsResponse&) = default;
  template <class A>
  void describe(A& a) {
    if (response_status(a, status_code, error_code)) {
      a.u32("CodePage", code_page);
      optional_field(a, "HasPropertyValues", property_values,
                     [](auto& a, AbValueList& v) { a.value("PropertyValues", v, AbValueListCodec{}); });
    }
    mapihttp::auxiliary_buffer(a, auxiliary_buffer);
  }
};

// 2.2.5.8: NspiGetSpecialTable.
struct GetSpecialTableRequest {
  EXMAPI_MH_BODY(GetSpecialTable, "Request");
  uint32_t flags = 0;  // NspiAddressCreationTemplates 0x2, NspiUnicodeStrings 0x4
  std::optional<Stat> state;
  std::optional<uint32_t> version;
  Bytes auxiliary_buffer;
  friend bool operator==(const GetSpecialTableRequest&, const GetSpecialTableRequest&) = default;
  template <class A>
  void describe(A& a) {
    a.u32("Flags", flags);
    mapihttp::state(a, state);
    optional_field(a, "HasVersion", version, [](auto& a, uint32_t& v) { a.u32("Version", v); });
    mapihttp::auxiliary_buffer(a, auxiliary_buffer);
  }
};
struct GetSpecialTableResponse {
  EXMAPI_MH_BODY(GetSpecialTable, "Response");
  uint32_t status_code = 0;
  uint32_t error_code = 0;
  uint32_t code_page = 0;
  std::optional<uint32_t> version;
  std::optional<std::vector<AbValueList>> rows;
  Bytes auxiliary_buffer;
  friend bool operator==(const GetSpecialTableResponse&, const GetSpecialTableResponse&) = default;
  template <class A>
  void describe(A& a) {
    if (response_status(a, status_code, error_code)) {
      a.u32("CodePage", code_page);
      optional_field(a, "HasVersion", version, [](auto& a, uint32_t& v) { a.u32("Version", v); });
      optional_field(a, "HasRows", rows, [](auto& a, std::vector<AbValueList>& v) {
        size_t n = a.count32("RowsCount", v.size());
        a.list("Rows", v, n, 4, [](auto& a, AbValueList& row) { a.value("", row, AbValueListCodec{}); });
      });
    }
    mapihttp::auxiliary_buffer(a, auxiliary_buffer);
  }
};

// 2.2.5.9: NspiGetTemplateInfo.
struct GetTemplateInfoRequest {
  EXMAPI_MH_BODY(GetTemplateInfo, "Request");
  uint32_t flags = 0;
  uint32_t display_type = 0;
  std::optional<std::string> template_dn;  // null-terminated ASCII
  uint32_t code_page = 0;
  uint32_t locale_id = 0;
  Bytes auxiliary_buffer;
  friend bool operator==(const GetTemplateInfoRequest&, const GetTemplateInfoRequest&) = default;
  template <class A>
  void describe(A& a) {
    a.u32("Flags", flags);
    a.u32("DisplayType", display_type);
    optional_field(a, "HasTemplateDn", template_dn, [](auto& a, std::string& s) { a.str8z("TemplateDn", s); });
    a.u32("CodePage", code_page);
    a.u32("LocaleId", locale_id);
    mapihttp::auxiliary_buffer(a, auxiliary_buffer);
  }
};
struct GetTemplateInfoResponse {
  EXMAPI_MH_BODY(GetTemplateInfo, "Response");
  uint32_t status_code = 0;
  uint32_t error_code = 0;
  uint32_t code_page = 0;
  std::optional<AbValueList> row;
  Bytes auxiliary_buffer;
  friend bool operator==(const GetTemplateInfoResponse&, const GetTemplateInfoResponse&) = default;
  template <class A>
  void describe(A& a) {
    if (response_status(a, status_code, error_code)) {
      a.u32("CodePage", code_page);
      optional_field(a, "HasRow", row, [](auto& a, AbValueList& v) { a.value("Row", v, AbValueListCodec{}); });
    }
    mapihttp::auxiliary_buffer(a, auxiliary_buffer);
  }
};

// 2.2.5.10: NspiModLinkAtt. Each EntryId is a 4-byte size and an EphemeralEntryID or
// PermanentEntryID (MS-OXNSPI 2.3.8.2/2.3.8.3), as Binary_r carries it.
struct ModLinkAttRequest {
  EXMAPI_MH_BODY(ModLinkAtt, "Request");
  uint32_t flags = 0;  // fDelete 0x1
  PropTag property_tag = 0;
  uint32_t minimal_id = 0;
  std::optional<std::vector<Bytes>> entry_ids;
  Bytes auxiliary_buffer;
  friend bool operator==(const ModLinkAttRequest&, const ModLinkAttRequest&) = default;
  template <class A>
  void describe(A& a) {
    a.u32("Flags", flags);
    a.prop_tag("PropertyTag", property_tag);
    a.u32("MinimalId", minimal_id);
    optional_field(a, "HasEntryIds", entry_ids, [](auto& a, std::vector<Bytes>& v) {
      size_t n = a.count32("EntryIdCount", v.size());
      a.list("EntryIds", v, n, 4, [](auto& a, Bytes& b) {
        size_t size = a.count32("EntryIdSize", b.size());
        a.bytes("EntryId", b, size);
      });
    });
    mapihttp::auxiliary_buffer(a, auxiliary_buffer);
  }
};
EXMAPI_MH_PLAIN_RESPONSE(ModLinkAtt);

// 2.2.5.11: NspiModProps.
struct ModPropsRequest {
  EXMAPI_MH_BODY(ModProps, "Request");
  uint32_t reserved = 0;
  std::optional<Stat> state;
  std::optional<std::vector<PropTag>> property_tags;  // properties to remove
  std::optional<AbValueList> property_values;
  Bytes auxiliary_buffer;
  friend bool operator==(const ModPropsRequest&, const ModPropsRequest&) = default;
  template <class A>
  void describe(A& a) {
    a.u32("Reserved", reserved);
    mapihttp::state(a, state);
    optional_tags(a, "HasPropertyTags", "PropertyTags", property_tags);
    optional_field(a, "HasPropertyValues", property_values,
                   [](auto& a, AbValueList& v) { a.value("PropertyValues", v, AbValueListCodec{}); });
    mapihttp::auxiliary_buffer(a, auxiliary_buffer);
  }
};
EXMAPI_MH_PLAIN_RESPONSE(ModProps);

// 2.2.5.13: NspiQueryColumns.
struct QueryColumnsRequest {
  EXMAPI_MH_BODY(QueryColumns, "Request");
  uint32_t reserved = 0;
  uint32_t mapi_flags = 0;  // NspiUnicodeProptypes 0x80000000
  Bytes auxiliary_buffer;
  friend bool operator==(const QueryColumnsRequest&, const QueryColumnsRequest&) = default;
  template <class A>
  void describe(A& a) {
    a.u32("Reserved", reserved);
    a.u32("MapiFlags", mapi_flags);
    mapihttp::auxiliary_buffer(a, auxiliary_buffer);
  }
};
struct QueryColumnsResponse {
  EXMAPI_MH_BODY(QueryColumns, "Response");
  uint32_t status_code = 0;
  uint32_t error_code = 0;
  std::optional<std::vector<PropTag>> columns;
  Bytes auxiliary_buffer;
  friend bool operator==(const QueryColumnsResponse&, const QueryColumnsResponse&) = default;
  template <class A>
  void describe(A& a) {
    if (response_status(a, status_code, error_code)) optional_tags(a, "HasColumns", "Columns", columns);
    mapihttp::auxiliary_buffer(a, auxiliary_buffer);
  }
};

// 2.2.5.12: NspiQueryRows. ExplicitTableCount has no HasX byte.
struct QueryRowsRequest {
  EXMAPI_MH_BODY(QueryRows, "Request");
  uint32_t flags = 0;  // fSkipObjects 0x1, fEphID 0x2
  std::optional<Stat> state;
  std::vector<uint32_t> explicit_table;
  uint32_t row_count = 0;
  std::optional<std::vector<PropTag>> columns;
  Bytes auxiliary_buffer;
  friend bool operator==(const QueryRowsRequest&, const QueryRowsRequest&) = default;
  template <class A>
  void describe(A& a) {
    a.u32("Flags", flags);
    mapihttp::state(a, state);
    size_t n = large_count(a, "ExplicitTableCount", explicit_table.size());
    a.list("ExplicitTable", explicit_table, n, 4, [](auto& a, uint32_t& id) { a.u32("", id); });
    a.u32("RowCount", row_count);
    optional_tags(a, "HasColumns", "Columns", columns);
    mapihttp::auxiliary_buffer(a, auxiliary_buffer);
  }
};
struct QueryRowsResponse {
  EXMAPI_MH_BODY(QueryRows, "Response");
  uint32_t status_code = 0;
  uint32_t error_code = 0;
  std::optional<Stat> state;
  std::optional<ColumnsAndRows> columns_and_rows;
  Bytes auxiliary_buffer;
  friend bool operator==(const QueryRowsResponse&, const QueryRowsResponse&) = default;
  template <class A>
  void describe(A& a) {
    if (response_status(a, status_code, error_code)) {
      mapihttp::state(a, state);
      mapihttp::columns_and_rows(a, "HasColumnsAndRows", "Columns", columns_and_rows);
    }
    mapihttp::auxiliary_buffer(a, auxiliary_buffer);
  }
};

// 2.2.5.14: NspiResolveNamesW.
struct ResolveNamesRequest {
  EXMAPI_MH_BODY(ResolveNames, "Request");
  uint32_t reserved = 0;
  std::optional<Stat> state;
  std::optional<std::vector<PropTag>> property_tags;
  std::optional<std::vector<std::string>> names;  // null-terminated Unicode
  Bytes auxiliary_buffer;
  friend bool operator==(const ResolveNamesRequest&, const ResolveNamesRequest&) = default;
  template <class A>
  void describe(A& a) {
    a.u32("Reserved", reserved);
    mapihttp::state(a, state);
    optional_tags(a, "HasPropertyTags", "PropertyTags", property_tags);
    optional_field(a, "HasNames", names, [](auto& a, std::vector<std::string>& v) {
      size_t n = a.count32("NameCount", v.size());
      a.list("NameValues", v, n, 2, [](auto& a, std::string& s) { a.utf16z("", s); });
    });
    mapihttp::auxiliary_buffer(a, auxiliary_buffer);
  }
};
struct ResolveNamesResponse {
  EXMAPI_MH_BODY(ResolveNames, "Response");
  uint32_t status_code = 0;
  uint32_t error_code = 0;
  uint32_t code_page = 0;
  std::optional<std::vector<uint32_t>> minimal_ids;
  std::optional<ColumnsAndRows> rows_and_columns;
  Bytes auxiliary_buffer;
  friend bool operator==(const ResolveNamesResponse&, const ResolveNamesResponse&) = default;
  template <class A>
  void describe(A& a) {
    if (response_status(a, status_code, error_code)) {
      a.u32("CodePage", code_page);
      optional_minimal_ids(a, minimal_ids);
      mapihttp::columns_and_rows(a, "HasRowsAndCols", "PropertyTags", rows_and_columns);
    }
    mapihttp::auxiliary_buffer(a, auxiliary_buffer);
  }
};

// 2.2.5.15: NspiResortRestriction.
struct ResortRestrictionRequest {
  EXMAPI_MH_BODY(ResortRestriction, "Request");
  uint32_t reserved = 0;
  std::optional<Stat> state;
  std::optional<std::vector<uint32_t>> minimal_ids;
  Bytes auxiliary_buffer;
  friend bool operator==(const ResortRestrictionRequest&, const ResortRestrictionRequest&) = default;
  template <class A>
  void describe(A& a) {
    a.u32("Reserved", reserved);
    mapihttp::state(a, state);
    optional_minimal_ids(a, minimal_ids);
    mapihttp::auxiliary_buffer(a, auxiliary_buffer);
  }
};
struct ResortRestrictionResponse {
  EXMAPI_MH_BODY(ResortRestriction, "Response");
  uint32_t status_code = 0;
  uint32_t error_code = 0;
  std::optional<Stat> state;
  std::optional<std::vector<uint32_t>> minimal_ids;
  Bytes auxiliary_buffer;
  friend bool operator==(const ResortRestrictionResponse&, const ResortRestrictionResponse&) = default;
  template <class A>
  void describe(A& a) {
    if (response_status(a, status_code, error_code)) {
      mapihttp::state(a, state);
      optional_minimal_ids(a, minimal_ids);
    }
    mapihttp::auxiliary_buffer(a, auxiliary_buffer);
  }
};

// 2.2.5.16: NspiSeekEntries. Target is an AddressBookTaggedPropertyValue (the spec names
// PropertyValue_r; on this wire it is the 2.2.1.2 structure, as MAPIInspector reads it).
struct SeekEntriesRequest {
  EXMAPI_MH_BODY(SeekEntries, "Request");
  uint32_t reserved = 0;
  std::optional<Stat> state;
  std::optional<AbTaggedValue> target;
  std::optional<std::vector<uint32_t>> explicit_table;
  std::optional<std::vector<PropTag>> columns;
  Bytes auxiliary_buffer;
  friend bool operator==(const SeekEntriesRequest&, const SeekEntriesRequest&) = default;
  template <class A>
  void describe(A& a) {
    a.u32("Reserved", reserved);
    mapihttp::state(a, state);
    optional_field(a, "HasTarget", target, [](auto& a, AbTaggedValue& t) { a.value("Target", t, AbTaggedValueCodec{}); });
    optional_field(a, "HasExplicitTable", explicit_table, [](auto& a, std::vector<uint32_t>& v) {
      size_t n = large_count(a, "ExplicitTableCount", v.size());
      a.list("ExplicitTable", v, n, 4, [](auto& a, uint32_t& id) { a.u32("", id); });
    });
    optional_tags(a, "HasColumns", "Columns", columns);
    mapihttp::auxiliary_buffer(a, auxiliary_buffer);
  }
};
struct SeekEntriesResponse {
  EXMAPI_MH_BODY(SeekEntries, "Response");
  uint32_t status_code = 0;
  uint32_t error_code = 0;
  std::optional<Stat> state;
  std::optional<ColumnsAndRows> columns_and_rows;
  Bytes auxiliary_buffer;
  friend bool operator==(const SeekEntriesResponse&, const SeekEntriesResponse&) = default;
  template <class A>
  void describe(A& a) {
    if (response_status(a, status_code, error_code)) {
      mapihttp::state(a, state);
      mapihttp::columns_and_rows(a, "HasColumnsAndRows", "Columns", columns_and_rows);
    }
    mapihttp::auxiliary_buffer(a, auxiliary_buffer);
  }
};

// 2.2.5.17: NspiUpdateStat.
struct UpdateStatRequest {
  EXMAPI_MH_BODY(UpdateStat, "Request");
  uint32_t reserved = 0;
  std::optional<Stat> state;
  uint8_t delta_requested = 0;  // nonzero: return Delta
  Bytes auxiliary_buffer;
  friend bool operator==(const UpdateStatRequest&, const UpdateStatRequest&) = default;
  template <class A>
  void describe(A& a) {
    a.u32("Reserved", reserved);
    mapihttp::state(a, state);
    a.u8("DeltaRequested", delta_requested);
    mapihttp::auxiliary_buffer(a, auxiliary_buffer);
  }
};
struct UpdateStatResponse {
  EXMAPI_MH_BODY(UpdateStat, "Response");
  uint32_t status_code = 0;
  uint32_t error_code = 0;
  std::optional<Stat> state;
  std::optional<int32_t> delta;
  Bytes auxiliary_buffer;
  friend bool operator==(const UpdateStatResponse&, const UpdateStatResponse&) = default;
  template <class A>
  void describe(A& a) {
    if (response_status(a, status_code, error_code)) {
      mapihttp::state(a, state);
      optional_field(a, "HasDelta", delta, [](auto& a, int32_t& d) { a.i32("Delta", d); });
    }
    mapihttp::auxiliary_buffer(a, auxiliary_buffer);
  }
};

// 2.2.5.18: RfrGetFQDNFromServerDN over HTTP; 2.2.5.19: RfrGetNewDSA over HTTP.
#define EXMAPI_MH_URL_BODIES(TYPE, DN_FIELD)                                          \
  struct TYPE##Request {                                                            \
    EXMAPI_MH_BODY(TYPE, "Request");                                                \
    uint32_t flags = 0; /* not used: 0 */                                           \
    std::string dn;     /* null-terminated Unicode */                               \
    Bytes auxiliary_buffer;                                                         \
    friend bool operator==(const TYPE##Request&, const TYPE##Request&) = default;   \
    template <class A>                                                              \
    void describe(A& a) {                                                           \
      a.u32("Flags", flags);                                                        \
      a.utf16z(DN_FIELD, dn);                                                       \
      mapihttp::auxiliary_buffer(a, auxiliary_buffer);                              \
    }                                                                               \
  };                                                                                \
  struct TYPE##Response {                                                           \
    EXMAPI_MH_BODY(TYPE, "Response");                                               \
    uint32_t status_code = 0;                                                       \
    uint32_t error_code = 0;                                                        \
    std::string server_url; /* null-terminated Unicode */                           \
    Bytes auxiliary_buffer;                                                         \
    friend bool operator==(const TYPE##Response&, const TYPE##Response&) = default; \
    template <class A>                                                              \
    void describe(A& a) {                                                           \
      if (response_status(a, status_code, error_code)) a.utf16z("ServerUrl", server_url); \
      mapihttp::auxiliary_buffer(a, auxiliary_buffer);                              \
    }                                                                               \
  }
EXMAPI_MH_URL_BODIES(GetMailboxUrl, "ServerDn");
EXMAPI_MH_URL_BODIES(GetAddressBookUrl, "UserDn");

#undef EXMAPI_MH_URL_BODIES
#undef EXMAPI_MH_PLAIN_RESPONSE
#undef EXMAPI_MH_BODY

// ==== every body, by request type ==========================================================================
// Alternatives in RequestType order (PING has no body).
using RequestBody =
    rop::OneOf<ConnectRequest, ExecuteRequest, DisconnectRequest, NotificationWaitRequest, BindRequest, UnbindRequest,
               CompareMIdsRequest, DNToMIdRequest, GetMatchesRequest, GetPropListRequest, GetPropsRequest,
               GetSpecialTableRequest, GetTemplateInfoRequest, ModLinkAttRequest, ModPropsRequest, QueryColumnsRequest,
               QueryRowsRequest, ResolveNamesRequest, ResortRestrictionRequest, SeekEntriesRequest, UpdateStatRequest,
               GetMailboxUrlRequest, GetAddressBookUrlRequest>;
using ResponseBody =
    rop::OneOf<ConnectResponse, ExecuteResponse, DisconnectResponse, NotificationWaitResponse, BindResponse,
               UnbindResponse, CompareMIdsResponse, DNToMIdResponse, GetMatchesResponse, GetPropListResponse,
               GetPropsResponse, GetSpecialTableResponse, GetTemplateInfoResponse, ModLinkAttResponse,
               ModPropsResponse, QueryColumnsResponse, QueryRowsResponse, ResolveNamesResponse,
               ResortRestrictionResponse, SeekEntriesResponse, UpdateStatResponse, GetMailboxUrlResponse,
               GetAddressBookUrlResponse>;

// Whether the request type has request and response bodies (all but PING).
constexpr bool has_body(RequestType type) noexcept { return type != RequestType::Ping; }

// Typed entry points, for callers that know the request type.
template <class T>
Bytes encode_body(const T& body) {
  ByteWriter w;
  rop::encode_described(w, body);
  return w.take();
}
// The whole input must be the body: bytes left over are a DecodeError.
template <class T>
T decode_body(ByteView bytes) {
  ByteReader r(bytes);
  T body;
  in_field(T::kName, [&] { rop::decode_described(r, body); });
  r.expect_end(T::kName);
  return body;
}
template <class T>
std::string body_json(const T& body) {
  return rop::print_described(body);
}

// By request type. decode_* throw Error(EXMAPI_E_INVALID_ARGUMENT) for PING, DecodeError for bad bytes.
RequestBody decode_request(RequestType type, ByteView bytes);
ResponseBody decode_response(RequestType type, ByteView bytes);
Bytes encode_request(const RequestBody& body);
Bytes encode_response(const ResponseBody& body);
RequestType type_of(const RequestBody& body) noexcept;
RequestType type_of(const ResponseBody& body) noexcept;
// {"RequestType":"Connect","Body":"ConnectRequest", fields...}
std::string to_json(const RequestBody& body);
std::string to_json(const ResponseBody& body);

// Generated values (rop::Sampler over the descriptions): a response in its success form for
// status_code 0, its failure form otherwise.
RequestBody sample_request(RequestType type, uint64_t seed);
ResponseBody sample_response(RequestType type, uint64_t seed, uint32_t status_code);

}  // namespace exmapi::mapihttp

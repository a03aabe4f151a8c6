// NSPI method stubs (MS-OXNSPI 3.1.4.1; MS-NSPI 3.1.4 for the two methods MS-OXNSPI leaves out):
// one Request ([in] parameters) and one Response ([out] parameters and the return value) per method,
// in the IDL's parameter order. The binding handle hRpc of NspiBind is not on the wire; every other
// method's hRpc is the 20-byte context handle NspiBind returned.
//
// IDL pointers: a plain `[in] T*` parameter is a [ref] pointer, its referent inline; `[in, unique] T*`
// and `[out] T**` (a [ref] pointer to a unique pointer) are a referent ID followed by the referent.
#pragma once

#include "ndr/nspi_types.hpp"

namespace exmapi::ndr::nspi {

template <class A, class T>
void ref_param(A& a, std::string_view name, T& v) {
  a.param(name, [&v](auto& a) { v.describe(a); });
}
template <class A, class T>
void unique_param(A& a, std::string_view name, std::optional<T>& v) {
  a.param_unique(name, v, [](auto& a, T& x) { x.describe(a); });
}

// MS-OXNSPI 3.1.4.1.1 (opnum 0).
struct NspiBind {
  static constexpr uint16_t kOpnum = 0;
  struct Request {
    static constexpr std::string_view kName = "NspiBind";
    uint32_t flags = 0;
    Stat stat;
    std::optional<Guid> server_guid;
    friend bool operator==(const Request&, const Request&) = default;
    template <class A>
    void describe(A& a) {
      a.u32("dwFlags", flags);
      ref_param(a, "pStat", stat);
      a.param_unique("pServerGuid", server_guid, [](auto& a, Guid& g) { a.flat_uid("pServerGuid", g); });
    }
  };
  struct Response {
    static constexpr std::string_view kName = "NspiBind";
    std::optional<Guid> server_guid;
    ContextHandle context_handle;
    uint32_t result = 0;
    friend bool operator==(const Response&, const Response&) = default;
    template <class A>
    void describe(A& a) {
      a.param_unique("pServerGuid", server_guid, [](auto& a, Guid& g) { a.flat_uid("pServerGuid", g); });
      a.context_handle("contextHandle", context_handle);
      a.u32("ReturnValue", result);
    }
  };
};

// MS-OXNSPI 3.1.4.1.2 (opnum 1).
struct NspiUnbind {
  static constexpr uint16_t kOpnum = 1;
  struct Request {
    static constexpr std::string_view kName = "NspiUnbind";
    ContextHandle context_handle;
    uint32_t reserved = 0;
    friend bool operator==(const Request&, const Request&) = default;
    template <class A>
    void describe(A& a) {
      a.context_handle("contextHandle", context_handle);
      a.u32("Reserved", reserved);
    }
  };
  struct Response {
    static constexpr std::string_view kName = "NspiUnbind";
    ContextHandle context_handle;
    uint32_t result = 0;
    friend bool operator==(const Response&, const Response&) = default;
    template <class A>
    void describe(A& a) {
      a.context_handle("contextHandle", context_handle);
      a.u32("ReturnValue", result);
    }
  };
};

// MS-OXNSPI 3.1.4.1.4 (opnum 2).
struct NspiUpdateStat {
  static constexpr uint16_t kOpnum = 2;
  struct Request {
    static constexpr std::string_view kName = "NspiUpdateStat";
    ContextHandle handle;
    uint32_t reserved = 0;
    Stat stat;
    std::optional<int32_t> delta;  // plDelta
    friend bool operator==(const Request&, const Request&) = default;
    template <class A>
    void describe(A& a) {
      a.context_handle("hRpc", handle);
      a.u32("Reserved", reserved);
      ref_param(a, "pStat", stat);
      a.param_unique("plDelta", delta, [](auto& a, int32_t& d) { a.i32("plDelta", d); });
    }
  };
  struct Response {
    static constexpr std::string_view kName = "NspiUpdateStat";
    Stat stat;
    std::optional<int32_t> delta;
    uint32_t result = 0;
    friend bool operator==(const Response&, const Response&) = default;
    template <class A>
    void describe(A& a) {
      ref_param(a, "pStat", stat);
      a.param_unique("plDelta", delta, [](auto& a, int32_t& d) { a.i32("plDelta", d); });
      a.u32("ReturnValue", result);
    }
  };
};

// Responses made of pStat, one [out] PropertyRowSet_r** and the return value (NspiQueryRows,
// NspiSeekEntries).
struct StatRowsResponse {
  Stat stat;
  std::optional<PropertyRowSet> rows;
  uint32_t result = 0;
  friend bool operator==(const StatRowsResponse&, const StatRowsResponse&) = default;
  template <class A>
  void describe(A& a) {
    ref_param(a, "pStat", stat);
    unique_param(a, "ppRows", rows);
    a.u32("ReturnValue", result);
  }
};

// MS-OXNSPI 3.1.4.1.8 (opnum 3).
struct NspiQueryRows {
  static constexpr uint16_t kOpnum = 3;
  struct Request {
    static constexpr std::string_view kName = "NspiQueryRows";
    ContextHandle handle;
    uint32_t flags = 0;
    Stat stat;
    std::optional<std::vector<uint32_t>> explicit_table;  // dwETableCount + lpETable
    uint32_t count = 0;
    std::optional<PropertyTagArray> prop_tags;
    friend bool operator==(const Request&, const Request&) = default;
    template <class A>
    void describe(A& a) {
      a.context_handle("hRpc", handle);
      a.u32("dwFlags", flags);
      ref_param(a, "pStat", stat);
      size_t n = a.count32("dwETableCount", explicit_table ? explicit_table->size() : 0, kMaxCount);
      a.param_unique("lpETable", explicit_table, [n](auto& a, std::vector<uint32_t>& v) {
        uint32_t max = a.conformance("lpETable", n);
        a.same_size("lpETable", max, n);
        a.elements("lpETable", v, n, 4, [](auto& a, uint32_t& x) { a.u32("", x); });
      });
      a.u32("Count", count);
      unique_param(a, "pPropTags", prop_tags);
    }
  };
  struct Response : StatRowsResponse {
    static constexpr std::string_view kName = "NspiQueryRows";
  };
};

// MS-OXNSPI 3.1.4.1.9 (opnum 4).
struct NspiSeekEntries {
  static constexpr uint16_t kOpnum = 4;
  struct Request {
    static constexpr std::string_view kName = "NspiSeekEntries";
    ContextHandle handle;
    uint32_t reserved = 0;
    Stat stat;
    PropertyValue target;
    std::optional<PropertyTagArray> explicit_table;
    std::optional<PropertyTagArray> prop_tags;
    friend bool operator==(const Request&, const Request&) = default;
    template <class A>
    void describe(A& a) {
      a.context_handle("hRpc", handle);
      a.u32("Reserved", reserved);
      ref_param(a, "pStat", stat);
      ref_param(a, "pTarget", target);
      unique_param(a, "lpETable", explicit_table);
      unique_param(a, "pPropTags", prop_tags);
    }
  };
  struct Response : StatRowsResponse {
    static constexpr std::string_view kName = "NspiSeekEntries";
  };
};

// MS-OXNSPI 3.1.4.1.10 (opnum 5).
struct NspiGetMatches {
  static constexpr uint16_t kOpnum = 5;
  struct Request {
    static constexpr std::string_view kName = "NspiGetMatches";
    ContextHandle handle;
    uint32_t reserved1 = 0;
    Stat stat;
    std::optional<PropertyTagArray> reserved_mids;  // pReserved
    uint32_t reserved2 = 0;
    std::optional<Restriction> filter;
    std::optional<PropertyName> prop_name;  // lpPropName
    uint32_t requested = 0;                 // ulRequested
    std::optional<PropertyTagArray> prop_tags;
    friend bool operator==(const Request&, const Request&) = default;
    template <class A>
    void describe(A& a) {
      a.context_handle("hRpc", handle);
      a.u32("Reserved1", reserved1);
      ref_param(a, "pStat", stat);
      unique_param(a, "pReserved", reserved_mids);
      a.u32("Reserved2", reserved2);
      unique_param(a, "Filter", filter);
      unique_param(a, "lpPropName", prop_name);
      a.u32("ulRequested", requested);
      unique_param(a, "pPropTags", prop_tags);
    }
  };
  struct Response {
    static constexpr std::string_view kName = "NspiGetMatches";
    Stat stat;
    std::optional<PropertyTagArray> mids;
    std::optional<PropertyRowSet> rows;
    uint32_t result = 0;
    friend bool operator==(const Response&, const Response&) = default;
    template <class A>
    void describe(A& a) {
      ref_param(a, "pStat", stat);
      unique_param(a, "ppMIds", mids);
      unique_param(a, "ppRows", rows);
      a.u32("ReturnValue", result);
    }
  };
};

// MS-OXNSPI 3.1.4.1.11 (opnum 6).
struct NspiResortRestriction {
  static constexpr uint16_t kOpnum = 6;
  struct Request {
    static constexpr std::string_view kName = "NspiResortRestriction";
    ContextHandle handle;
    uint32_t reserved = 0;
    Stat stat;
    PropertyTagArray in_mids;
    std::optional<PropertyTagArray> out_mids;  // [in, out] ppOutMIds
    friend bool operator==(const Request&, const Request&) = default;
    template <class A>
    void describe(A& a) {
      a.context_handle("hRpc", handle);
      a.u32("Reserved", reserved);
      ref_param(a, "pStat", stat);
      ref_param(a, "pInMIds", in_mids);
      unique_param(a, "ppOutMIds", out_mids);
    }
  };
  struct Response {
    static constexpr std::string_view kName = "NspiResortRestriction";
    Stat stat;
    std::optional<PropertyTagArray> out_mids;
    uint32_t result = 0;
    friend bool operator==(const Response&, const Response&) = default;
    template <class A>
    void describe(A& a) {
      ref_param(a, "pStat", stat);
      unique_param(a, "ppOutMIds", out_mids);
      a.u32("ReturnValue", result);
    }
  };
};

// Responses made of one [out] PropertyTagArray_r** and the return value (NspiDNToMId,
// NspiGetPropList, NspiQueryColumns, NspiGetIDsFromNames).
template <const std::string_view& Name, const std::string_view& Param>
struct TagArrayResponse {
  static constexpr std::string_view kName = Name;
  std::optional<PropertyTagArray> tags;
  uint32_t result = 0;
  friend bool operator==(const TagArrayResponse&, const TagArrayResponse&) = default;
  template <class A>
  void describe(A& a) {
    unique_param(a, Param, tags);
    a.u32("ReturnValue", result);
  }
};

namespace names {
inline constexpr std::string_view DNToMId = "NspiDNToMId", GetPropList = "NspiGetPropList",
                                  QueryColumns = "NspiQueryColumns", GetIDsFromNames = "NspiGetIDsFromNames",
                                  ppMIds = "ppMIds", ppPropTags = "ppPropTags", ppColumns = "ppColumns";
}

// MS-OXNSPI 3.1.4.1.13 (opnum 7).
struct NspiDNToMId {
  static constexpr uint16_t kOpnum = 7;
  struct Request {
    static constexpr std::string_view kName = "NspiDNToMId";
    ContextHandle handle;
    uint32_t reserved = 0;
    StringsArray names;
    friend bool operator==(const Request&, const Request&) = default;
    template <class A>
    void describe(A& a) {
      a.context_handle("hRpc", handle);
      a.u32("Reserved", reserved);
      ref_param(a, "pNames", names);
    }
  };
  using Response = TagArrayResponse<names::DNToMId, names::ppMIds>;
};

// MS-OXNSPI 3.1.4.1.6 (opnum 8).
struct NspiGetPropList {
  static constexpr uint16_t kOpnum = 8;
  struct Request {
    static constexpr std::string_view kName = "NspiGetPropList";
    ContextHandle handle;
    uint32_t flags = 0, mid = 0, code_page = 0;
    friend bool operator==(const Request&, const Request&) = default;
    template <class A>
    void describe(A& a) {
      a.context_handle("hRpc", handle);
      a.u32("dwFlags", flags);
      a.u32("dwMId", mid);
      a.u32("CodePage", code_page);
    }
  };
  using Response = TagArrayResponse<names::GetPropList, names::ppPropTags>;
};

// MS-OXNSPI 3.1.4.1.7 (opnum 9).
struct NspiGetProps {
  static constexpr uint16_t kOpnum = 9;
  struct Request {
    static constexpr std::string_view kName = "NspiGetProps";
    ContextHandle handle;
    uint32_t flags = 0;
    Stat stat;
    std::optional<PropertyTagArray> prop_tags;
    friend bool operator==(const Request&, const Request&) = default;
    template <class A>
    void describe(A& a) {
      a.context_handle("hRpc", handle);
      a.u32("dwFlags", flags);
      ref_param(a, "pStat", stat);
      unique_param(a, "pPropTags", prop_tags);
    }
  };
  struct Response {
    static constexpr std::string_view kName = "NspiGetProps";
    std::optional<PropertyRow> row;
    uint32_t result = 0;
    friend bool operator==(const Response&, const Response&) = default;
    template <class A>
    void describe(A& a) {
      unique_param(a, "ppRows", row);
      a.u32("ReturnValue", result);
    }
  };
};

// MS-OXNSPI 3.1.4.1.12 (opnum 10).
struct NspiCompareMIds {
  static constexpr uint16_t kOpnum = 10;
  struct Request {
    static constexpr std::string_view kName = "NspiCompareMIds";
    ContextHandle handle;
    uint32_t reserved = 0;
    Stat stat;
    uint32_t mid1 = 0, mid2 = 0;
    friend bool operator==(const Request&, const Request&) = default;
    template <class A>
    void describe(A& a) {
      a.context_handle("hRpc", handle);
      a.u32("Reserved", reserved);
      ref_param(a, "pStat", stat);
      a.u32("MId1", mid1);
      a.u32("MId2", mid2);
    }
  };
  struct Response {
    static constexpr std::string_view kName = "NspiCompareMIds";
    int32_t comparison = 0;  // plResult
    uint32_t result = 0;
    friend bool operator==(const Response&, const Response&) = default;
    template <class A>
    void describe(A& a) {
      a.i32("plResult", comparison);
      a.u32("ReturnValue", result);
    }
  };
};

// Responses that are only the return value (NspiModProps, NspiModLinkAtt).
template <const std::string_view& Name>
struct ResultOnlyResponse {
  static constexpr std::string_view kName = Name;
  uint32_t result = 0;
  friend bool operator==(const ResultOnlyResponse&, const ResultOnlyResponse&) = default;
  template <class A>
  void describe(A& a) {
    a.u32("ReturnValue", result);
  }
};
namespace names {
inline constexpr std::string_view ModProps = "NspiModProps", ModLinkAtt = "NspiModLinkAtt";
}

// MS-OXNSPI 3.1.4.1.14 (opnum 11).
struct NspiModProps {
  static constexpr uint16_t kOpnum = 11;
  struct Request {
    static constexpr std::string_view kName = "NspiModProps";
    ContextHandle handle;
    uint32_t reserved = 0;
    Stat stat;
    std::optional<PropertyTagArray> prop_tags;
    PropertyRow row;
    friend bool operator==(const Request&, const Request&) = default;
    template <class A>
    void describe(A& a) {
      a.context_handle("hRpc", handle);
      a.u32("Reserved", reserved);
      ref_param(a, "pStat", stat);
      unique_param(a, "pPropTags", prop_tags);
      ref_param(a, "pRow", row);
    }
  };
  using Response = ResultOnlyResponse<names::ModProps>;
};

// MS-OXNSPI 3.1.4.1.3 (opnum 12).
struct NspiGetSpecialTable {
  static constexpr uint16_t kOpnum = 12;
  struct Request {
    static constexpr std::string_view kName = "NspiGetSpecialTable";
    ContextHandle handle;
    uint32_t flags = 0;
    Stat stat;
    uint32_t version = 0;  // [in, out] lpVersion
    friend bool operator==(const Request&, const Request&) = default;
    template <class A>
    void describe(A& a) {
      a.context_handle("hRpc", handle);
      a.u32("dwFlags", flags);
      ref_param(a, "pStat", stat);
      a.u32("lpVersion", version);
    }
  };
  struct Response {
    static constexpr std::string_view kName = "NspiGetSpecialTable";
    uint32_t version = 0;
    std::optional<PropertyRowSet> rows;
    uint32_t result = 0;
    friend bool operator==(const Response&, const Response&) = default;
    template <class A>
    void describe(A& a) {
      a.u32("lpVersion", version);
      unique_param(a, "ppRows", rows);
      a.u32("ReturnValue", result);
    }
  };
};

// MS-OXNSPI 3.1.4.1.18 (opnum 13).
struct NspiGetTemplateInfo {
  static constexpr uint16_t kOpnum = 13;
  struct Request {
    static constexpr std::string_view kName = "NspiGetTemplateInfo";
    ContextHandle handle;
    uint32_t flags = 0, type = 0;
    std::optional<std::string> dn;  // pDN, 8-bit
    uint32_t code_page = 0, locale_id = 0;
    friend bool operator==(const Request&, const Request&) = default;
    template <class A>
    void describe(A& a) {
      a.context_handle("hRpc", handle);
      a.u32("dwFlags", flags);
      a.u32("ulType", type);
      a.param_unique("pDN", dn, [](auto& a, std::string& s) { a.string8("pDN", s); });
      a.u32("dwCodePage", code_page);
      a.u32("dwLocaleID", locale_id);
    }
  };
  struct Response {
    static constexpr std::string_view kName = "NspiGetTemplateInfo";
    std::optional<PropertyRow> data;  // ppData
    uint32_t result = 0;
    friend bool operator==(const Response&, const Response&) = default;
    template <class A>
    void describe(A& a) {
      unique_param(a, "ppData", data);
      a.u32("ReturnValue", result);
    }
  };
};

// MS-OXNSPI 3.1.4.1.15 (opnum 14).
struct NspiModLinkAtt {
  static constexpr uint16_t kOpnum = 14;
  struct Request {
    static constexpr std::string_view kName = "NspiModLinkAtt";
    ContextHandle handle;
    uint32_t flags = 0, prop_tag = 0, mid = 0;
    BinaryArray entry_ids;
    friend bool operator==(const Request&, const Request&) = default;
    template <class A>
    void describe(A& a) {
      a.context_handle("hRpc", handle);
      a.u32("dwFlags", flags);
      a.u32("ulPropTag", prop_tag);
      a.u32("dwMId", mid);
      ref_param(a, "lpEntryIds", entry_ids);
    }
  };
  using Response = ResultOnlyResponse<names::ModLinkAtt>;
};

// MS-OXNSPI 3.1.4.1.5 (opnum 16).
struct NspiQueryColumns {
  static constexpr uint16_t kOpnum = 16;
  struct Request {
    static constexpr std::string_view kName = "NspiQueryColumns";
    ContextHandle handle;
    uint32_t reserved = 0, flags = 0;
    friend bool operator==(const Request&, const Request&) = default;
    template <class A>
    void describe(A& a) {
      a.context_handle("hRpc", handle);
      a.u32("Reserved", reserved);
      a.u32("dwFlags", flags);
    }
  };
  using Response = TagArrayResponse<names::QueryColumns, names::ppColumns>;
};

// MS-NSPI 3.1.4.16 (opnum 17).
struct NspiGetNamesFromIDs {
  static constexpr uint16_t kOpnum = 17;
  struct Request {
    static constexpr std::string_view kName = "NspiGetNamesFromIDs";
    ContextHandle handle;
    uint32_t reserved = 0;
    std::optional<Guid> guid;  // lpguid
    std::optional<PropertyTagArray> prop_tags;
    friend bool operator==(const Request&, const Request&) = default;
    template <class A>
    void describe(A& a) {
      a.context_handle("hRpc", handle);
      a.u32("Reserved", reserved);
      a.param_unique("lpguid", guid, [](auto& a, Guid& g) { a.flat_uid("lpguid", g); });
      unique_param(a, "pPropTags", prop_tags);
    }
  };
  struct Response {
    static constexpr std::string_view kName = "NspiGetNamesFromIDs";
    std::optional<PropertyTagArray> returned_tags;
    std::optional<PropertyNameSet> names;
    uint32_t result = 0;
    friend bool operator==(const Response&, const Response&) = default;
    template <class A>
    void describe(A& a) {
      unique_param(a, "ppReturnedPropTags", returned_tags);
      unique_param(a, "ppNames", names);
      a.u32("ReturnValue", result);
    }
  };
};

// MS-NSPI 3.1.4.17 (opnum 18). pNames is a [ref] pointer to an array of unique PropertyName_r
// pointers; a NULL entry has no meaning, so every entry is required.
struct NspiGetIDsFromNames {
  static constexpr uint16_t kOpnum = 18;
  struct Request {
    static constexpr std::string_view kName = "NspiGetIDsFromNames";
    ContextHandle handle;
    uint32_t reserved = 0, flags = 0;
    std::vector<PropertyName> names;
    friend bool operator==(const Request&, const Request&) = default;
    template <class A>
    void describe(A& a) {
      a.context_handle("hRpc", handle);
      a.u32("Reserved", reserved);
      a.u32("dwFlags", flags);
      size_t n = a.count32("cPropNames", names.size(), kMaxCount);
      a.param("pNames", [&](auto& a) {
        uint32_t max = a.conformance("pNames", n);
        a.same_size("pNames", max, n);
        a.elements("pNames", names, n, 4, [](auto& a, PropertyName& p) {
          a.unique_required("", p, [](auto& a, PropertyName& p) { p.describe(a); });
        });
      });
    }
  };
  using Response = TagArrayResponse<names::GetIDsFromNames, names::ppPropTags>;
};

// MS-OXNSPI 3.1.4.1.16 / 3.1.4.1.17 (opnums 19 and 20).
template <class Names, uint16_t Opnum, const std::string_view& Name>
struct ResolveNamesT {
  static constexpr uint16_t kOpnum = Opnum;
  struct Request {
    static constexpr std::string_view kName = Name;
    ContextHandle handle;
    uint32_t reserved = 0;
    Stat stat;
    std::optional<PropertyTagArray> prop_tags;
    Names names;  // paStr / paWStr
    friend bool operator==(const Request&, const Request&) = default;
    template <class A>
    void describe(A& a) {
      a.context_handle("hRpc", handle);
      a.u32("Reserved", reserved);
      ref_param(a, "pStat", stat);
      unique_param(a, "pPropTags", prop_tags);
      ref_param(a, "paStr", names);
    }
  };
  struct Response {
    static constexpr std::string_view kName = Name;
    std::optional<PropertyTagArray> mids;
    std::optional<PropertyRowSet> rows;
    uint32_t result = 0;
    friend bool operator==(const Response&, const Response&) = default;
    template <class A>
    void describe(A& a) {
      unique_param(a, "ppMIds", mids);
      unique_param(a, "ppRows", rows);
      a.u32("ReturnValue", result);
    }
  };
};
namespace names {
inline constexpr std::string_view ResolveNames = "NspiResolveNames", ResolveNamesW = "NspiResolveNamesW";
}
using NspiResolveNames = ResolveNamesT<StringsArray, 19, names::ResolveNames>;
using NspiResolveNamesW = ResolveNamesT<WStringsArray, 20, names::ResolveNamesW>;

}  // namespace exmapi::ndr::nspi

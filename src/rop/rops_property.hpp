// Property ROPs (MS-OXCROPS 2.2.8; semantics in MS-OXCPRPT 2.2): reading, writing, deleting and
// copying properties, and named-property mapping.
#pragma once

#include "rop/rop_codec.hpp"

namespace exmapi::rop {

// PropertyName (MS-OXCDATA 2.6.1): Kind, GUID, then LID (Kind 0x00) or NameSize + UTF-16 Name
// (Kind 0x01); Kind 0xFF (no name) has the GUID only. NameSize counts the Name's bytes with its
// terminator.
namespace property_name_kind {
constexpr uint8_t Lid = 0x00;
constexpr uint8_t Name = 0x01;
constexpr uint8_t None = 0xFF;
}  // namespace property_name_kind
struct PropertyName {
  uint8_t kind = property_name_kind::Lid;
  Guid guid;
  uint32_t lid = 0;
  std::string name;
  friend bool operator==(const PropertyName&, const PropertyName&) = default;
  template <class A>
  void describe(A& a) {
    a.choice8("Kind", kind, {property_name_kind::Lid, property_name_kind::Name, property_name_kind::None});
    a.guid("GUID", guid);
    if (kind == property_name_kind::Lid) {
      a.u32("LID", lid);
    } else if (kind == property_name_kind::Name) {
      size_t n = a.count8("NameSize", detail::counted_utf16_size(name));
      a.utf16_counted("Name", name, n);
    }
  }
};

// Responses with PropertyProblemCount + PropertyProblems on success (RopSetProperties(NoReplicate)
// 2.2.8.6.2/2.2.8.7.2, RopDeleteProperties(NoReplicate) 2.2.8.8.2/2.2.8.9.2).
template <RopId Id>
struct PropertyProblemsResponse {
  static constexpr RopId kId = Id;
  uint8_t input_handle_index = 0;
  uint32_t return_value = 0;
  std::vector<PropertyProblem> property_problems;
  friend bool operator==(const PropertyProblemsResponse&, const PropertyProblemsResponse&) = default;
  template <class A>
  void describe(A& a) {
    a.u8("InputHandleIndex", input_handle_index);
    a.return_value("ReturnValue", return_value);
    if (return_value == ec::Success) a.value("PropertyProblems", property_problems, PropertyProblemsCodec{});
  }
};

// RopCopyProperties (2.2.8.11.2) and RopCopyTo (2.2.8.10.2): problems on success, the failing
// DestHandleIndex (4 bytes) on ecDstNullObject.
template <RopId Id>
struct CopyPropertiesResponse {
  static constexpr RopId kId = Id;
  uint8_t source_handle_index = 0;
  uint32_t return_value = 0;
  std::vector<PropertyProblem> property_problems;
  uint32_t dest_handle_index = 0;
  friend bool operator==(const CopyPropertiesResponse&, const CopyPropertiesResponse&) = default;
  template <class A>
  void describe(A& a) {
    a.u8("SourceHandleIndex", source_handle_index);
    a.return_value("ReturnValue", return_value);
    if (return_value == ec::Success)
      a.value("PropertyProblems", property_problems, PropertyProblemsCodec{});
    else if (return_value == ec::NullDestinationObject)
      a.u32("DestHandleIndex", dest_handle_index);
  }
};

// MS-OXCROPS 2.2.8.1. On success and on ecWarnWithErrors (some names unmapped) the IDs follow.
struct RopGetPropertyIdsFromNames {
  static constexpr RopId kId = RopId::GetPropertyIdsFromNames;
  struct Request {
    static constexpr RopId kId = RopId::GetPropertyIdsFromNames;
    uint8_t logon_id = 0, input_handle_index = 0, flags = 0;
    std::vector<PropertyName> property_names;
    friend bool operator==(const Request&, const Request&) = default;
    template <class A>
    void describe(A& a) {
      a.u8("LogonId", logon_id);
      a.u8("InputHandleIndex", input_handle_index);
      a.u8("Flags", flags);
      size_t n = a.count16("PropertyNameCount", property_names.size());
      a.list("PropertyNames", property_names, n, 17, [](auto& a, PropertyName& p) { a.object("", p); });
    }
  };
  struct Response {
    static constexpr RopId kId = RopId::GetPropertyIdsFromNames;
    uint8_t input_handle_index = 0;
    uint32_t return_value = 0;
    std::vector<uint16_t> property_ids;
    friend bool operator==(const Response&, const Response&) = default;
    template <class A>
    void describe(A& a) {
      a.u8("InputHandleIndex", input_handle_index);
      a.return_value("ReturnValue", return_value);
      if (return_value != ec::Success && return_value != ec::WarnWithErrors) return;
      size_t n = a.count16("PropertyIdCount", property_ids.size());
      a.list("PropertyIds", property_ids, n, 2, [](auto& a, uint16_t& id) { a.u16("", id); });
    }
  };
};

// MS-OXCROPS 2.2.8.2.
struct RopGetNamesFromPropertyIds {
  static constexpr RopId kId = RopId::GetNamesFromPropertyIds;
  struct Request {
    static constexpr RopId kId = RopId::GetNamesFromPropertyIds;
    uint8_t logon_id = 0, input_handle_index = 0;
    std::vector<uint16_t> property_ids;
    friend bool operator==(const Request&, const Request&) = default;
    template <class A>
    void describe(A& a) {
      a.u8("LogonId", logon_id);
      a.u8("InputHandleIndex", input_handle_index);
      size_t n = a.count16("PropertyIdCount", property_ids.size());
      a.list("PropertyIds", property_ids, n, 2, [](auto& a, uint16_t& id) { a.u16("", id); });
    }
  };
  struct Response {
    static constexpr RopId kId = RopId::GetNamesFromPropertyIds;
    uint8_t input_handle_index = 0;
    uint32_t return_value = 0;
    std::vector<PropertyName> property_names;
    friend bool operator==(const Response&, const Response&) = default;
    template <class A>
    void describe(A& a) {
      if (!response_header(a, "InputHandleIndex", input_handle_index, return_value)) return;
      size_t n = a.count16("PropertyNameCount", property_names.size());
      a.list("PropertyNames", property_names, n, 17, [](auto& a, PropertyName& p) { a.object("", p); });
    }
  };
};

// MS-OXCROPS 2.2.8.3. The response row follows the request's PropertyTags (from the context).
struct RopGetPropertiesSpecific {
  static constexpr RopId kId = RopId::GetPropertiesSpecific;
  struct Request {
    static constexpr RopId kId = RopId::GetPropertiesSpecific;
    uint8_t logon_id = 0, input_handle_index = 0;
    uint16_t property_size_limit = 0, want_unicode = 0;
    std::vector<PropTag> property_tags;
    friend bool operator==(const Request&, const Request&) = default;
    template <class A>
    void describe(A& a) {
      a.u8("LogonId", logon_id);
      a.u8("InputHandleIndex", input_handle_index);
      a.u16("PropertySizeLimit", property_size_limit);
      a.u16("WantUnicode", want_unicode);
      prop_tags16(a, "PropertyTagCount", "PropertyTags", property_tags);
    }
  };
  struct Response {
    static constexpr RopId kId = RopId::GetPropertiesSpecific;
    uint8_t input_handle_index = 0;
    uint32_t return_value = 0;
    Columns columns;  // not on the wire: the request's PropertyTags
    PropertyRow row_data;
    friend bool operator==(const Response& x, const Response& y) {
      return x.input_handle_index == y.input_handle_index && x.return_value == y.return_value &&
             x.row_data == y.row_data;
    }
    template <class A>
    void describe(A& a) {
      if (!response_header(a, "InputHandleIndex", input_handle_index, return_value)) return;
      a.from_context("RowData", columns, &ResponseContext::columns, "the request's PropertyTags");
      a.value("RowData", row_data, RowCodec{columns.get()});
    }
  };
};

// MS-OXCROPS 2.2.8.4.
struct RopGetPropertiesAll {
  static constexpr RopId kId = RopId::GetPropertiesAll;
  struct Request {
    static constexpr RopId kId = RopId::GetPropertiesAll;
    uint8_t logon_id = 0, input_handle_index = 0;
    uint16_t property_size_limit = 0, want_unicode = 0;
    friend bool operator==(const Request&, const Request&) = default;
    template <class A>
    void describe(A& a) {
      a.u8("LogonId", logon_id);
      a.u8("InputHandleIndex", input_handle_index);
      a.u16("PropertySizeLimit", property_size_limit);
      a.u16("WantUnicode", want_unicode);
    }
  };
  struct Response {
    static constexpr RopId kId = RopId::GetPropertiesAll;
    uint8_t input_handle_index = 0;
    uint32_t return_value = 0;
    std::vector<TaggedPropertyValue> property_values;
    friend bool operator==(const Response&, const Response&) = default;
    template <class A>
    void describe(A& a) {
      if (!response_header(a, "InputHandleIndex", input_handle_index, return_value)) return;
      size_t n = a.count16("PropertyValueCount", property_values.size());
      a.list("PropertyValues", property_values, n, TaggedValueCodec::kMinSize,
             [](auto& a, TaggedPropertyValue& v) { a.value("", v, TaggedValueCodec{}); });
    }
  };
};

// MS-OXCROPS 2.2.8.5.
struct RopGetPropertiesList {
  static constexpr RopId kId = RopId::GetPropertiesList;
  EXMAPI_ROP_PLAIN_REQUEST(GetPropertiesList);
  struct Response {
    static constexpr RopId kId = RopId::GetPropertiesList;
    uint8_t input_handle_index = 0;
    uint32_t return_value = 0;
    std::vector<PropTag> property_tags;
    friend bool operator==(const Response&, const Response&) = default;
    template <class A>
    void describe(A& a) {
      a.u8("InputHandleIndex", input_handle_index);
      a.return_value("ReturnValue", return_value);
      if (return_value == ec::Success) prop_tags16(a, "PropertyTagCount", "PropertyTags", property_tags);
    }
  };
};

// RopSetProperties (2.2.8.6) and RopSetPropertiesNoReplicate (2.2.8.7): PropertyValueSize counts
// the PropertyValueCount field and the values after it.
template <RopId Id>
struct SetPropertiesRequest {
  static constexpr RopId kId = Id;
  uint8_t logon_id = 0, input_handle_index = 0;
  std::vector<TaggedPropertyValue> property_values;
  friend bool operator==(const SetPropertiesRequest&, const SetPropertiesRequest&) = default;
  template <class A>
  void describe(A& a) {
    a.u8("LogonId", logon_id);
    a.u8("InputHandleIndex", input_handle_index);
    a.sized16("PropertyValueSize", [&](auto& a) {
      size_t n = a.count16("PropertyValueCount", property_values.size());
      a.list("PropertyValues", property_values, n, TaggedValueCodec::kMinSize,
             [](auto& a, TaggedPropertyValue& v) { a.value("", v, TaggedValueCodec{}); });
    });
  }
};
struct RopSetProperties {
  static constexpr RopId kId = RopId::SetProperties;
  using Request = SetPropertiesRequest<RopId::SetProperties>;
  using Response = PropertyProblemsResponse<RopId::SetProperties>;
};
struct RopSetPropertiesNoReplicate {
  static constexpr RopId kId = RopId::SetPropertiesNoReplicate;
  using Request = SetPropertiesRequest<RopId::SetPropertiesNoReplicate>;
  using Response = PropertyProblemsResponse<RopId::SetPropertiesNoReplicate>;
};

// RopDeleteProperties (2.2.8.8) and RopDeletePropertiesNoReplicate (2.2.8.9).
template <RopId Id>
struct DeletePropertiesRequest {
  static constexpr RopId kId = Id;
  uint8_t logon_id = 0, input_handle_index = 0;
  std::vector<PropTag> property_tags;
  friend bool operator==(const DeletePropertiesRequest&, const DeletePropertiesRequest&) = default;
  template <class A>
  void describe(A& a) {
    a.u8("LogonId", logon_id);
    a.u8("InputHandleIndex", input_handle_index);
    prop_tags16(a, "PropertyTagCount", "PropertyTags", property_tags);
  }
};
struct RopDeleteProperties {
  static constexpr RopId kId = RopId::DeleteProperties;
  using Request = DeletePropertiesRequest<RopId::DeleteProperties>;
  using Response = PropertyProblemsResponse<RopId::DeleteProperties>;
};
struct RopDeletePropertiesNoReplicate {
  static constexpr RopId kId = RopId::DeletePropertiesNoReplicate;
  using Request = DeletePropertiesRequest<RopId::DeletePropertiesNoReplicate>;
  using Response = PropertyProblemsResponse<RopId::DeletePropertiesNoReplicate>;
};

// MS-OXCROPS 2.2.8.10.
struct RopQueryNamedProperties {
  static constexpr RopId kId = RopId::QueryNamedProperties;
  struct Request {
    static constexpr RopId kId = RopId::QueryNamedProperties;
    uint8_t logon_id = 0, input_handle_index = 0, query_flags = 0, has_guid = 0;
    Guid property_guid;
    friend bool operator==(const Request&, const Request&) = default;
    template <class A>
    void describe(A& a) {
      a.u8("LogonId", logon_id);
      a.u8("InputHandleIndex", input_handle_index);
      a.u8("QueryFlags", query_flags);
      a.u8("HasGuid", has_guid);
      if (has_guid) a.guid("PropertyGuid", property_guid);
    }
  };
  // IdCount, then IdCount PropertyIds, then IdCount PropertyNames.
  struct Response {
    static constexpr RopId kId = RopId::QueryNamedProperties;
    uint8_t input_handle_index = 0;
    uint32_t return_value = 0;
    std::vector<uint16_t> property_ids;
    std::vector<PropertyName> property_names;
    friend bool operator==(const Response&, const Response&) = default;
    template <class A>
    void describe(A& a) {
      if (!response_header(a, "InputHandleIndex", input_handle_index, return_value)) return;
      size_t n = a.count16("IdCount", property_ids.size());
      a.list("PropertyIds", property_ids, n, 2, [](auto& a, uint16_t& id) { a.u16("", id); });
      a.list("PropertyNames", property_names, n, 17, [](auto& a, PropertyName& p) { a.object("", p); });
    }
  };
};

// MS-OXCROPS 2.2.8.11.
struct RopCopyProperties {
  static constexpr RopId kId = RopId::CopyProperties;
  struct Request {
    static constexpr RopId kId = RopId::CopyProperties;
    uint8_t logon_id = 0, source_handle_index = 0, dest_handle_index = 0, want_asynchronous = 0, copy_flags = 0;
    std::vector<PropTag> property_tags;
    friend bool operator==(const Request&, const Request&) = default;
    template <class A>
    void describe(A& a) {
      a.u8("LogonId", logon_id);
      a.u8("SourceHandleIndex", source_handle_index);
      a.u8("DestHandleIndex", dest_handle_index);
      a.u8("WantAsynchronous", want_asynchronous);
      a.u8("CopyFlags", copy_flags);
      prop_tags16(a, "PropertyTagCount", "PropertyTags", property_tags);
    }
  };
  using Response = CopyPropertiesResponse<RopId::CopyProperties>;
};

// MS-OXCROPS 2.2.8.12.
struct RopCopyTo {
  static constexpr RopId kId = RopId::CopyTo;
  struct Request {
    static constexpr RopId kId = RopId::CopyTo;
    uint8_t logon_id = 0, source_handle_index = 0, dest_handle_index = 0, want_asynchronous = 0,
            want_sub_objects = 0, copy_flags = 0;
    std::vector<PropTag> excluded_tags;
    friend bool operator==(const Request&, const Request&) = default;
    template <class A>
    void describe(A& a) {
      a.u8("LogonId", logon_id);
      a.u8("SourceHandleIndex", source_handle_index);
      a.u8("DestHandleIndex", dest_handle_index);
      a.u8("WantAsynchronous", want_asynchronous);
      a.u8("WantSubObjects", want_sub_objects);
      a.u8("CopyFlags", copy_flags);
      prop_tags16(a, "ExcludedTagCount", "ExcludedTags", excluded_tags);
    }
  };
  using Response = CopyPropertiesResponse<RopId::CopyTo>;
};

// MS-OXCROPS 2.2.8.13.
struct RopProgress {
  static constexpr RopId kId = RopId::Progress;
  struct Request {
    static constexpr RopId kId = RopId::Progress;
    uint8_t logon_id = 0, input_handle_index = 0, want_cancel = 0;
    friend bool operator==(const Request&, const Request&) = default;
    template <class A>
    void describe(A& a) {
      a.u8("LogonId", logon_id);
      a.u8("InputHandleIndex", input_handle_index);
      a.u8("WantCancel", want_cancel);
    }
  };
  struct Response {
    static constexpr RopId kId = RopId::Progress;
    uint8_t input_handle_index = 0;
    uint32_t return_value = 0;
    uint8_t logon_id = 0;
    uint32_t completed_task_count = 0, total_task_count = 0;
    friend bool operator==(const Response&, const Response&) = default;
    template <class A>
    void describe(A& a) {
      if (!response_header(a, "InputHandleIndex", input_handle_index, return_value)) return;
      a.u8("LogonId", logon_id);
      a.u32("CompletedTaskCount", completed_task_count);
      a.u32("TotalTaskCount", total_task_count);
    }
  };
};

using PropertyRops = RopList<RopGetPropertyIdsFromNames, RopGetNamesFromPropertyIds, RopGetPropertiesSpecific,
                             RopGetPropertiesAll, RopGetPropertiesList, RopSetProperties, RopSetPropertiesNoReplicate,
                             RopDeleteProperties, RopDeletePropertiesNoReplicate, RopQueryNamedProperties,
                             RopCopyProperties, RopCopyTo, RopProgress>;

}  // namespace exmapi::rop
